"""Questions, the queries that ask them, and what answers mean: no sockets."""

from __future__ import annotations

import base64
import functools
import secrets
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.reversename

from probeops_dns import wire
from probeops_dns.wire import Reply

ERROR_RCODES_WITHOUT_QUESTION = frozenset({1, 2, 4, 5})


@functools.cache
def _rdtype(text: str) -> int:
    return dns.rdatatype.from_text(text)


@functools.cache
def _rdclass(text: str) -> int:
    return dns.rdataclass.from_text(text)


@dataclass(frozen=True)
class Question:
    """The name, type and class asked about."""

    text: str
    """The name in presentation form, absolute, as records show owners."""

    rdtype: int
    rdclass: int
    name_wire: bytes = field(compare=False, repr=False)

    @classmethod
    def of(cls, name: dns.name.Name, rdtype: int, rdclass: int) -> Question:
        return cls(name.to_text(), rdtype, rdclass, name.to_wire())

    @classmethod
    def from_target(cls, host: str, is_literal: bool, options: dict) -> Question:
        """Ask about ``host``; an IP literal asks for its reverse name's PTR."""
        rdtype = _rdtype(options["type"])
        rdclass = _rdclass(options["qclass"])
        if is_literal:
            name = dns.reversename.from_address(host.split("%", 1)[0])
            if rdtype == dns.rdatatype.A:
                rdtype = dns.rdatatype.PTR
            return cls.of(name, rdtype, rdclass)
        labels = host.rstrip(".").encode("ascii", "replace").split(b".")
        plain = host.isascii() and "\\" not in host
        if not plain or not all(0 < len(label) < 64 for label in labels):
            return cls.of(dns.name.from_text(host), rdtype, rdclass)
        name_wire = b"".join(bytes([len(label)]) + label for label in labels)
        return cls(host.rstrip(".") + ".", rdtype, rdclass, name_wire + b"\0")

    @property
    def name(self) -> dns.name.Name:
        return dns.name.from_text(self.text)

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.text,
            "type": wire.type_text(self.rdtype),
            "class": wire.class_text(self.rdclass),
        }


def build_query(
    question: Question,
    options: dict[str, Any],
    edns: bool,
    query_id: int | None = None,
) -> bytes:
    """The query's wire bytes, with ``query_id`` or else a fresh random ID."""
    flags = wire.RD if options["recursion_desired"] else 0
    if options["checking_disabled"]:
        flags |= wire.CD
    extension = None
    if edns:
        dnssec_ok = options["dnssec_ok"] or options["dnssec"]
        extension = {
            "payload": options["payload"],
            "do": dnssec_ok,
            "nsid": options["nsid"],
        }
    if query_id is None:
        query_id = secrets.randbits(16)
    return wire.query_wire(
        question.name_wire,
        question.rdtype,
        question.rdclass,
        query_id,
        flags,
        extension,
    )


def read_reply(data: bytes) -> Reply:
    """Parse an answer; raises ``wire.CutOff`` when its body is cut short."""
    return wire.parse_reply(data)


def answers(reply: Reply, question: Question) -> bool:
    """Whether ``reply`` is an answer to ``question`` (the ID already matched)."""
    if not reply.flags & wire.QR:
        return False
    if reply.question is None:
        return reply.rcode in ERROR_RCODES_WITHOUT_QUESTION
    name, rdtype, rdclass = reply.question
    same_name = name.lower() == question.text.lower()
    return same_name and (rdtype, rdclass) == (question.rdtype, question.rdclass)


def describe(reply: Reply, data: bytes) -> dict[str, Any]:
    """The answer as data: header, sections, EDNS and the wire bytes."""
    import dns.rcode

    return {
        "id": reply.id,
        "rcode": dns.rcode.to_text(reply.rcode),
        "rcode_value": reply.rcode,
        "flags": reply.flag_names(),
        "answer": reply.answer,
        "authority": reply.authority,
        "additional": reply.additional,
        "edns": reply.edns,
        "nsid": reply.nsid,
        "size": len(data),
        "wire": base64.b64encode(data).decode("ascii"),
    }


def cname_chain(reply: Reply, question: Question) -> tuple[list[str], bool]:
    """Follow CNAMEs from the question's name; return the chain and a loop flag."""
    if question.rdtype in (wire.CNAME, dns.rdatatype.ANY):
        return [], False
    aliases = {
        record["name"].lower(): record["rdata"]
        for record in reply.answer
        if record["type"] == "CNAME"
    }
    name, chain, seen = question.text.lower(), [], {question.text.lower()}
    while name in aliases:
        target = aliases[name]
        chain.append(target)
        name = target.lower()
        if name in seen:
            return chain, True
        seen.add(name)
    return chain, False


def final_name(reply: Reply, question: Question) -> str:
    """The name the CNAME chain ends at (the question's name when none)."""
    chain, _ = cname_chain(reply, question)
    return (chain[-1] if chain else question.text).lower()


def data_of(reply: Reply, question: Question) -> list[dict[str, Any]]:
    """The answer records of the asked type at the end of the CNAME chain."""
    name = final_name(reply, question)
    wanted = wire.type_text(question.rdtype)
    any_type = question.rdtype == dns.rdatatype.ANY
    return [
        record
        for record in reply.answer
        if record["name"].lower() == name and (any_type or record["type"] == wanted)
    ]


def is_referral(reply: Reply) -> bool:
    """A non-authoritative answer with no data and NS records below it."""
    if reply.answer or reply.flags & wire.AA:
        return False
    return any(record["type"] == "NS" for record in reply.authority)

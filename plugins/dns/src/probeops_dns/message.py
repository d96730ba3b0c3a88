"""Building DNS queries and reading answers: pure functions, no sockets."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.reversename

NSID_OPTION = dns.edns.GenericOption(dns.edns.OptionType.NSID, b"")


@dataclass(frozen=True)
class Question:
    """The name, type and class asked about."""

    name: dns.name.Name
    rdtype: dns.rdatatype.RdataType
    rdclass: dns.rdataclass.RdataClass

    @classmethod
    def from_target(cls, host: str, is_literal: bool, options: dict) -> Question:
        """Ask about ``host``; an IP literal asks for its reverse name's PTR."""
        rdtype = dns.rdatatype.from_text(options["type"])
        if is_literal:
            name = dns.reversename.from_address(host.split("%", 1)[0])
            if rdtype == dns.rdatatype.A:
                rdtype = dns.rdatatype.PTR
        else:
            name = dns.name.from_text(host)
        return cls(name, rdtype, dns.rdataclass.from_text(options["qclass"]))

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name.to_text(),
            "type": dns.rdatatype.to_text(self.rdtype),
            "class": dns.rdataclass.to_text(self.rdclass),
        }


def build_query(
    question: Question, options: dict[str, Any], edns: bool
) -> dns.message.QueryMessage:
    """Return the query message the options describe."""
    dnssec_ok = options["dnssec_ok"] or options["dnssec"]
    query = dns.message.make_query(
        question.name,
        question.rdtype,
        question.rdclass,
        use_edns=0 if edns else False,
        want_dnssec=dnssec_ok and edns,
        payload=options["payload"],
        options=[NSID_OPTION] if options["nsid"] and edns else None,
    )
    if not options["recursion_desired"]:
        query.flags &= ~dns.flags.RD
    if options["checking_disabled"]:
        query.flags |= dns.flags.CD
    return query


def read_reply(wire: bytes, query: dns.message.Message) -> dns.message.Message:
    """Parse an answer; raises ``Truncated`` or ``FormError`` as dnspython does."""
    return dns.message.from_wire(wire, raise_on_truncation=True)


def records(section) -> list[dict[str, Any]]:
    """Every record of a message section, one dictionary per record."""
    return [
        {
            "name": rrset.name.to_text(),
            "ttl": rrset.ttl,
            "class": dns.rdataclass.to_text(rrset.rdclass),
            "type": dns.rdatatype.to_text(rrset.rdtype),
            "rdata": rdata.to_text(),
        }
        for rrset in section
        for rdata in rrset
    ]


def describe(reply: dns.message.Message, wire: bytes) -> dict[str, Any]:
    """The answer as data: header, sections, EDNS and the wire bytes."""
    return {
        "id": reply.id,
        "rcode": dns.rcode.to_text(reply.rcode()),
        "rcode_value": int(reply.rcode()),
        "flags": _flag_names(reply.flags),
        "answer": records(reply.answer),
        "authority": records(reply.authority),
        "additional": records(reply.additional),
        "edns": _edns(reply),
        "nsid": _nsid(reply),
        "size": len(wire),
        "wire": base64.b64encode(wire).decode("ascii"),
    }


def _flag_names(flags: int) -> list[str]:
    text = dns.flags.to_text(flags)
    return [name.lower() for name in text.split()]


def _edns(reply: dns.message.Message) -> dict[str, Any] | None:
    if reply.edns < 0:
        return None
    return {
        "version": reply.edns,
        "payload": reply.payload,
        "flags": ["do"] if reply.ednsflags & dns.flags.DO else [],
        "options": [option.to_text() for option in reply.options],
    }


def _nsid(reply: dns.message.Message) -> str | None:
    for option in reply.options:
        if option.otype == dns.edns.OptionType.NSID:
            data = getattr(option, "nsid", None) or getattr(option, "data", b"")
            return data.decode("utf-8", errors="replace")
    return None


def cname_chain(
    reply: dns.message.Message, question: Question
) -> tuple[list[str], bool]:
    """Follow CNAMEs from the question's name; return the chain and a loop flag."""
    name, chain, seen = question.name, [], {question.name}
    if question.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.ANY):
        return chain, False
    while True:
        alias = _find(reply, name, dns.rdatatype.CNAME)
        if alias is None:
            return chain, False
        name = alias[0].target
        chain.append(name.to_text())
        if name in seen:
            return chain, True
        seen.add(name)


def final_name(reply: dns.message.Message, question: Question) -> dns.name.Name:
    """The name the CNAME chain ends at (the question's name when none)."""
    chain, _ = cname_chain(reply, question)
    return dns.name.from_text(chain[-1]) if chain else question.name


def has_data(reply: dns.message.Message, question: Question) -> bool:
    """Whether the answer section holds data of the asked type for the name."""
    name = final_name(reply, question)
    for rrset in reply.answer:
        wanted = question.rdtype in (rrset.rdtype, dns.rdatatype.ANY)
        if rrset.name == name and wanted:
            return True
    return False


def is_referral(reply: dns.message.Message) -> bool:
    """A non-authoritative answer with no data and NS records below it."""
    if reply.answer or reply.flags & dns.flags.AA:
        return False
    return any(rrset.rdtype == dns.rdatatype.NS for rrset in reply.authority)


def _find(reply: dns.message.Message, name: dns.name.Name, rdtype: int):
    for rrset in reply.answer:
        if rrset.name == name and rrset.rdtype == rdtype:
            return rrset
    return None

"""DNSSEC validation of an answer against a configured trust anchor.

The chain is built downwards from the root: the root's DNSKEYs are checked
against the anchor, then for each ancestor of the signer's zone the DS
records (or an NSEC proof that there are none) are checked with the keys
above. The answer is ``secure`` when its signatures verify with a trusted
key, ``insecure`` when an NSEC proves an unsigned delegation on the way, and
``bogus`` when a signature or a link fails. ``indeterminate`` means the
server would not give what the chain needs (e.g. an authoritative server
asked for another zone's keys, or NSEC3 denial, which is not checked).

DS and DNSKEY records are asked of the same servers as the question, with
the CD bit so that a validating resolver hands over even bogus data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dns.dnssec
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from probeops.diagnostic import Outcome
from probeops.result import FailureSource, Status

from probeops_dns.anchor import ANCHOR_FORMS, anchor_records
from probeops_dns.errors import BadTrustAnchor
from probeops_dns.message import Question
from probeops_dns.query import Asked, ask
from probeops_dns.settings import TRUST_ANCHOR

DS, DNSKEY, NSEC, NSEC3, RRSIG, NS = (
    dns.rdatatype.DS,
    dns.rdatatype.DNSKEY,
    dns.rdatatype.NSEC,
    dns.rdatatype.NSEC3,
    dns.rdatatype.RRSIG,
    dns.rdatatype.NS,
)


class Verdict(Exception):
    """The chain walk reached a verdict before the end."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Chain:
    """Where the walk is: the deepest zone with trusted keys."""

    zone: dns.name.Name
    keys: dns.rrset.RRset
    links: list[str]


def validate_outcome(
    outcome: Outcome, asked: Asked, question: Question, servers, options, deadline
) -> None:
    """Add a ``dnssec`` verdict to the outcome; a bogus answer fails it."""
    verdict = validate(asked, question, servers, options, deadline)
    outcome.body["dnssec"] = verdict
    if verdict["status"] == "bogus":
        outcome.status = Status.FAILED
        outcome.failure_source = FailureSource.TARGET
        outcome.error = f"DNSSEC bogus: {verdict['reason']}"


def validate(asked, question, servers, options, deadline) -> dict[str, Any]:
    """The verdict on ``asked.reply`` as data: status, reason, chain links."""
    if asked.reply is None:
        return _verdict("indeterminate", "there is no answer to validate", [])
    fetch = _fetcher(servers, options, deadline)
    links: list[str] = []
    try:
        chain = _trusted_root(fetch, options, links)
        reply = dns.message.from_wire(asked.wire)
        sections = [*reply.answer, *reply.authority]
        signer = _signer(sections) or question.name
        chain = _walk_down(chain, signer, fetch)
        _check_sections(chain, sections)
    except Verdict as verdict:
        return _verdict(verdict.status, verdict.reason, links)
    return _verdict("secure", f"signed by {chain.zone}", chain.links)


def _verdict(status: str, reason: str, links: list[str]) -> dict[str, Any]:
    return {"status": status, "reason": reason, "chain": links}


def _fetcher(servers, options, deadline):
    fetch_options = {
        **options,
        "dnssec_ok": True,
        "checking_disabled": True,
        "recursion_desired": True,
        "edns": True,
    }

    def fetch(name: dns.name.Name, rdtype) -> dns.message.Message:
        question = Question.of(name, rdtype, dns.rdataclass.IN)
        asked = ask(question, servers, fetch_options, deadline)
        if asked.reply is None or asked.reply.rcode not in (0, 3):
            raise Verdict(
                "indeterminate",
                f"no usable answer for {name} {dns.rdatatype.to_text(rdtype)}",
            )
        return dns.message.from_wire(asked.wire)

    return fetch


def trust_anchor(options: dict[str, Any]) -> list:
    """The anchor's DS and DNSKEY rdatas, from the options or the setting."""
    text = options.get("trust_anchor") or TRUST_ANCHOR.read()
    try:
        return anchor_records(text)
    except ValueError as error:
        raise BadTrustAnchor(f"trust anchor {error}; allowed: {ANCHOR_FORMS}") from None


def _trusted_root(fetch, options, links: list[str]) -> Chain:
    anchors = trust_anchor(options)
    reply = fetch(dns.name.root, DNSKEY)
    keys = _rrset(reply.answer, dns.name.root, DNSKEY)
    if keys is None:
        raise Verdict("bogus", "the root has no DNSKEY records")
    trusted = [key for key in keys if _anchored(key, anchors)]
    if not trusted:
        raise Verdict("bogus", "no root DNSKEY matches the trust anchor")
    _verify(reply.answer, keys, dns.name.root, keys, "root DNSKEY")
    links.append(". DNSKEY matches the trust anchor")
    return Chain(dns.name.root, keys, links)


def _anchored(key, anchors) -> bool:
    for anchor in anchors:
        if anchor.rdtype == DNSKEY and anchor == key:
            return True
        if anchor.rdtype == DS:
            digest = dns.dnssec.DSDigest(anchor.digest_type)
            if dns.dnssec.make_ds(dns.name.root, key, digest) == anchor:
                return True
    return False


def _signer(sections) -> dns.name.Name | None:
    for rrset in sections:
        if rrset.rdtype == RRSIG:
            return rrset[0].signer
    return None


def _walk_down(chain: Chain, target: dns.name.Name, fetch) -> Chain:
    """Extend trust label by label from the root towards ``target``."""
    labels = len(target) - 1
    for depth in range(1, labels + 1):
        name = target.split(depth + 1)[1]
        chain = _step(chain, name, fetch)
    return chain


def _step(chain: Chain, name: dns.name.Name, fetch) -> Chain:
    reply = fetch(name, DS)
    ds = _rrset(reply.answer, name, DS)
    if ds is None:
        _no_ds(chain, name, reply)
        return chain
    _verify(reply.answer, ds, chain.zone, chain.keys, f"{name} DS")
    keys_reply = fetch(name, DNSKEY)
    keys = _rrset(keys_reply.answer, name, DNSKEY)
    if keys is None or not any(_matches(name, key, ds) for key in keys):
        raise Verdict("bogus", f"no DNSKEY of {name} matches its DS")
    _verify(keys_reply.answer, keys, name, keys, f"{name} DNSKEY")
    chain.links.append(f"{name} DS and DNSKEY verified")
    return Chain(name, keys, chain.links)


def _no_ds(chain: Chain, name: dns.name.Name, reply) -> None:
    """Prove the DS absence; an unsigned delegation ends the walk."""
    nsec = _rrset(reply.authority, name, NSEC)
    if nsec is None:
        if any(rrset.rdtype == NSEC3 for rrset in reply.authority):
            raise Verdict("indeterminate", f"{name}: NSEC3 denial is not checked")
        return
    _verify(reply.authority, nsec, chain.zone, chain.keys, f"{name} NSEC")
    types = _bitmap(nsec[0])
    if NS in types and DS not in types:
        chain.links.append(f"{name} is delegated without DS (NSEC verified)")
        raise Verdict("insecure", f"{name} is an unsigned delegation")


def _bitmap(nsec) -> set[int]:
    types: set[int] = set()
    for window, bitmap in nsec.windows:
        for index, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + index * 8 + bit)
    return types


def _matches(name, key, ds_rrset) -> bool:
    for ds in ds_rrset:
        digest = dns.dnssec.DSDigest(ds.digest_type)
        if dns.dnssec.make_ds(name, key, digest) == ds:
            return True
    return False


def _check_sections(chain: Chain, sections) -> None:
    """Every RRset of the answer must carry a signature by the trusted zone."""
    for rrset in sections:
        if rrset.rdtype == RRSIG:
            continue
        label = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        if not rrset.name.is_subdomain(chain.zone):
            continue
        _verify(sections, rrset, chain.zone, chain.keys, label)


def _verify(section, rrset, zone, keys, label: str) -> None:
    signatures = _rrset(section, rrset.name, RRSIG, covers=rrset.rdtype)
    if signatures is None:
        raise Verdict("bogus", f"{label} has no signature from {zone}")
    try:
        dns.dnssec.validate(rrset, signatures, {zone: keys})
    except dns.dnssec.ValidationFailure as failure:
        raise Verdict("bogus", f"{label}: {failure}") from None


def _rrset(section, name, rdtype, covers=dns.rdatatype.NONE):
    for rrset in section:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
            return rrset
    return None

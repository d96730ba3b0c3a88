"""Iterative resolution from the root hints, one step per server asked.

Each step asks without recursion and follows the referral's glue. Name
servers without glue are looked up by a trace of their own. CNAMEs that
leave the zone are reported, not followed, as ``dig +trace`` does.
"""

from __future__ import annotations

import time
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
from probeops.diagnostic import Outcome
from probeops.resolver import NameServer

from probeops_dns.errors import UnsupportedOption
from probeops_dns.message import Question
from probeops_dns.outcome import classify, to_outcome
from probeops_dns.query import Asked, ask
from probeops_dns.servers import root_hint
from probeops_dns.settings import ROOT_HINTS

MAX_STEPS = 30
MAX_DEPTH = 3


def trace(question: Question, options: dict[str, Any], deadline: float) -> Outcome:
    """Resolve ``question`` from the root; the outcome carries every step."""
    if options["dnssec"]:
        raise UnsupportedOption(
            "--dnssec validates through a recursive --server; "
            "it cannot be combined with --trace"
        )
    steps: list[dict[str, Any]] = []
    asked = walk(question, root_servers(options), options, deadline, steps, 0)
    outcome = to_outcome(asked, question)
    outcome.body["trace"] = steps
    outcome.duration_ms = round(sum(s["query_time_ms"] for s in steps), 3)
    if outcome.body["kind"] == "referral":
        outcome.error = "the trace ended at a referral it could not follow"
    return outcome


def root_servers(options: dict[str, Any]) -> list[NameServer]:
    """The root hints of the options, else of ``PROBEOPS_DNS_ROOT_HINTS``."""
    if options.get("root_hints"):
        return [root_hint(text) for text in options["root_hints"]]
    return list(ROOT_HINTS.read())


def walk(question, servers, options, deadline, steps, depth) -> Asked:
    """Follow referrals from ``servers`` until an answer or a dead end."""
    options = {**options, "recursion_desired": False}
    zone = dns.name.root
    for _ in range(MAX_STEPS):
        asked = ask(question, servers, options, deadline)
        kind = classify(asked, question)[0]
        steps.append(_step(zone, asked, kind, depth))
        if kind != "referral":
            return asked
        cut = _cut(asked, zone, question.name)
        servers = _next_servers(asked, cut, servers, options, deadline, steps, depth)
        if cut is None or not servers or time.monotonic() >= deadline:
            return asked
        zone = cut
    return asked


def _step(zone, asked: Asked, kind: str, depth: int) -> dict[str, Any]:
    shown = []
    if asked.reply is not None:
        referral = kind == "referral"
        shown = asked.reply.authority if referral else asked.reply.answer
    return {
        "zone": zone.to_text(),
        "server": asked.responder or asked.servers_tried[-1],
        "servers_tried": asked.servers_tried,
        "kind": kind,
        "query_time_ms": asked.query_time_ms,
        "depth": depth,
        "records": shown,
    }


def _cut(asked: Asked, zone, qname) -> dns.name.Name | None:
    """The delegated zone, when it is below ``zone`` and above the name."""
    for record in asked.reply.authority:
        if record["type"] != "NS":
            continue
        owner = dns.name.from_text(record["name"])
        closer = owner != zone and owner.is_subdomain(zone)
        if closer and qname.is_subdomain(owner):
            return owner
    return None


def _next_servers(asked, cut, servers, options, deadline, steps, depth):
    if cut is None:
        return []
    port = servers[0].port
    names = [
        record["rdata"].lower()
        for record in asked.reply.authority
        if record["type"] == "NS" and dns.name.from_text(record["name"]) == cut
    ]
    glued = _addresses(asked.reply.additional, names, port)
    if glued or depth >= MAX_DEPTH:
        return glued
    return _look_up(names, options, deadline, steps, depth, port)


def _addresses(records, names, port: int) -> list[NameServer]:
    """Servers from the A and AAAA records of ``names`` among ``records``."""
    wanted = set(names)
    return [
        NameServer(record["rdata"], port)
        for record in records
        if record["name"].lower() in wanted and record["type"] in ("A", "AAAA")
    ]


def _look_up(names, options, deadline, steps, depth, port) -> list[NameServer]:
    """Trace the name servers' own addresses when the referral had no glue."""
    for name in names:
        question = Question.of(
            dns.name.from_text(name), dns.rdatatype.A, dns.rdataclass.IN
        )
        roots = root_servers(options)
        asked = walk(question, roots, options, deadline, steps, depth + 1)
        if asked.reply is not None:
            found = _addresses(asked.reply.answer, [name], port)
            if found:
                return found
    return []

"""Turning what a server said into a ProbeOps outcome.

Every kind of answer is data: ``answer``, ``referral``, ``nodata``,
``nxdomain``, ``cname_loop``, ``servfail``, ``refused``, ``formerr``,
``rcode`` (any other error code), ``timeout``, ``network_error``,
``malformed`` and ``unresolved_server`` (no server name had an address).
The name is the target, so a name without data is the target's failure;
a server that fails or stays silent is the resolver's.
"""

from __future__ import annotations

from typing import Any

import dns.rcode
from probeops.diagnostic import Outcome
from probeops.result import FailureSource, Status

from probeops_dns.message import (
    Question,
    cname_chain,
    data_of,
    describe,
    is_referral,
)
from probeops_dns.query import Asked

TARGET, RESOLVER = FailureSource.TARGET, FailureSource.RESOLVER

RCODE_KINDS = {
    dns.rcode.NXDOMAIN: ("nxdomain", TARGET, "{name} does not exist (NXDOMAIN)"),
    dns.rcode.SERVFAIL: ("servfail", RESOLVER, "{server} failed (SERVFAIL)"),
    dns.rcode.REFUSED: ("refused", RESOLVER, "{server} refused the query (REFUSED)"),
    dns.rcode.FORMERR: ("formerr", RESOLVER, "{server} rejected the query (FORMERR)"),
}

SILENT_KINDS = {
    "timeout": Status.TIMEOUT,
    "network_error": Status.FAILED,
    "malformed": Status.FAILED,
    "unresolved_server": Status.FAILED,
}


def classify(asked: Asked, question: Question) -> tuple[str, str | None, Any]:
    """Return the kind of answer, an error sentence and the failure source."""
    words = {"name": question.text, "server": asked.server.address}
    if asked.reply is None:
        return asked.failure or "timeout", _silent_error(asked), RESOLVER
    reply = asked.reply
    if reply.rcode in RCODE_KINDS:
        kind, source, sentence = RCODE_KINDS[reply.rcode]
        return kind, sentence.format(**words), source
    if reply.rcode != dns.rcode.NOERROR:
        rcode = dns.rcode.to_text(reply.rcode)
        return "rcode", f"{asked.server.address} answered {rcode}", RESOLVER
    return _noerror_kind(asked, question, words)


def _noerror_kind(asked: Asked, question: Question, words: dict[str, str]):
    chain, loop = cname_chain(asked.reply, question)
    if loop:
        looped = " -> ".join([words["name"], *chain])
        return "cname_loop", f"CNAME loop: {looped}", TARGET
    if data_of(asked.reply, question):
        return "answer", None, None
    if is_referral(asked.reply):
        return "referral", None, None
    rdtype = question.to_json()["type"]
    return "nodata", f"{words['name']} has no {rdtype} records (NODATA)", TARGET


def _silent_error(asked: Asked) -> str:
    if asked.failure == "unresolved_server":
        return asked.detail
    tried = ", ".join(asked.servers_tried) or asked.server.address
    if asked.failure == "timeout":
        return f"no answer from {tried}: {asked.detail}"
    if asked.failure == "network_error":
        return f"cannot reach {tried}: {asked.detail}"
    return f"unusable answer from {tried}: {asked.detail}"


def body_of(asked: Asked, question: Question, kind: str) -> dict[str, Any]:
    """The complete result body, with or without an answer."""
    body: dict[str, Any] = {
        "question": question.to_json(),
        "kind": kind,
        "server": asked.server.address,
        "port": asked.server.port,
        "servers_tried": asked.servers_tried,
        "responder": asked.responder,
        "transport": asked.transport,
        "fallback": asked.fallback,
        "edns_dropped": asked.edns_dropped,
        "attempts": asked.attempts,
        "query_time_ms": asked.query_time_ms,
        "cname_chain": [],
        **_empty_answer(),
    }
    if asked.reply is not None:
        body.update(describe(asked.reply, asked.wire))
        body["cname_chain"] = cname_chain(asked.reply, question)[0]
    return body


def _empty_answer() -> dict[str, Any]:
    return {
        "id": None,
        "rcode": None,
        "rcode_value": None,
        "flags": [],
        "answer": [],
        "authority": [],
        "additional": [],
        "edns": None,
        "nsid": None,
        "size": 0,
        "wire": None,
    }


def to_outcome(asked: Asked, question: Question) -> Outcome:
    """The outcome of one asked question, without trace or DNSSEC."""
    kind, error, source = classify(asked, question)
    body = body_of(asked, question, kind)
    return Outcome(
        body=body,
        status=_status(kind),
        failure_source=source,
        error=error,
        duration_ms=asked.query_time_ms,
    )


def _status(kind: str) -> Status:
    if kind in ("answer", "referral"):
        return Status.FINISHED
    return SILENT_KINDS.get(kind, Status.FAILED)

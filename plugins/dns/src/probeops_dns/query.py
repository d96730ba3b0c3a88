"""Asking one question of a list of servers, as dig does.

UDP answers with the TC bit, or whose body is cut off, are asked again over
TCP; a FORMERR to a query with EDNS is asked again without it. A server that
does not answer is followed by the next one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from probeops.resolver import NameServer

from probeops_dns import transport, wire
from probeops_dns.message import Question, answers, build_query, read_reply

log = logging.getLogger(__name__)

FORMERR = 1


@dataclass
class Asked:
    """The outcome of asking one question: an answer or why there is none."""

    server: NameServer
    reply: wire.Reply | None = None
    wire: bytes | None = None
    responder: str | None = None
    transport: str = "udp"
    fallback: str | None = None
    """``truncated`` or ``cut_off`` when UDP gave way to TCP."""

    edns_dropped: bool = False
    """The server answered FORMERR to EDNS; the answer is from a plain query."""

    query_time_ms: float = 0.0
    attempts: int = 0
    failure: str | None = None
    """``timeout``, ``network_error`` or ``malformed`` when there is no reply."""

    detail: str | None = None
    servers_tried: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """How the next query to a server is sent."""

    transport: str
    edns: bool


def ask(
    question: Question,
    servers: list[NameServer],
    options: dict[str, Any],
    deadline: float,
) -> Asked:
    """Ask each server in turn until one answers; return the last outcome."""
    asked = Asked(servers[0], failure="timeout", detail="no server was asked")
    tried: list[str] = []
    for server in servers:
        asked = ask_server(question, server, options, deadline)
        tried.append(server_text(server))
        if asked.reply is not None or time.monotonic() >= deadline:
            break
    asked.servers_tried = tried
    return asked


def ask_server(
    question: Question, server: NameServer, options: dict[str, Any], deadline: float
) -> Asked:
    """Ask one server, with the transport and EDNS fallbacks."""
    plan = Plan(options["transport"], options["edns"])
    asked = Asked(server, transport=plan.transport)
    while True:
        query = build_query(question, options, plan.edns)
        exchange = _send(query, server, plan.transport, options, deadline, asked)
        if exchange.wire is None:
            return replace(asked, failure=exchange.failure, detail=exchange.detail)
        next_plan = accept(asked, exchange, question, plan)
        if next_plan is None:
            return asked
        plan = next_plan


def _send(query: bytes, server, transport_name, options, deadline, asked: Asked):
    """Send with UDP retries after timeouts; count attempts and time."""
    tries = options["retries"] + 1 if transport_name == "udp" else 1
    for _ in range(tries):
        timeout = min(options["timeout"], max(deadline - time.monotonic(), 0.001))
        exchange = transport.exchange(query, server, transport_name, timeout)
        if exchange.failure == "timeout":
            exchange = replace(exchange, detail=silence(options["timeout"], timeout))
        asked.attempts += 1
        asked.query_time_ms = round(exchange.elapsed_ms, 3)
        if exchange.failure != "timeout" or time.monotonic() >= deadline:
            break
    asked.transport = transport_name
    return exchange


def silence(asked_for: float, waited: float) -> str:
    """Say how long a server was given, in the user's own figures.

    The wait is cut short only when the run's deadline comes first; a cut
    of a few milliseconds is not worth reporting.
    """
    if waited >= asked_for - 0.005:
        return f"no answer within {asked_for:g} s"
    return f"no answer within {waited:.2f} s, all that was left before the deadline"


def accept(asked: Asked, exchange, question: Question, plan: Plan) -> Plan | None:
    """Accept the answer, or return the plan to ask again with."""
    try:
        reply = read_reply(exchange.wire)
    except wire.CutOff as error:
        if plan.transport == "udp":
            truncated = len(exchange.wire) > 3 and exchange.wire[2] & 0x02
            return _to_tcp(asked, plan, "truncated" if truncated else "cut_off")
        return _malformed(asked, f"malformed answer: {error}")
    except ValueError as error:
        return _malformed(asked, f"malformed answer: {error}")
    if reply.truncated:
        return _to_tcp(asked, plan, "truncated")
    if not answers(reply, question):
        return _malformed(asked, "the answer is not for the question asked")
    if reply.rcode == FORMERR and plan.edns:
        asked.edns_dropped = True
        return Plan(plan.transport, edns=False)
    asked.reply, asked.wire, asked.responder = reply, exchange.wire, exchange.responder
    return None


def _malformed(asked: Asked, detail: str) -> None:
    asked.failure, asked.detail = "malformed", detail
    return None


def _to_tcp(asked: Asked, plan: Plan, reason: str) -> Plan | None:
    if plan.transport == "tcp":
        return _malformed(asked, "truncated answer over TCP")
    log.debug("dns: %s UDP answer, asking again over TCP", reason)
    asked.fallback = reason
    return Plan("tcp", plan.edns)


def server_text(server: NameServer) -> str:
    address = f"[{server.address}]" if ":" in server.address else server.address
    return f"{address}:{server.port}"

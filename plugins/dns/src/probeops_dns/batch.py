"""Asking many questions of one server at once, as a sweep of names needs.

Every question is first sent over UDP to the first server, many in flight
on one socket. An answer that settles the question is kept; anything else
(silence, truncation, FORMERR to EDNS, an unreachable server) is asked again
the ordinary way, one question at a time, with the retries left.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from probeops.resolver import NameServer

from probeops_dns import transport
from probeops_dns.message import Question, build_query
from probeops_dns.query import Asked, Plan, accept, ask, server_text, silence

MAX_IN_FLIGHT_IDS = 65536


def ask_many(
    questions: list[Question],
    servers: list[NameServer],
    options: dict[str, Any],
    deadline: float,
) -> list[Asked]:
    """The outcome of each question, in order."""
    if options["transport"] != "udp" or len(questions) < 2:
        return [ask(question, servers, options, deadline) for question in questions]
    server = servers[0]
    first = secrets.randbits(16)
    wires = [
        build_query(question, options, options["edns"], (first + i) % MAX_IN_FLIGHT_IDS)
        for i, question in enumerate(questions)
    ]
    timeout = min(options["timeout"], max(deadline - time.monotonic(), 0.001))
    window = min(options["in_flight"], MAX_IN_FLIGHT_IDS // 2)
    exchanges = transport.exchange_many(wires, server, "udp", timeout, window)
    return [
        _settle(question, exchange, servers, options, deadline)
        for question, exchange in zip(questions, exchanges, strict=True)
    ]


def _settle(question, exchange, servers, options, deadline) -> Asked:
    """Keep a settling answer; ask again the ordinary way otherwise."""
    server = servers[0]
    asked = Asked(server, attempts=1, query_time_ms=round(exchange.elapsed_ms, 3))
    asked.servers_tried = [server_text(server)]
    if exchange.wire is not None:
        plan = accept(asked, exchange, question, Plan("udp", options["edns"]))
        if plan is None and asked.reply is not None:
            return asked
    if exchange.failure == "timeout":
        return _after_timeout(question, asked, exchange, servers, options, deadline)
    return ask(question, servers, options, deadline)


def _after_timeout(question, asked, exchange, servers, options, deadline) -> Asked:
    """Spend the retries left on the first server, then the other servers."""
    if options["retries"] > 0:
        fewer = {**options, "retries": options["retries"] - 1}
        again = ask(question, servers, fewer, deadline)
        again.attempts += 1
        return again
    if len(servers) > 1:
        return ask(question, servers[1:], options, deadline)
    waited = exchange.elapsed_ms / 1000
    asked.failure, asked.detail = "timeout", silence(options["timeout"], waited)
    return asked

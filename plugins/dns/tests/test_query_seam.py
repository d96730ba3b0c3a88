"""Retries and fallbacks, with the one network seam patched."""

from __future__ import annotations

import time

import dns.message
import dns.rdatatype
from probeops.resolver import NameServer
from probeops_dns import transport
from probeops_dns.message import Question
from probeops_dns.options import DnsOptions
from probeops_dns.query import ask
from probeops_dns.transport import Exchange

SERVER = NameServer("127.0.0.1", 53)


def _question() -> Question:
    return Question.of(dns.name.from_text("www.example.test."), dns.rdatatype.A, 1)


def _scripted(monkeypatch, replies):
    """Patch the seam to give ``replies`` in turn; return the sent queries."""
    sent = []

    def exchange(wire, server, transport_name, timeout):
        query = dns.message.from_wire(wire)
        sent.append((transport_name, timeout))
        reply = replies[len(sent) - 1]
        if reply is None:
            return Exchange(None, None, timeout * 1000, "timeout", "no answer")
        answer = dns.message.make_response(query)
        answer.answer.append(
            dns.rrset.from_text(query.question[0].name, 60, "IN", "A", reply)
        )
        return Exchange(answer.to_wire(), server.address, 1.5)

    monkeypatch.setattr(transport, "exchange", exchange)
    return sent


def test_a_udp_timeout_is_retried_and_counted(monkeypatch):
    sent = _scripted(monkeypatch, [None, "192.0.2.1"])
    options = DnsOptions().load({"retries": 2, "timeout": 0.5})

    asked = ask(_question(), [SERVER], options, time.monotonic() + 10)

    assert asked.attempts == 2
    assert asked.reply.answer[0]["rdata"] == "192.0.2.1"
    assert asked.query_time_ms == 1.5
    assert sent == [("udp", 0.5), ("udp", 0.5)]


def test_no_retry_is_made_past_the_deadline(monkeypatch):
    sent = _scripted(monkeypatch, [None, None, None])
    options = DnsOptions().load({"retries": 2, "timeout": 0.5})

    asked = ask(_question(), [SERVER], options, time.monotonic() - 1)

    assert len(sent) == 1
    assert asked.failure == "timeout"
    assert sent[0][1] <= 0.001


def test_tcp_is_never_retried_after_a_timeout(monkeypatch):
    sent = _scripted(monkeypatch, [None, None])
    options = DnsOptions().load({"retries": 3, "transport": "tcp"})

    asked = ask(_question(), [SERVER], options, time.monotonic() + 10)

    assert sent == [("tcp", 2.0)]
    assert asked.failure == "timeout"

"""Each kind of answer, and each kind of silence, is told apart."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode
import pytest
from dns_responder import Responder, answer_a
from probeops.result import FailureSource, Status


def test_an_answer_with_data_is_a_finished_result(lab, dns_run):
    result = dns_run("www.plain.lab", server=[lab.server("zones")])

    assert result.status is Status.FINISHED
    assert result.failure_source is None
    assert result.body["kind"] == "answer"
    assert result.body["responder"] == lab.addresses.zones


@pytest.mark.parametrize(
    ("role", "name", "rdtype", "kind", "source"),
    [
        ("zones", "nope.plain.lab", "A", "nxdomain", FailureSource.TARGET),
        ("zones", "plain.lab", "SRV", "nodata", FailureSource.TARGET),
        ("zones", "loop1.plain.lab", "A", "cname_loop", FailureSource.TARGET),
        ("recursive", "x.broken.plain.lab", "A", "servfail", FailureSource.RESOLVER),
        ("refusing", "www.plain.lab", "A", "refused", FailureSource.RESOLVER),
        ("dead", "www.plain.lab", "A", "network_error", FailureSource.RESOLVER),
    ],
)
def test_each_failure_kind_is_recognised_with_its_source(
    lab, dns_run, role, name, rdtype, kind, source
):
    result = dns_run(name, type=rdtype, server=[lab.server(role)])

    assert result.body["kind"] == kind
    assert result.status is Status.FAILED
    assert result.failure_source is source
    assert result.error


def test_a_cname_loop_is_reported_as_a_loop(lab, dns_run):
    result = dns_run("loop1.plain.lab", server=[lab.server("zones")])

    assert result.error == (
        "CNAME loop: loop1.plain.lab. -> loop2.plain.lab. -> loop1.plain.lab."
    )
    assert result.body["cname_chain"] == ["loop2.plain.lab.", "loop1.plain.lab."]


def test_a_cname_chain_is_followed_to_its_end(lab, dns_run):
    result = dns_run("alias.plain.lab", server=[lab.server("zones")])

    assert result.body["kind"] == "answer"
    assert result.body["cname_chain"] == [
        "alias2.plain.lab.",
        "alias3.plain.lab.",
        "www.plain.lab.",
    ]


def test_a_silent_server_times_out_after_every_retry(spare_address, dns_run):
    with Responder(spare_address, lambda query, transport: []) as silent:
        result = dns_run(
            "www.plain.lab", server=[silent.server], timeout=0.2, retries=2
        )

    assert result.status is Status.TIMEOUT
    assert result.failure_source is FailureSource.RESOLVER
    assert result.body["kind"] == "timeout"
    assert result.body["attempts"] == 3
    assert len(silent.queries) == 3
    assert "no answer from" in result.error


def test_a_truncated_udp_answer_is_asked_again_over_tcp(lab, dns_run):
    result = dns_run("big.plain.lab", type="TXT", server=[lab.server("zones")])

    assert result.body["transport"] == "tcp"
    assert result.body["fallback"] == "truncated"
    assert result.body["size"] > 3000


def test_tcp_is_used_from_the_start_when_asked(lab, dns_run):
    result = dns_run("www.plain.lab", transport="tcp", server=[lab.server("zones")])

    assert result.body["transport"] == "tcp"
    assert result.body["fallback"] is None
    assert result.body["kind"] == "answer"


def _cut_off(keep_tc: bool):
    def behaviour(query, transport):
        wire = answer_a(query, count=40).to_wire()
        if transport == "tcp":
            return [(wire, "self")]
        flags = int.from_bytes(wire[2:4], "big")
        flags = flags | dns.flags.TC if keep_tc else flags & ~dns.flags.TC
        return [(wire[:2] + flags.to_bytes(2, "big") + wire[4:120], "self")]

    return behaviour


@pytest.mark.parametrize(
    ("keep_tc", "reason"), [(True, "truncated"), (False, "cut_off")]
)
def test_a_udp_answer_cut_off_mid_record_is_retried_over_tcp(
    spare_address, dns_run, keep_tc, reason
):
    with Responder(spare_address, _cut_off(keep_tc)) as server:
        result = dns_run("many.example.test", server=[server.server])

    assert [transport for transport, _ in server.queries] == ["udp", "tcp"]
    assert result.body["fallback"] == reason
    assert result.body["transport"] == "tcp"
    assert len(result.body["answer"]) == 40


def _formerr_to_edns(query, transport):
    if query.edns >= 0:
        reply = dns.message.make_response(query, our_payload=0)
        reply.use_edns(False)
        reply.set_rcode(dns.rcode.FORMERR)
        return [(reply.to_wire(), "self")]
    return [(answer_a(query).to_wire(), "self")]


def test_formerr_to_edns_is_retried_without_edns_and_says_so(spare_address, dns_run):
    with Responder(spare_address, _formerr_to_edns) as server:
        result = dns_run("old.example.test", server=[server.server])

    assert [query.edns for _, query in server.queries] == [0, -1]
    assert result.body["edns_dropped"] is True
    assert result.body["kind"] == "answer"
    assert result.body["edns"] is None


def test_formerr_without_edns_is_a_formerr_result(spare_address, dns_run):
    def always_formerr(query, transport):
        reply = dns.message.make_response(query)
        reply.set_rcode(dns.rcode.FORMERR)
        return [(reply.to_wire(), "self")]

    with Responder(spare_address, always_formerr) as server:
        result = dns_run("x.example.test", server=[server.server], edns=False)

    assert result.body["kind"] == "formerr"
    assert result.failure_source is FailureSource.RESOLVER


def test_an_answer_from_another_address_is_not_accepted(spare_address, dns_run, lab):
    impostor = lab.addresses.root.rsplit(".", 1)[0] + ".99"

    def spoofed_then_real(query, transport):
        fake = answer_a(query, "192.0.2.66").to_wire()
        real = answer_a(query, "192.0.2.1").to_wire()
        return [(fake, impostor), (real, "self")]

    with Responder(spare_address, spoofed_then_real) as server:
        result = dns_run("www.example.test", server=[server.server])

    assert [r["rdata"] for r in result.body["answer"]] == ["192.0.2.1"]
    assert result.body["responder"] == spare_address


def test_only_an_answer_from_another_address_is_a_timeout(spare_address, dns_run, lab):
    impostor = lab.addresses.root.rsplit(".", 1)[0] + ".98"

    def spoofed(query, transport):
        return [(answer_a(query, "192.0.2.66").to_wire(), impostor)]

    with Responder(spare_address, spoofed) as server:
        result = dns_run("www.example.test", server=[server.server], timeout=0.3)

    assert result.status is Status.TIMEOUT
    assert result.body["answer"] == []


def test_an_answer_with_another_id_is_skipped(spare_address, dns_run):
    def wrong_id_first(query, transport):
        stray = answer_a(query, "192.0.2.66")
        stray.id = (query.id + 1) % 65536
        return [(stray.to_wire(), "self"), (answer_a(query).to_wire(), "self")]

    with Responder(spare_address, wrong_id_first) as server:
        result = dns_run("www.example.test", server=[server.server])

    assert [r["rdata"] for r in result.body["answer"]] == ["192.0.2.1"]


def test_the_next_server_is_asked_when_the_first_is_unreachable(lab, dns_run):
    servers = [lab.server("dead"), lab.server("zones")]

    result = dns_run("www.plain.lab", server=servers)

    assert result.body["kind"] == "answer"
    assert result.body["servers_tried"] == servers
    assert result.body["server"] == lab.addresses.zones


def test_an_answer_to_another_question_is_malformed(spare_address, dns_run):
    def other_question(query, transport):
        other = dns.message.make_query("elsewhere.test.", "A")
        other.id = query.id
        return [(answer_a(other).to_wire(), "self")]

    with Responder(spare_address, other_question) as server:
        result = dns_run("www.example.test", server=[server.server], retries=0)

    assert result.body["kind"] == "malformed"
    assert result.failure_source is FailureSource.RESOLVER
    assert "not for the question asked" in result.error


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_server_on_ipv6_loopback_is_asked_over_ipv6(dns_run, transport):
    with Responder("::1", lambda query, _: [(answer_a(query).to_wire(), "self")]) as v6:
        result = dns_run("www.example.test", server=[v6.server], transport=transport)

    assert result.body["kind"] == "answer"
    assert result.body["server"] == result.body["responder"] == "::1"
    assert result.body["transport"] == transport

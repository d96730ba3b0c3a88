"""Many names in one run fly at once and each still gets its own outcome."""

from __future__ import annotations

from dns_responder import Responder
from probeops.engine import measure


def test_each_name_of_a_sweep_gets_its_own_kind_in_order(lab, registry):
    names = ["www.plain.lab", "nope.plain.lab", "alias.plain.lab", "loop1.plain.lab"]

    results = measure(registry, "dns", names * 50, {"server": [lab.server("zones")]})

    kinds = [result.body["kind"] for result in results]
    assert kinds == ["answer", "nxdomain", "answer", "cname_loop"] * 50
    assert [r.target for r in results] == names * 50
    assert all(r.body["transport"] == "udp" for r in results)


def test_a_truncated_answer_in_a_sweep_is_asked_again_over_tcp(lab, registry):
    options = {"type": "TXT", "server": [lab.server("zones")]}

    big, small = measure(registry, "dns", ["big.plain.lab", "plain.lab"], options)

    assert (big.body["transport"], big.body["fallback"]) == ("tcp", "truncated")
    assert (small.body["transport"], small.body["fallback"]) == ("udp", None)
    assert big.body["kind"] == small.body["kind"] == "answer"


def test_a_silent_server_costs_a_sweep_its_retries_and_no_more(spare_address, registry):
    with Responder(spare_address, lambda query, transport: []) as silent:
        options = {"server": [silent.server], "timeout": 0.2, "retries": 1}
        results = measure(registry, "dns", ["a.test", "b.test", "c.test"], options)

    assert [r.body["kind"] for r in results] == ["timeout"] * 3
    assert [r.body["attempts"] for r in results] == [2, 2, 2]
    assert len(silent.queries) == 6


def test_a_sweep_moves_to_the_next_server_when_the_first_is_unreachable(lab, registry):
    servers = [lab.server("dead"), lab.server("zones")]

    results = measure(registry, "dns", ["www.plain.lab"] * 5, {"server": servers})

    assert {r.body["server"] for r in results} == {lab.addresses.zones}
    assert all(r.body["kind"] == "answer" for r in results)

"""MTR runs over lab chains and an ECMP diamond, compared with ``mtr -r``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from probeops import Status

pytestmark = pytest.mark.lab

PROBEOPS = Path(sys.executable).with_name("probeops")


@pytest.fixture(scope="module")
def chain(make_module_lab):
    return make_module_lab("chain", routers=4, targets=1)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_hops_equal_mtr_report_with_no_loss(chain, mtr, family, protocol):
    target = chain.addr("t1", family)
    result = mtr.run(chain, target, protocol=protocol)

    expected = [(address, 0.0) for address in chain.hop_addrs(family)]
    assert result.status is Status.FINISHED
    assert mtr.table(result) == expected
    assert mtr.reference(chain, target, protocol) == expected
    for hop in result.body["hops"]:
        assert (hop["sent"], hop["received"]) == (3, 3)
        assert hop["best_ms"] <= hop["avg_ms"] <= hop["worst_ms"]
        assert hop["jitter_ms"] is not None and hop["stdev_ms"] is not None
        assert hop["responder_changes"] == [] and not hop["rate_limited"]


@pytest.mark.parametrize("family", [4, 6])
def test_rate_limited_router_shows_loss_at_that_hop_only_and_is_noted(
    chain, mtr, family
):
    target = chain.addr("t1", family)
    chain.rate_limit("r2", per_second=1, burst=1)
    try:
        result = mtr.run(chain, target, cycles=10, interval=0.03)
        reference = mtr.reference(chain, target, "icmp", cycles=10)
    finally:
        chain.clear_faults("r2")

    hops = result.body["hops"]
    assert hops[1]["loss_percent"] >= 50
    assert hops[1]["rate_limited"] is True
    assert "rate limiting" in hops[1]["notes"][0]
    others = hops[:1] + hops[2:]
    assert [hop["loss_percent"] for hop in others] == [0.0] * 4
    assert not any(hop["rate_limited"] for hop in others)
    assert reference[1][1] >= 50
    assert [loss for _, loss in reference[:1] + reference[2:]] == [0.0] * 4


def test_silent_destination_fails_with_every_router_listed(chain, mtr):
    chain.exec("t1", ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"])
    try:
        result = mtr.run(chain, chain.addr("t1", 4), max_ttl=6, timeout=0.3)
    finally:
        chain.exec("t1", ["sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=0"])

    assert result.status is Status.FAILED
    assert result.body["destination_reached"] is False
    routers = [(address, 0.0) for address in chain.hop_addrs(4)[:4]]
    assert mtr.table(result) == [*routers, ("???", 100.0)]
    assert "did not answer in 3 cycles" in result.error


def test_unreachable_from_a_router_is_reported_with_its_flag(chain, mtr):
    target = chain.addr("t1", 6)
    chain.reject("r3", target, "admin-prohibited")
    try:
        result = mtr.run(chain, target, protocol="udp")
    finally:
        chain.clear_faults("r3")

    assert result.status is Status.FAILED
    assert result.body["hops"][-1]["distance"] == 4
    assert "!X" in result.error


def test_cli_prints_an_mtr_report_when_piped_and_json_on_request(chain):
    target = chain.addr("t1", 4)
    command = [str(PROBEOPS), "run", "mtr", target, "-c", "2", "-i", "0.05"]

    text = chain.exec("client", command, timeout=60)
    as_json = chain.exec("client", [*command, "--json"], timeout=60)

    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("Start: ")
    assert lines[1].startswith("HOST: ") and "Loss%   Snt   Last" in lines[1]
    assert [line.split()[1] for line in lines[2:]] == chain.hop_addrs(4)
    assert "\033[" not in text.stdout + text.stderr
    assert '"diagnostic": "mtr"' in as_json.stdout


@pytest.fixture(scope="module")
def diamond(make_module_lab):
    return make_module_lab("diamond")


@pytest.mark.parametrize("family", [4, 6])
def test_responder_change_between_cycles_is_recorded(diamond, mtr, family):
    target = diamond.addr("t1", family)
    result = mtr.run(
        diamond, target, protocol="udp", paris=False, cycles=16, interval=0.01
    )

    middle = result.body["hops"][1]
    seen = {entry["address"] for entry in middle["responders"]}
    assert seen == diamond.hop_choices(family)[1]
    assert sum(entry["replies"] for entry in middle["responders"]) == 16
    assert middle["responder_changes"]
    for change in middle["responder_changes"]:
        assert {change["from"], change["to"]} == seen


@pytest.mark.parametrize("family", [4, 6])
def test_paris_flow_keeps_one_responder_per_hop_across_cycles(diamond, mtr, family):
    result = mtr.run(diamond, diamond.addr("t1", family), protocol="tcp", cycles=8)

    for hop in result.body["hops"]:
        assert len(hop["responders"]) == 1
        assert hop["responder_changes"] == []


@pytest.mark.parametrize("family", [4, 6])
def test_probes_larger_than_the_mtu_go_fragmented_and_are_answered(chain, mtr, family):
    target = chain.addr("t1", family)

    result = mtr.run(chain, target, size=1600)

    assert result.status is Status.FINISHED
    assert result.body["packet_size"] == 1600
    assert mtr.table(result) == [(a, 0.0) for a in chain.hop_addrs(family)]


def test_mtr_0_95_loses_probes_larger_than_the_mtu(chain):
    """Where ``mtr -r -s 1600`` is wrong and traceroute agrees with us: over
    IPv4 mtr 0.95 stops with an mtr-packet error, over IPv6 it cannot match
    the routers' replies quoting a fragment header and shows them as ???."""
    command = ["mtr", "-r", "-n", "-c", "1", "-i", "0.05", "-s", "1600"]

    over_ipv4 = chain.exec("client", [*command, chain.addr("t1", 4)], timeout=60)
    over_ipv6 = chain.exec("client", [*command, chain.addr("t1", 6)], timeout=60)

    assert "mtr-packet error" in over_ipv4.stderr
    rows = [line.split()[1] for line in over_ipv6.stdout.splitlines()[2:]]
    assert rows == ["???"] * 4 + [chain.addr("t1", 6)]

"""Traces over a chain of four routers, compared with the reference tools."""

from __future__ import annotations

import pytest
from probeops import Status
from probeops.lab.reference import traceroute_hops

pytestmark = pytest.mark.lab

PROTOCOLS = ["icmp", "udp", "tcp"]
ECHO_IGNORE = {4: "net.ipv4.icmp_echo_ignore_all", 6: "net.ipv6.icmp.echo_ignore_all"}


@pytest.fixture(scope="module")
def chain(make_module_lab):
    return make_module_lab("chain", routers=4, targets=1)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_hop_list_equals_traceroute_mtr_and_scamper(chain, tracer, family, protocol):
    target = chain.addr("t1", family)
    result = tracer.trace(chain, target, protocol=protocol)

    expected = [{address} for address in chain.hop_addrs(family)]
    assert result.status is Status.FINISHED
    assert result.body["stop_reason"] == "destination_reached"
    assert tracer.responders(result) == expected
    for tool in ("traceroute", "mtr", "scamper"):
        assert tracer.reference(chain, tool, protocol, target) == expected, tool


@pytest.mark.parametrize("family", [4, 6])
def test_silent_router_keeps_its_star_row_and_the_trace_continues(
    chain, tracer, family
):
    chain.silence("r2")
    try:
        result = tracer.trace(chain, chain.addr("t1", family), protocol="icmp")
        reference = tracer.reference(
            chain, "traceroute", "icmp", chain.addr("t1", family)
        )
    finally:
        chain.clear_faults("r2")

    hops = result.body["hops"]
    assert result.body["stop_reason"] == "destination_reached"
    assert [hop["distance"] for hop in hops] == [1, 2, 3, 4, 5]
    assert hops[1]["responders"] == []
    assert all(probe["kind"] == "silent" for probe in hops[1]["probes"])
    assert tracer.responders(result) == reference


@pytest.mark.parametrize("family", [4, 6])
def test_gap_limit_stops_the_trace_at_a_silent_router(chain, tracer, family):
    chain.silence("r2")
    try:
        result = tracer.trace(
            chain, chain.addr("t1", family), protocol="udp", gap_limit=1, timeout=0.3
        )
    finally:
        chain.clear_faults("r2")

    assert result.status is Status.FAILED
    assert result.body["stop_reason"] == "gap_limit"
    assert tracer.responders(result) == [{chain.hop_addrs(family)[0]}, set()]
    assert "gap limit" in result.error


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize(
    ("code", "flag"), [("host-unreachable", "!H"), ("admin-prohibited", "!X")]
)
def test_unreachable_from_a_router_stops_with_reason_and_flag(
    chain, tracer, family, code, flag
):
    target = chain.addr("t1", family)
    chain.reject("r2", target, code)
    try:
        result = tracer.trace(chain, target, protocol="udp")
        output = chain.exec("client", ["traceroute", "-n", "-w", "1", target]).stdout
    finally:
        chain.clear_faults("r2")

    # r2 forwards the TTL-3 probe into the reject rule: hop 3 is r2 saying !H
    last = result.body["hops"][-1]
    assert result.body["stop_reason"] == "unreachable"
    assert last["distance"] == 3
    assert last["responders"] == [chain.hop_addrs(family)[1]]
    assert tracer.responders(result) == [
        hop.addresses for hop in traceroute_hops(output)
    ]
    assert {probe["flag"] for probe in last["probes"]} == {flag}
    assert flag in output.splitlines()[-1]
    assert flag in result.error


@pytest.mark.parametrize("family", [4, 6])
def test_max_ttl_reached_before_the_destination(chain, tracer, family):
    result = tracer.trace(chain, chain.addr("t1", family), protocol="icmp", max_ttl=3)

    assert result.status is Status.FAILED
    assert result.body["stop_reason"] == "max_ttl"
    assert tracer.responders(result) == [{a} for a in chain.hop_addrs(family)[:3]]
    assert "within 3 hops" in result.error


@pytest.mark.parametrize("family", [4, 6])
def test_silent_destination_ends_on_the_gap_limit(chain, tracer, family):
    ignore = ECHO_IGNORE[family]
    chain.exec("t1", ["sysctl", "-qw", f"{ignore}=1"])
    try:
        result = tracer.trace(
            chain, chain.addr("t1", family), protocol="icmp", gap_limit=2, timeout=0.3
        )
    finally:
        chain.exec("t1", ["sysctl", "-qw", f"{ignore}=0"])

    routers = [{a} for a in chain.hop_addrs(family)[:4]]
    assert result.body["stop_reason"] == "gap_limit"
    assert tracer.responders(result) == [*routers, set(), set()]


@pytest.mark.parametrize("family", [4, 6])
def test_first_ttl_skips_the_near_hops(chain, tracer, family):
    result = tracer.trace(chain, chain.addr("t1", family), protocol="tcp", first_ttl=4)

    assert [hop["distance"] for hop in result.body["hops"]] == [4, 5]
    assert tracer.responders(result) == [{a} for a in chain.hop_addrs(family)[3:]]
    assert result.body["hop_count"] == 5


def test_scamper_udp_paris_misses_ipv6_replies(chain, tracer):
    """Who is right: the routers do answer scamper's UDP-Paris probes over
    IPv6 (ProbeOps' Paris UDP and scamper's classic UDP hear them); scamper
    20211212 matches none of those replies and prints only stars."""
    target = chain.addr("t1", 6)
    command = ["scamper", "-c", "trace -P udp-paris -w 1 -q 1 -m 2", "-i", target]
    scamper = chain.exec("client", command, timeout=30).stdout

    ours = tracer.trace(chain, target, protocol="udp", max_ttl=2)
    classic = tracer.reference(chain, "scamper", "udp", target)

    assert tracer.responders(ours) == [{a} for a in chain.hop_addrs(6)[:2]]
    assert classic[:2] == tracer.responders(ours)
    assert [line.split()[1:] for line in scamper.splitlines()[1:]] == [["*"], ["*"]]


def test_deadline_ends_a_trace_that_is_still_probing(chain, tracer):
    ignore = ECHO_IGNORE[4]
    chain.exec("t1", ["sysctl", "-qw", f"{ignore}=1"])
    try:
        result = tracer.trace(
            chain, chain.addr("t1", 4), protocol="icmp", gap_limit=0, deadline=0.5
        )
    finally:
        chain.exec("t1", ["sysctl", "-qw", f"{ignore}=0"])

    assert result.status is Status.TIMEOUT
    assert result.body["stop_reason"] == "deadline"
    assert tracer.responders(result)[:4] == [{a} for a in chain.hop_addrs(4)[:4]]
    assert "deadline passed" in result.error


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp"])
def test_probes_larger_than_the_mtu_go_fragmented_like_traceroutes(
    chain, tracer, family, protocol
):
    """traceroute sends probes above the 1500-byte MTU fragmented; so do we."""
    target = chain.addr("t1", family)
    flag = {"icmp": "-I", "udp": "-U"}[protocol]
    command = ["traceroute", "-n", flag, "-w", "1", target, "9000"]
    reference = traceroute_hops(chain.exec("client", command, timeout=60).stdout)

    result = tracer.trace(chain, target, protocol=protocol, size=9000)

    expected = [{address} for address in chain.hop_addrs(family)]
    assert result.status is Status.FINISHED
    assert result.body["packet_size"] == 9000
    assert tracer.responders(result) == expected
    assert [hop.addresses for hop in reference] == expected
    kinds = {probe["kind"] for hop in result.body["hops"] for probe in hop["probes"]}
    assert "silent" not in kinds

"""Each fault knob, observed with the reference tools inside the client."""

import re

import pytest
from probeops.lab.fixtures import unavailable_reason
from probeops.lab.reference import fping_loss, traceroute_hops

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=str(unavailable_reason())
    ),
]

FAMILIES = [4, 6]


@pytest.fixture
def lab(make_module_lab):
    """client - r1 - r2 - r3 - t1, shared by the module, faults cleared after."""
    shared = make_module_lab("chain", routers=3)
    yield shared
    for node in shared.nodes:
        shared.clear_faults(node)


def trace(lab, family, *options):
    command = ["traceroute", "-n", "-w1", *options, lab.addr("t1", family)]
    return traceroute_hops(lab.exec("client", command, timeout=30).stdout)


def ping(lab, family, *options):
    command = ["ping", "-W1", *options, lab.addr("t1", family)]
    return lab.exec("client", command, timeout=30).stdout


def expired_probe_errors(lab, family):
    """Time-exceeded messages r2 returns for 20 quick pings with TTL 2."""
    summary = ping(lab, family, "-q", "-c20", "-i", "0.01", "-t", "2")
    found = re.search(r"\+(\d+) errors", summary)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("family", FAMILIES)
def test_silenced_router_shows_as_a_star_at_its_hop(lab, family):
    lab.silence("r2")

    hops = trace(lab, family, "-q1")

    expected = lab.hop_addrs(family)
    assert [hop.replies for hop in hops] == [
        (expected[0],),
        (None,),
        (expected[2],),
        (expected[3],),
    ]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    ("code", "mark"),
    [("host-unreachable", "!H"), ("net-unreachable", "!N"), ("admin-prohibited", "!X")],
)
def test_reject_ends_the_trace_at_that_router_with_its_mark(lab, family, code, mark):
    lab.reject("r1", lab.addr("t1", family), code)

    hops = trace(lab, family, "-q1")

    assert len(hops) == 2
    assert hops[1].replies == (lab.addr("r1", family),)
    assert hops[1].marks == (mark,)


@pytest.mark.parametrize(
    ("family", "code", "says"),
    [
        (4, "host-unreachable", "Destination Host Unreachable"),
        (4, "port-unreachable", "Destination Port Unreachable"),
        (6, "host-unreachable", "Destination unreachable: Address unreachable"),
        (6, "admin-prohibited", "Destination unreachable: Administratively prohibited"),
    ],
)
def test_rejected_ping_reports_the_unreachable_from_the_router(lab, family, code, says):
    lab.reject("r1", lab.addr("t1", family), code)

    output = ping(lab, family, "-c1")

    assert f"From {lab.addr('r1', family)} icmp_seq=1 {says}" in output


@pytest.mark.parametrize("family", FAMILIES)
def test_duplicated_replies_show_as_dup_in_ping(lab, family):
    lab.duplicate_replies("t1")

    output = ping(lab, family, "-c3", "-i", "0.2")

    assert output.count("(DUP!)") >= 2
    assert "3 received" in output


@pytest.mark.parametrize(
    ("family", "new_source"), [(4, "198.19.255.1"), (6, "fd00:ffff::1")]
)
def test_rewritten_reply_source_is_what_ping_sees(lab, family, new_source):
    lab.rewrite_reply_source("r1", lab.addr("t1", family), new_source=new_source)

    output = ping(lab, family, "-c2", "-i", "0.05")

    assert output.count(f"bytes from {new_source}: icmp_seq=") == 2


def test_loss_drops_roughly_the_asked_share_in_both_families(lab):
    addresses = [lab.addr("t1", 4), lab.addr("t1", 6)]
    lab.loss("t1", percent=30)

    fping = lab.exec("client", ["fping", "-c200", "-p10", "-q", *addresses], 30)

    losses = fping_loss(fping.stderr + fping.stdout)
    assert set(losses) == set(addresses)
    assert all(0.15 <= loss <= 0.45 for loss in losses.values()), losses


@pytest.mark.parametrize("family", FAMILIES)
def test_routers_answer_every_expired_probe_without_rate_limiting(lab, family):
    assert expired_probe_errors(lab, family) == 20


@pytest.mark.parametrize("family", FAMILIES)
def test_rate_limited_router_answers_only_a_few_expired_probes(lab, family):
    lab.rate_limit("r2", per_second=1, burst=1)

    assert 1 <= expired_probe_errors(lab, family) <= 3


def test_clear_faults_gives_back_the_plain_path(lab):
    lab.silence("r2")
    lab.reject("r1", lab.addr("t1", 4), "admin-prohibited")
    lab.clear_faults("r1")
    lab.clear_faults("r2")

    hops = trace(lab, 4, "-q1")

    assert [hop.replies for hop in hops] == [(a,) for a in lab.hop_addrs(4)]


def test_total_loss_drops_everything_but_neighbour_discovery(lab):
    lab.loss("t1", percent=100)

    fping = lab.exec("client", ["fping", "-c20", "-p10", "-q", lab.addr("t1", 4)], 30)

    assert set(fping_loss(fping.stderr + fping.stdout).values()) == {1.0}

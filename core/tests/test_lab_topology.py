"""The lab's shapes, rules and parsers, checked without building anything."""

import pytest
from probeops.lab import InvalidLab, Lab, build, faults
from probeops.lab.reference import fping_loss, traceroute_hops
from probeops.lab.topology import chain, diamond


def test_chain_links_client_routers_and_targets_in_a_line():
    shape = chain(routers=2, targets=2)

    pairs = [(link.near, link.far) for link in shape.links]

    assert shape.nodes == ("client", "r1", "r2", "t1", "t2")
    assert pairs == [("client", "r1"), ("r1", "r2"), ("r2", "t1"), ("r2", "t2")]


def test_each_link_gets_its_own_v4_24_and_v6_64():
    link = chain(routers=1).links[1]

    assert (link.addr("r1", 4), link.addr("t1", 4)) == ("198.18.2.1", "198.18.2.2")
    assert link.addr("t1", 6) == "fd00:0:0:2::2"
    assert link.subnet(6) == "fd00:0:0:2::/64"


def test_hop_addrs_are_each_router_address_facing_the_previous_hop():
    shape = chain(routers=3)

    assert shape.hop_addrs(4, "t1") == [
        "198.18.1.2",
        "198.18.2.2",
        "198.18.3.2",
        "198.18.4.2",
    ]


def test_routers_have_routes_to_every_link_they_are_not_on_and_no_default():
    routes = chain(routers=2).routes("r1", 4)

    assert [route.destination for route in routes] == ["198.18.3.0/24"]
    assert routes[0].gateways == (("198.18.2.2", "r2"),)


def test_diamond_splits_traffic_over_both_middle_routers_both_ways():
    shape = diamond()
    towards_target = {r.destination: r for r in shape.routes("r1", 6)}
    towards_client = {r.destination: r for r in shape.routes("r3", 4)}

    first = [peer for _, peer in towards_target["fd00:0:0:6::/64"].gateways]
    back = [peer for _, peer in towards_client["198.18.1.0/24"].gateways]

    assert first == ["r2a", "r2b"]
    assert back == ["r2a", "r2b"]


def test_diamond_hop_choices_offer_both_middle_routers_at_hop_two():
    choices = diamond().hop_choices(4, "t1")

    assert choices[1] == {"198.18.2.2", "198.18.3.2"}
    assert len(choices) == 4


def test_router_batch_brings_links_up_with_nodad_v6_and_ecmp_routes():
    batch = build.render_node("lab1", diamond(), "r1")

    assert "addr add fd00:0:0:2::1/64 dev lab1-r2a nodad" in batch
    assert (
        "route add 198.18.6.0/24 nexthop via 198.18.2.2 dev lab1-r2a "
        "nexthop via 198.18.3.2 dev lab1-r2b"
    ) in batch
    assert "default" not in batch


def test_interface_names_fit_in_fifteen_characters_for_the_longest_names():
    shape = chain(routers=30, targets=20)

    names = [
        build.interface_name("abcdefgh", link.peer(node))
        for node in shape.nodes
        for link in shape.links_of(node)
    ]

    assert max(len(name) for name in names) <= 15


def test_lab_namespaces_are_recognised_by_their_lab_name():
    assert build.lab_of_namespace("po-lab12ab-r2a") == "lab12ab"
    assert build.lab_of_namespace("other") is None


def test_ipv6_reject_codes_map_to_their_icmpv6_names():
    rules = faults.reject("fd00:0:0:3::2", "host-unreachable")

    assert rules[0] == (
        6,
        "forward",
        "ip6 daddr fd00:0:0:3::2 reject with icmpv6 type addr-unreachable",
    )


def test_loss_keeps_neighbour_discovery_so_only_the_asked_share_is_lost():
    ruleset = faults.ruleset(faults.loss(30))

    assert "numgen random mod 10000 < 3000 drop" in ruleset
    assert "icmpv6 type { nd-neighbor-solicit" in ruleset


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Lab.chain(routers=-1), "routers must be between 0 and 30, got -1"),
        (lambda: Lab.chain(targets=0), "targets must be between 1 and 20, got 0"),
        (lambda: Lab.chain(routers="2"), "routers must be a whole number, got '2'"),
        (lambda: Lab.of_kind("star"), "unknown lab kind 'star'; allowed: chain"),
        (lambda: Lab.chain(name="Bad-Name"), "lab name 'Bad-Name' is not allowed"),
        (lambda: Lab.chain().addr("t1", 5), "family must be 4 or 6, got 5"),
        (lambda: Lab.chain().netns("r9"), "no node 'r9' in this lab; nodes: client"),
        (lambda: faults.loss(150), "percent must be between 0 and 100, got 150"),
        (lambda: faults.rate_limit(0, 1), "per_second must be between 1 and"),
        (lambda: faults.reject("198.18.1.1", "busy"), "unknown reject code 'busy'"),
        (lambda: faults.reject("t1", "host-unreachable"), "'t1' is not an IPv4"),
    ],
)
def test_bad_lab_requests_name_the_value_and_what_is_allowed(make, message):
    with pytest.raises(InvalidLab) as raised:
        make()

    assert message in str(raised.value)


def test_rewriting_a_source_across_families_is_refused():
    with pytest.raises(InvalidLab, match="not of the same family"):
        faults.rewrite_reply_source("198.18.3.2", "fd00::1")


TRACEROUTE = """\
traceroute to 198.18.6.2 (198.18.6.2), 30 hops max, 60 byte packets
 1  198.18.1.2  0.044 ms  0.004 ms
 2  198.18.3.2  0.021 ms 198.18.2.2  0.008 ms
 3  *
 4  198.18.1.2  0.060 ms !H
"""


def test_traceroute_output_is_read_as_hops_with_replies_stars_and_marks():
    hops = traceroute_hops(TRACEROUTE)

    assert [hop.distance for hop in hops] == [1, 2, 3, 4]
    assert hops[0].replies == ("198.18.1.2", "198.18.1.2")
    assert hops[1].addresses == {"198.18.2.2", "198.18.3.2"}
    assert hops[2].replies == (None,)
    assert hops[3].marks == ("!H",)


def test_fping_summary_is_read_as_a_loss_share_per_target():
    output = (
        " 198.18.4.2    : xmt/rcv/%loss = 200/142/29%, min/avg/max = 0.04/0.06/0.1\n"
        "fd00:0:0:4::2 : xmt/rcv/%loss = 200/136/32%, min/avg/max = 0.05/0.07/0.1\n"
    )

    assert fping_loss(output) == pytest.approx(
        {"198.18.4.2": 0.29, "fd00:0:0:4::2": 0.32}
    )

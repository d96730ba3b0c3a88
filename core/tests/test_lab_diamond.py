"""The diamond lab: equal-cost paths chosen per flow by the five-tuple."""

import pytest
from probeops.lab.fixtures import unavailable_reason
from probeops.lab.reference import traceroute_hops

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=str(unavailable_reason())
    ),
]

FAMILIES = [4, 6]


@pytest.fixture(scope="module")
def lab(make_module_lab):
    return make_module_lab("diamond")


def second_hop(lab, family, *options):
    """Addresses seen at hop 2 by ten UDP probes of ``traceroute``."""
    command = ["traceroute", "-n", "-w1", "-f2", "-m2", "-q10", *options]
    output = lab.exec("client", [*command, lab.addr("t1", family)]).stdout
    return traceroute_hops(output)[0].addresses


@pytest.mark.parametrize("family", FAMILIES)
def test_probes_with_varying_ports_reach_both_middle_routers(lab, family):
    middle = lab.hop_choices(family)[1]

    seen = second_hop(lab, family)
    for _ in range(3):
        if seen == middle:
            break
        seen |= second_hop(lab, family)

    assert seen == middle == {lab.addr("r2a", family), lab.addr("r2b", family)}


@pytest.mark.parametrize("family", FAMILIES)
def test_one_fixed_flow_stays_on_one_middle_router(lab, family):
    middle = lab.hop_choices(family)[1]

    seen = second_hop(lab, family, "-U", "--sport=40000")

    assert len(seen) == 1
    assert seen <= middle


@pytest.mark.parametrize("family", FAMILIES)
def test_every_hop_of_a_trace_is_one_of_the_hop_choices(lab, family):
    command = ["traceroute", "-n", "-w1", "-q6", lab.addr("t1", family)]

    hops = traceroute_hops(lab.exec("client", command).stdout)

    choices = lab.hop_choices(family)
    assert len(hops) == len(choices)
    assert all(
        hop.addresses <= choice for hop, choice in zip(hops, choices, strict=True)
    )
    assert all(a in c for a, c in zip(lab.hop_addrs(family), choices, strict=True))

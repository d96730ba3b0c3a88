"""Paris and classic traces across an ECMP diamond hashed on the five-tuple."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab

ATTEMPTS = 32


@pytest.fixture(scope="module")
def diamond(make_module_lab):
    return make_module_lab("diamond")


def _branch(tracer, result) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(hop) for hop in tracer.responders(result))


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["udp", "tcp"])
def test_paris_trace_keeps_one_path_per_flow(diamond, tracer, family, protocol):
    target = diamond.addr("t1", family)
    choices = diamond.hop_choices(family)

    for _ in range(4):
        result = tracer.trace(diamond, target, protocol=protocol, queries=6)
        hops = tracer.responders(result)
        assert result.body["flow"]["paris"] is True
        assert all(len(hop) == 1 for hop in hops), hops
        assert all(hop <= choice for hop, choice in zip(hops, choices, strict=True))


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["udp", "tcp"])
def test_classic_trace_reveals_both_branches(diamond, tracer, family, protocol):
    target = diamond.addr("t1", family)
    middle = diamond.hop_choices(family)[1]
    assert len(middle) == 2

    seen: set[str] = set()
    for _ in range(3):
        result = tracer.trace(
            diamond, target, protocol=protocol, paris=False, queries=10
        )
        seen |= tracer.responders(result)[1]
        if seen == middle:
            break
    assert seen == middle
    assert result.body["flow"]["paris"] is False


@pytest.mark.parametrize("family", [4, 6])
def test_two_paris_flows_can_take_different_branches(diamond, tracer, family):
    target = diamond.addr("t1", family)
    runs = {}
    for _ in range(ATTEMPTS):
        result = tracer.trace(diamond, target, protocol="udp", queries=1)
        runs[_branch(tracer, result)] = result.body["flow"]
        if len(runs) == 2:
            break

    (first, first_flow), (second, second_flow) = runs.items()
    assert first[1] != second[1]
    assert first_flow["source_port"] != second_flow["source_port"]

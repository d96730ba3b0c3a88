"""Probes larger than the link MTU, cut into IP fragments as the kernel would."""

from __future__ import annotations

import struct

import pytest
from probeops.hopprobe.checksum import internet_checksum
from probeops.hopprobe.fragments import fragment
from probeops.hopprobe.probes import Flow, build_probe
from probeops.hopprobe.replies import quoted_keys

ADDRESSES = {4: ("198.18.1.1", "198.18.5.2"), 6: ("fd00:0:0:1::1", "fd00:0:0:5::2")}
MTU = 1500


def large_probe(family: int, protocol: str, size: int = 9000):
    source, destination = ADDRESSES[family]
    flow = Flow(family, protocol, source, destination, 40000, 33434, 0x1234, size)
    return build_probe(flow, 3, 7, 0x4242)


def ipv4_parts(fragments: list[bytes]) -> list[tuple[int, bool, bool, bytes]]:
    """Per fragment: offset in bytes, more-fragments, don't-fragment, data."""
    parts = []
    for piece in fragments:
        assert internet_checksum(piece[:20]) == 0
        assert struct.unpack("!H", piece[2:4])[0] == len(piece)
        flags = struct.unpack("!H", piece[6:8])[0]
        parts.append(
            (
                (flags & 0x1FFF) * 8,
                bool(flags & 0x2000),
                bool(flags & 0x4000),
                piece[20:],
            )
        )
    return parts


def ipv6_parts(
    fragments: list[bytes], identification: int
) -> list[tuple[int, bool, bytes]]:
    """Per fragment: offset in bytes, more-fragments, data."""
    parts = []
    for piece in fragments:
        assert piece[6] == 44
        assert struct.unpack("!H", piece[4:6])[0] == len(piece) - 40
        _, _, flags, ident = struct.unpack("!BBHI", piece[40:48])
        assert ident == identification
        parts.append((flags & 0xFFF8, bool(flags & 1), piece[48:]))
    return parts


@pytest.mark.parametrize("protocol", ["icmp", "udp"])
def test_large_ipv4_probe_is_cut_into_fragments_that_reassemble(protocol):
    probe = large_probe(4, protocol)

    fragments = fragment(probe.data, MTU, 99)

    parts = ipv4_parts(fragments)
    assert all(len(piece) <= MTU for piece in fragments)
    assert [part[1] for part in parts] == [True] * (len(parts) - 1) + [False]
    assert not any(part[2] for part in parts)
    assert all(part[0] % 8 == 0 for part in parts)
    assert b"".join(part[3] for part in parts) == probe.data[20:]
    assert all(piece[4:6] == probe.data[4:6] for piece in fragments)


@pytest.mark.parametrize("protocol", ["icmp", "udp"])
def test_large_ipv6_probe_is_cut_into_fragments_that_reassemble(protocol):
    probe = large_probe(6, protocol)

    fragments = fragment(probe.data, MTU, 0xDEADBEEF)

    parts = ipv6_parts(fragments, 0xDEADBEEF)
    assert all(len(piece) <= MTU for piece in fragments)
    assert [part[1] for part in parts] == [True] * (len(parts) - 1) + [False]
    assert [part[0] for part in parts] == [
        sum(len(p[2]) for p in parts[:i]) for i in range(len(parts))
    ]
    assert b"".join(part[2] for part in parts) == probe.data[40:]
    assert fragments[0][48] == probe.data[40]


@pytest.mark.parametrize("family", [4, 6])
def test_probe_that_fits_the_mtu_is_sent_whole(family):
    probe = large_probe(family, "udp", size=1500)

    assert fragment(probe.data, MTU, 1) == [probe.data]


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp"])
def test_router_quoting_the_first_fragment_names_the_probe(family, protocol):
    probe = large_probe(family, protocol)
    first = fragment(probe.data, MTU, 5)[0]

    keys, problems = quoted_keys(first[:128], family)

    assert keys[0] == probe.keys[0]
    assert problems == []


def test_ipv6_quote_of_a_later_fragment_names_no_probe():
    later = fragment(large_probe(6, "udp").data, MTU, 5)[1]

    keys, problems = quoted_keys(later[:128], 6)

    assert keys == ()
    assert "transport header" in problems[0]

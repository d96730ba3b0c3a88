"""Splitting a probe larger than the link MTU into IP fragments.

A raw socket that writes its own IP header gets ``EMSGSIZE`` for a datagram
larger than the link MTU: the kernel will not fragment it. ``traceroute``
sends such probes fragmented (``IP_PMTUDISC_DONT``), so we cut them
ourselves, the same way the kernel would: every fragment but the last
carries a multiple of 8 bytes, the first one holds the whole transport
header, and the don't-fragment bit stays clear so routers may cut further.
"""

from __future__ import annotations

import struct

from probeops.hopprobe.checksum import internet_checksum

FRAGMENT_HEADER = 44
"""The IPv6 next-header number of the fragment extension header."""

MORE_FRAGMENTS = {4: 0x2000, 6: 0x0001}
IPV6_HEADER_SIZE = 40
FRAGMENT_HEADER_SIZE = 8


def fragment(datagram: bytes, mtu: int, identification: int) -> list[bytes]:
    """Cut ``datagram`` into fragments of at most ``mtu`` bytes each.

    ``identification`` names the IPv6 fragments of one datagram; IPv4
    fragments keep the identification already in the header.
    """
    if len(datagram) <= mtu:
        return [datagram]
    if datagram[0] >> 4 == 4:
        return _ipv4_fragments(datagram, mtu)
    return _ipv6_fragments(datagram, mtu, identification)


def _pieces(payload: bytes, room: int) -> list[tuple[int, bytes, bool]]:
    """Offsets, data and the more-fragments bit of each fragment's part."""
    step = room // 8 * 8
    offsets = range(0, len(payload), step)
    return [
        (offset, payload[offset : offset + step], offset + step < len(payload))
        for offset in offsets
    ]


def _ipv4_fragments(datagram: bytes, mtu: int) -> list[bytes]:
    length = (datagram[0] & 0x0F) * 4
    header, payload = datagram[:length], datagram[length:]
    fragments = []
    for offset, data, more in _pieces(payload, mtu - length):
        flags = offset // 8 | (MORE_FRAGMENTS[4] if more else 0)
        piece = (
            header[:2]
            + struct.pack("!H", length + len(data))
            + header[4:6]
            + struct.pack("!H", flags)
            + header[8:10]
            + b"\0\0"
            + header[12:]
        )
        checksum = struct.pack("!H", internet_checksum(piece))
        fragments.append(piece[:10] + checksum + piece[12:] + data)
    return fragments


def _ipv6_fragments(datagram: bytes, mtu: int, identification: int) -> list[bytes]:
    header, payload = datagram[:IPV6_HEADER_SIZE], datagram[IPV6_HEADER_SIZE:]
    next_header = header[6]
    room = mtu - IPV6_HEADER_SIZE - FRAGMENT_HEADER_SIZE
    fragments = []
    for offset, data, more in _pieces(payload, room):
        size = FRAGMENT_HEADER_SIZE + len(data)
        fixed = header[:4] + struct.pack("!HB", size, FRAGMENT_HEADER) + header[7:]
        flags = offset | (MORE_FRAGMENTS[6] if more else 0)
        extension = struct.pack("!BBHI", next_header, 0, flags, identification)
        fragments.append(fixed + extension + data)
    return fragments


def unfragmented(quote: bytes) -> tuple[int, bytes] | None:
    """Read past an IPv6 fragment header at the start of ``quote``.

    ``quote`` is what follows a quoted IPv6 header whose next header is a
    fragment header. Return the protocol and the transport bytes of a first
    fragment; ``None`` for a later fragment, which holds no transport
    header to match.
    """
    if len(quote) < FRAGMENT_HEADER_SIZE:
        return None
    next_header, _, flags, _ = struct.unpack("!BBHI", quote[:FRAGMENT_HEADER_SIZE])
    if flags & 0xFFF8:
        return None
    return next_header, quote[FRAGMENT_HEADER_SIZE:]

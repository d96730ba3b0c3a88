"""The Internet checksum (RFC 1071), and steering it to a chosen value."""

from __future__ import annotations

import ipaddress
import struct


def ones_sum(data: bytes, start: int = 0) -> int:
    """Return the folded one's complement sum of ``data`` as 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = start + sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def internet_checksum(data: bytes, start: int = 0) -> int:
    """Return the checksum a header carries for ``data``."""
    return ~ones_sum(data, start) & 0xFFFF


def steering_word(partial_sum: int, wanted: int) -> int:
    """Return the 16-bit word that makes the checksum come out as ``wanted``.

    ``partial_sum`` is the one's complement sum of everything the checksum
    covers with the word itself and the checksum field set to zero.
    """
    missing = (~wanted & 0xFFFF) + (~partial_sum & 0xFFFF)
    while missing >> 16:
        missing = (missing & 0xFFFF) + (missing >> 16)
    return missing


def pseudo_header(source: str, destination: str, protocol: int, length: int) -> bytes:
    """Return the IPv4 or IPv6 pseudo-header transport checksums cover."""
    src = ipaddress.ip_address(source).packed
    dst = ipaddress.ip_address(destination).packed
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, protocol, length)
    return src + dst + struct.pack("!I3xB", length, protocol)

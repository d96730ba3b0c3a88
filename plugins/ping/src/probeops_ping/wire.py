"""ICMP echo on the wire: building requests and reading what comes back.

Pure functions only; :mod:`probeops_ping.exchange` owns the sockets. Replies
and errors are matched on the identifier, the sequence number and, when the
payload is long enough, an 8-byte token unique to the measurement.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

ECHO_REQUEST = {4: 8, 6: 128}
ECHO_REPLY = {4: 0, 6: 129}
ERROR_TYPES = {
    4: {
        3: "destination-unreachable",
        4: "source-quench",
        11: "time-exceeded",
        12: "parameter-problem",
    },
    6: {
        1: "destination-unreachable",
        2: "packet-too-big",
        3: "time-exceeded",
        4: "parameter-problem",
    },
}
TOKEN_LENGTH = 8
_HEADER = struct.Struct("!BBHHH")


class EchoReply(NamedTuple):
    """An echo reply: who sent it and what it echoed."""

    source: str
    ident: int
    seq: int
    token: bytes
    size: int
    """ICMP message length (header and payload), as ping prints it."""

    ttl: int | None


class IcmpError(NamedTuple):
    """An ICMP error that quotes one of our echo requests."""

    sender: str
    kind: str
    type: int
    code: int
    ident: int
    seq: int
    token: bytes
    destination: str
    """The destination of the quoted request."""


def echo_request_to_wire(
    family: int, ident: int, seq: int, payload: bytes, payload_sum: int | None = None
) -> bytes:
    """Build an echo request; ICMPv6 checksums are left to the kernel.

    ``payload_sum`` is :func:`ones_sum` of the payload, worth passing when
    one payload goes out many times.
    """
    icmp_type = ECHO_REQUEST[family]
    if family == 6:
        return _HEADER.pack(icmp_type, 0, 0, ident, seq) + payload
    if payload_sum is None:
        payload_sum = ones_sum(payload)
    checksum = _fold(payload_sum + (icmp_type << 8) + ident + seq)
    return _HEADER.pack(icmp_type, 0, checksum, ident, seq) + payload


def ones_sum(data: bytes) -> int:
    """The unfolded sum of ``data`` as big-endian 16-bit words (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    return sum(struct.unpack(f"!{len(data) // 2}H", data))


def internet_checksum(data: bytes) -> int:
    """RFC 1071 ones' complement checksum."""
    return _fold(ones_sum(data))


def _fold(total: int) -> int:
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_payload(size: int, token: bytes) -> bytes:
    """The token first, then a repeating byte pattern, ``size`` bytes long."""
    filler = bytes(range(TOKEN_LENGTH, 256)) * (size // 248 + 1)
    return (token + filler)[:size]


def packet_from_wire(
    family: int, data: bytes, source: str, ttl: int | None, has_ip_header: bool
) -> EchoReply | IcmpError | None:
    """Read one received ICMP packet; ``None`` when it is not ours to read."""
    if has_ip_header:
        header_length, ttl = _ipv4_header(data)
        if header_length is None:
            return None
        data = data[header_length:]
    if len(data) < _HEADER.size:
        return None
    icmp_type, code, _, ident, seq = _HEADER.unpack_from(data)
    if icmp_type == ECHO_REPLY[family]:
        token = data[8 : 8 + TOKEN_LENGTH]
        return EchoReply(source, ident, seq, token, len(data), ttl)
    kind = ERROR_TYPES[family].get(icmp_type)
    if kind is None:
        return None
    return _error_from_quote(family, data[8:], source, kind, icmp_type, code)


def _ipv4_header(data: bytes) -> tuple[int | None, int | None]:
    if len(data) < 20 or data[0] >> 4 != 4:
        return None, None
    length = (data[0] & 0x0F) * 4
    return (length, data[8]) if len(data) >= length else (None, None)


def _error_from_quote(
    family: int, quote: bytes, sender: str, kind: str, icmp_type: int, code: int
) -> IcmpError | None:
    """Find our echo request inside the quoted datagram of an ICMP error."""
    if family == 4:
        header_length, _ = _ipv4_header(quote)
        if header_length is None or quote[9] != socket.IPPROTO_ICMP:
            return None
        destination = socket.inet_ntop(socket.AF_INET, quote[16:20])
    else:
        header_length = 40
        if len(quote) < 40 or quote[6] != socket.IPPROTO_ICMPV6:
            return None
        destination = socket.inet_ntop(socket.AF_INET6, quote[24:40])
    inner = quote[header_length:]
    if len(inner) < _HEADER.size or inner[0] != ECHO_REQUEST[family]:
        return None
    _, _, _, ident, seq = _HEADER.unpack_from(inner)
    token = inner[8 : 8 + TOKEN_LENGTH]
    return IcmpError(sender, kind, icmp_type, code, ident, seq, token, destination)


UNREACHABLE_REASONS = {
    4: {
        0: "net-unreachable",
        1: "host-unreachable",
        2: "protocol-unreachable",
        3: "port-unreachable",
        4: "fragmentation-needed",
        5: "source-route-failed",
        9: "net-prohibited",
        10: "host-prohibited",
        13: "admin-prohibited",
    },
    6: {
        0: "no-route",
        1: "admin-prohibited",
        2: "beyond-scope",
        3: "address-unreachable",
        4: "port-unreachable",
        5: "source-policy-failed",
        6: "reject-route",
    },
}


def error_reason(family: int, error: IcmpError) -> str:
    """A short name for the error, e.g. ``host-unreachable``."""
    if error.kind == "destination-unreachable":
        reasons = UNREACHABLE_REASONS[family]
        return reasons.get(error.code, f"unreachable-code-{error.code}")
    return error.kind

"""Reading the replies probes provoke, as pure functions on bytes.

An ICMP error is matched to its probe through the probe headers it quotes;
an echo reply, a SYN-ACK or a reset through its own header fields. Nothing
here raises on malformed input: what cannot be read is listed in
:attr:`Answer.problems` and the rest is kept.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from probeops.hopprobe.checksum import internet_checksum
from probeops.hopprobe.fragments import FRAGMENT_HEADER, unfragmented
from probeops.hopprobe.probes import ProbeKey, fallback_key
from probeops.hops import MplsLabel, ProbeReply, ReplyKind, unreachable_flag

ORIGINAL_DATAGRAM_MINIMUM = 128
EXTENSION_VERSION = 2
MPLS_CLASS, MPLS_STACK_TYPE = 1, 1

_ICMP4_KINDS = {
    0: ReplyKind.ECHO_REPLY,
    3: ReplyKind.UNREACHABLE,
    11: ReplyKind.TIME_EXCEEDED,
    12: ReplyKind.PARAMETER_PROBLEM,
}
_ICMP6_KINDS = {
    129: ReplyKind.ECHO_REPLY,
    1: ReplyKind.UNREACHABLE,
    2: ReplyKind.PACKET_TOO_BIG,
    3: ReplyKind.TIME_EXCEEDED,
    4: ReplyKind.PARAMETER_PROBLEM,
}
_ECHO_REPLY = {4: 0, 6: 129}
_EXTENSIBLE = {4: {3, 11, 12}, 6: {1, 3}}
_LENGTH_UNIT = {4: 4, 6: 8}
_TCP_SYN_ACK, _TCP_RST = 0x12, 0x04


@dataclass(frozen=True)
class Answer:
    """A reply read off the wire, not yet tied to a probe."""

    kind: ReplyKind
    responder: str
    reply_ttl: int | None
    size: int
    keys: tuple[ProbeKey, ...]
    """Keys of the probe this reply answers, best first."""

    icmp_type: int | None = None
    icmp_code: int | None = None
    flag: str | None = None
    mpls: tuple[MplsLabel, ...] = ()
    problems: tuple[str, ...] = ()

    def to_reply(self, rtt_ms: float) -> ProbeReply:
        return ProbeReply(
            kind=self.kind,
            responder=self.responder,
            rtt_ms=round(rtt_ms, 3),
            reply_ttl=self.reply_ttl,
            reply_size=self.size,
            icmp_type=self.icmp_type,
            icmp_code=self.icmp_code,
            flag=self.flag,
            mpls=self.mpls,
            problems=self.problems,
        )


@dataclass(frozen=True)
class Arrival:
    """Where a reply came from, as the socket reported it."""

    family: int
    responder: str
    reply_ttl: int | None
    size: int


def parse_ipv4(packet: bytes) -> Answer | None:
    """Read an IPv4 datagram (header included) from a raw socket."""
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return None
    length = (packet[0] & 0x0F) * 4
    if length < 20 or len(packet) < length:
        return None
    arrival = Arrival(4, _address(packet[12:16]), packet[8], len(packet))
    if packet[9] == 1:
        return parse_icmp(packet[length:], arrival)
    if packet[9] == 6:
        return parse_tcp(packet[length:], arrival)
    return None


def parse_icmp(message: bytes, arrival: Arrival) -> Answer | None:
    """Read an ICMP or ICMPv6 message; ``None`` when it answers no probe."""
    if len(message) < 8:
        return None
    kind_table = _ICMP4_KINDS if arrival.family == 4 else _ICMP6_KINDS
    icmp_type = message[0]
    kind = kind_table.get(icmp_type)
    if kind is None:
        return None
    if icmp_type == _ECHO_REPLY[arrival.family]:
        identifier, sequence = struct.unpack("!HH", message[4:8])
        key = ("icmp", arrival.responder, identifier, sequence)
        return _answer(arrival, kind, message, (key,))
    return _error_answer(message, arrival, kind)


def parse_tcp(segment: bytes, arrival: Arrival) -> Answer | None:
    """Read a TCP segment; only a SYN-ACK or a reset answers a probe."""
    if len(segment) < 14:
        return None
    source_port, destination_port, _, ack = struct.unpack("!HHII", segment[:12])
    flags = segment[13]
    if flags & _TCP_RST:
        kind = ReplyKind.TCP_RESET
    elif flags & _TCP_SYN_ACK == _TCP_SYN_ACK:
        kind = ReplyKind.TCP_SYN_ACK
    else:
        return None
    sequence = (ack - 1) & 0xFFFFFFFF
    key = ("tcp", arrival.responder, destination_port, source_port, sequence)
    return Answer(kind, arrival.responder, arrival.reply_ttl, arrival.size, (key,))


def _answer(
    arrival: Arrival,
    kind: ReplyKind,
    message: bytes,
    keys: tuple[ProbeKey, ...],
    **details,
) -> Answer:
    return Answer(
        kind=kind,
        responder=arrival.responder,
        reply_ttl=arrival.reply_ttl,
        size=arrival.size,
        keys=keys,
        icmp_type=message[0],
        icmp_code=message[1],
        **details,
    )


def _error_answer(message: bytes, arrival: Arrival, kind: ReplyKind) -> Answer:
    family = arrival.family
    quote, extensions, problems = split_quote(message, family)
    keys, quote_problems = quoted_keys(quote, family)
    labels, extension_problems = read_extensions(extensions)
    mtu = _mtu(message, family, kind)
    flag = None
    if kind is ReplyKind.UNREACHABLE:
        flag = unreachable_flag(family, message[1], mtu)
    elif kind is ReplyKind.PACKET_TOO_BIG:
        flag = f"!F-{mtu}"
    every_problem = (*problems, *quote_problems, *extension_problems)
    return _answer(
        arrival, kind, message, keys, flag=flag, mpls=labels, problems=every_problem
    )


def _mtu(message: bytes, family: int, kind: ReplyKind) -> int | None:
    if family == 4 and kind is ReplyKind.UNREACHABLE and message[1] == 4:
        return struct.unpack("!H", message[6:8])[0]
    if family == 6 and kind is ReplyKind.PACKET_TOO_BIG:
        return struct.unpack("!I", message[4:8])[0]
    return None


def split_quote(message: bytes, family: int) -> tuple[bytes, bytes, list[str]]:
    """Split an ICMP error's body into the quoted datagram and extensions.

    RFC 4884 gives the quote's length in the header; routers that predate it
    put extensions right after a 128-byte quote and leave the length zero.
    """
    body = message[8:]
    if message[0] not in _EXTENSIBLE[family]:
        return body, b"", []
    length = message[5] if family == 4 else message[4]
    if length:
        size = length * _LENGTH_UNIT[family]
        if size < ORIGINAL_DATAGRAM_MINIMUM or size > len(body):
            return body, b"", [f"length field of {size} bytes does not fit the body"]
        return body[:size], body[size:], []
    if _looks_like_extension(body[ORIGINAL_DATAGRAM_MINIMUM:]):
        return body[:ORIGINAL_DATAGRAM_MINIMUM], body[ORIGINAL_DATAGRAM_MINIMUM:], []
    return body, b"", []


def _looks_like_extension(data: bytes) -> bool:
    if len(data) < 8 or data[0] >> 4 != EXTENSION_VERSION:
        return False
    return internet_checksum(data) == 0


def quoted_keys(quote: bytes, family: int) -> tuple[tuple[ProbeKey, ...], list[str]]:
    """Return the keys of the probe an ICMP error quotes."""
    header_size = 20 if family == 4 else 40
    if len(quote) < header_size:
        return (), [f"quote of {len(quote)} bytes is shorter than the IP header"]
    if family == 4:
        header_size = (quote[0] & 0x0F) * 4
        protocol, ip_id = quote[9], struct.unpack("!H", quote[4:6])[0]
        destination = _address(quote[16:20])
    else:
        protocol, destination = quote[6], _address(quote[24:40])
    transport = quote[header_size:]
    if family == 6 and protocol == FRAGMENT_HEADER:
        protocol, transport = unfragmented(transport) or (protocol, b"")
    key = _transport_key(protocol, destination, transport)
    if key is not None:
        return (key,), []
    problem = f"quote holds {len(transport)} bytes of the probe's transport header"
    if family == 4:
        return (fallback_key(destination, protocol, ip_id),), [problem]
    return (), [problem]


def _transport_key(protocol: int, destination: str, data: bytes) -> ProbeKey | None:
    if len(data) < 8:
        return None
    first, second, third, fourth = struct.unpack("!HHHH", data[:8])
    if protocol in (1, 58):
        return ("icmp", destination, third, fourth)
    if protocol == 17:
        return ("udp", destination, first, second, fourth)
    if protocol == 6:
        return ("tcp", destination, first, second, third << 16 | fourth)
    return None


def read_extensions(data: bytes) -> tuple[tuple[MplsLabel, ...], list[str]]:
    """Read an RFC 4884 extension structure; keep MPLS label stacks."""
    if not data:
        return (), []
    if len(data) < 4 or data[0] >> 4 != EXTENSION_VERSION:
        return (), ["extension header is missing or not version 2"]
    problems = []
    if data[2:4] != b"\0\0" and internet_checksum(data) != 0:
        problems.append("extension checksum does not match")
    labels, object_problems = _extension_objects(data[4:])
    return labels, problems + object_problems


def _extension_objects(data: bytes) -> tuple[tuple[MplsLabel, ...], list[str]]:
    labels: list[MplsLabel] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 4:
            return tuple(labels), [f"{len(data) - offset} stray bytes after objects"]
        length, class_number, class_type = struct.unpack(
            "!HBB", data[offset : offset + 4]
        )
        if length < 4 or offset + length > len(data):
            return tuple(labels), [f"extension object length {length} is invalid"]
        if (class_number, class_type) == (MPLS_CLASS, MPLS_STACK_TYPE):
            labels.extend(_label_stack(data[offset + 4 : offset + length]))
        offset += length
    return tuple(labels), []


def _label_stack(data: bytes) -> list[MplsLabel]:
    count = len(data) // 4
    entries = struct.unpack(f"!{count}I", data[: count * 4])
    return [MplsLabel.from_wire(entry) for entry in entries]


def _address(packed: bytes) -> str:
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, packed)

"""Probe packets: a flow, and the TTL-limited packets sent along it.

A :class:`Flow` fixes what a load balancer hashes on. In Paris mode every
probe of a flow carries the same flow identifier and probes differ only in
fields that routers do not hash: the UDP checksum (steered through two
payload bytes), the ICMP sequence number (with the ICMP checksum held
constant), the TCP sequence number, and the IPv4 identification. In classic
mode the flow varies from probe to probe as traditional traceroute's does:
the UDP destination port, the ICMP checksum, the TCP source port.
"""

from __future__ import annotations

import functools
import ipaddress
import random
import struct
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from probeops.hopprobe.checksum import (
    internet_checksum,
    ones_sum,
    pseudo_header,
    steering_word,
)

PROTOCOLS = ("icmp", "udp", "tcp")
IP_PROTOCOL = {("icmp", 4): 1, ("icmp", 6): 58, ("udp", 4): 17, ("udp", 6): 17}
IP_PROTOCOL |= {("tcp", 4): 6, ("tcp", 6): 6}
HEADER_SIZE = {4: 20, 6: 40}
TRANSPORT_HEADER_SIZE = {"icmp": 8, "udp": 8, "tcp": 20}
STEERING_BYTES = 2
DEFAULT_SIZE = {4: 60, 6: 80}
ECHO_REQUEST = {4: 8, 6: 128}
TCP_SYN = 0x02

ProbeKey = tuple[Any, ...]


@dataclass(frozen=True)
class Flow:
    """Where probes go and the header fields that name their flow."""

    family: int
    protocol: str
    source: str
    destination: str
    source_port: int
    """UDP/TCP source port; the echo identifier for ICMP."""

    destination_port: int
    tag: int
    """Per-flow random 16-bit value: the constant ICMP checksum in Paris
    mode, and the base of the UDP checksums and TCP sequence numbers."""

    size: int
    """Bytes of each probe including the IP header (TCP probes carry no
    payload, so they are always a bare SYN)."""

    paris: bool = True

    @cached_property
    def packed_source(self) -> bytes:
        return ipaddress.ip_address(self.source).packed

    @cached_property
    def packed_destination(self) -> bytes:
        return ipaddress.ip_address(self.destination).packed

    def pseudo_sum(self, protocol: int, length: int) -> int:
        """The one's complement sum of the pseudo-header, cached per flow."""
        return _pseudo_sum(self.source, self.destination, protocol, length)

    def identifier(self) -> dict[str, Any]:
        """Describe the flow identifier for a result."""
        described: dict[str, Any] = {"protocol": self.protocol, "paris": self.paris}
        if self.protocol == "icmp":
            described["icmp_id"] = self.source_port
            described["icmp_checksum"] = self.tag if self.paris else "varies"
        elif self.protocol == "udp":
            described["source_port"] = self.source_port
            described["destination_port"] = (
                self.destination_port if self.paris else "varies"
            )
        else:
            described["source_port"] = self.source_port if self.paris else "varies"
            described["destination_port"] = self.destination_port
        return described


@dataclass(frozen=True)
class ProbePacket:
    """A probe ready for the wire, and the keys its replies will match."""

    data: bytes
    """The whole IP datagram, header included."""

    ttl: int
    keys: tuple[ProbeKey, ...]


def build_probe(flow: Flow, ttl: int, number: int, ip_id: int) -> ProbePacket:
    """Build probe ``number`` of ``flow`` leaving with ``ttl``."""
    transport, key = _TRANSPORT_BUILDERS[flow.protocol](flow, number)
    protocol = IP_PROTOCOL[flow.protocol, flow.family]
    header = _ip_header(flow, protocol, ttl, ip_id, len(transport))
    keys = [key]
    if flow.family == 4:
        keys.append(fallback_key(flow.destination, protocol, ip_id))
    return ProbePacket(header + transport, ttl, tuple(keys))


def fallback_key(destination: str, protocol: int, ip_id: int) -> ProbeKey:
    """Key an IPv4 probe by its IP identification alone.

    Used only when a reply quotes too little of the transport header.
    """
    return ("ip", destination, protocol, ip_id)


def _payload_size(flow: Flow) -> int:
    overhead = HEADER_SIZE[flow.family] + TRANSPORT_HEADER_SIZE[flow.protocol]
    return max(STEERING_BYTES, flow.size - overhead)


def _filler(length: int) -> bytes:
    return bytes(length)


def _steer(covered_sum: int, wanted: int, payload_size: int) -> bytes:
    word = steering_word(covered_sum, wanted)
    return struct.pack("!H", word) + _filler(payload_size - STEERING_BYTES)


def _icmp_echo(flow: Flow, number: int) -> tuple[bytes, ProbeKey]:
    sequence = number & 0xFFFF
    kind = ECHO_REQUEST[flow.family]
    header = struct.pack("!BBHHH", kind, 0, 0, flow.source_port, sequence)
    size = _payload_size(flow)
    start = flow.pseudo_sum(58, 8 + size) if flow.family == 6 else 0
    if flow.paris:
        payload = _steer(ones_sum(header, start), flow.tag, size)
    else:
        payload = _filler(size)
    checksum = internet_checksum(header + payload, start)
    message = header[:2] + struct.pack("!H", checksum) + header[4:] + payload
    return message, ("icmp", flow.destination, flow.source_port, sequence)


def _udp(flow: Flow, number: int) -> tuple[bytes, ProbeKey]:
    size = _payload_size(flow)
    port = flow.destination_port
    if not flow.paris:
        port = (flow.destination_port + number) & 0xFFFF
    header = struct.pack("!HHHH", flow.source_port, port, 8 + size, 0)
    start = flow.pseudo_sum(17, 8 + size)
    if flow.paris:
        wanted = (flow.tag + number) % 0xFFFF + 1
        payload = _steer(ones_sum(header, start), wanted, size)
    else:
        payload = _filler(size)
    checksum = internet_checksum(header + payload, start) or 0xFFFF
    datagram = header[:6] + struct.pack("!H", checksum) + payload
    return datagram, ("udp", flow.destination, flow.source_port, port, checksum)


def _tcp_syn(flow: Flow, number: int) -> tuple[bytes, ProbeKey]:
    port = flow.source_port
    if not flow.paris:
        port = 1024 + (flow.source_port + number) % 64512
    sequence = ((flow.tag << 16) + number) & 0xFFFFFFFF
    fields = (port, flow.destination_port, sequence, 0, 5 << 4, TCP_SYN, 64240)
    header = struct.pack("!HHIIBBHHH", *fields, 0, 0)
    checksum = internet_checksum(header, flow.pseudo_sum(6, len(header)))
    segment = header[:16] + struct.pack("!H", checksum) + header[18:]
    return segment, ("tcp", flow.destination, port, flow.destination_port, sequence)


_TRANSPORT_BUILDERS = {"icmp": _icmp_echo, "udp": _udp, "tcp": _tcp_syn}


@functools.lru_cache(maxsize=4096)
def _pseudo_sum(source: str, destination: str, protocol: int, length: int) -> int:
    return ones_sum(pseudo_header(source, destination, protocol, length))


def _ip_header(flow: Flow, protocol: int, ttl: int, ip_id: int, length: int) -> bytes:
    source, destination = flow.packed_source, flow.packed_destination
    if flow.family == 6:
        return struct.pack("!IHBB", 6 << 28, length, protocol, ttl) + (
            source + destination
        )
    header = struct.pack(
        "!BBHHHBBH", 0x45, 0, 20 + length, ip_id & 0xFFFF, 0, ttl, protocol, 0
    )
    header += source + destination
    return header[:10] + struct.pack("!H", internet_checksum(header)) + header[12:]


def make_flow(
    destination: str,
    source: str,
    protocol: str,
    port: int,
    size: int | None = None,
    paris: bool = True,
) -> Flow:
    """Return a flow with fresh random identifiers.

    Identifiers come from the system's random source, never from the process
    id, so concurrent traces do not claim each other's replies.
    """
    chance = random.SystemRandom()
    family = 6 if ":" in destination else 4
    return Flow(
        family=family,
        protocol=protocol,
        source=source,
        destination=destination,
        source_port=chance.randrange(33000, 61000),
        destination_port=port,
        tag=chance.randrange(1, 0xFFFF),
        size=size or DEFAULT_SIZE[family],
        paris=paris,
    )

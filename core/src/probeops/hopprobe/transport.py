"""The one place path probes touch the network: raw sockets.

Probes leave through an ``IPPROTO_RAW`` socket per family with the whole IP
header written by us, so TTL and identification are set per packet without
a system call each. Replies arrive on a raw ICMP socket per family, plus a
raw TCP socket when SYN-ACKs and resets are awaited.
"""

from __future__ import annotations

import errno
import logging
import random
import select
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

from probeops.hopprobe.fragments import fragment
from probeops.hopprobe.probes import Flow, make_flow
from probeops.hopprobe.replies import Answer, Arrival, parse_icmp, parse_ipv4, parse_tcp

log = logging.getLogger(__name__)

ICMP6_FILTER = 1
_ICMP6_PASSED = (1, 2, 3, 4, 129)
RECEIVE_BUFFER = 4 * 1024 * 1024
SO_TIMESTAMPNS = 35
IP_MTU, IPV6_MTU = 14, 24
LARGEST_READ_DELAY_NS = 1_000_000_000
_FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}


@dataclass
class _Listener:
    sock: socket.socket
    family: int
    protocol: str


class RawTransport:
    """Raw sockets for sending probes and hearing replies, opened lazily."""

    def __init__(self) -> None:
        self._senders: dict[int, socket.socket] = {}
        self._listeners: dict[tuple[int, str], _Listener] = {}
        self._mtus: dict[str, int] = {}
        self._fragment_ids = random.SystemRandom()

    def open(self, family: int, protocol: str) -> None:
        """Open what probes of ``protocol`` over IPv``family`` need."""
        if family not in self._senders:
            sender = socket.socket(
                _FAMILIES[family], socket.SOCK_RAW, socket.IPPROTO_RAW
            )
            self._senders[family] = sender
        self._listen(family, "icmp")
        if protocol == "tcp":
            self._listen(family, "tcp")

    def send(self, family: int, destination: str, data: bytes) -> float:
        """Send one datagram; return its send time.

        Raises ``OSError`` when the kernel refuses it.
        """
        sent_at = time.monotonic()
        self._send_fitting(family, destination, data)
        return sent_at

    def _send_fitting(self, family: int, destination: str, data: bytes) -> None:
        """Send ``data`` whole, or in fragments once it proved too large.

        The kernel refuses a datagram larger than the link MTU on a socket
        that writes its own IP header; traceroute's large probes go out
        fragmented, so ours do too.
        """
        sender = self._senders[family]
        mtu = self._mtus.get(destination)
        if mtu is None or len(data) <= mtu:
            try:
                sender.sendto(data, (destination, 0))
                return
            except OSError as error:
                if error.errno != errno.EMSGSIZE:
                    raise
            mtu = self._mtus[destination] = route_mtu(family, destination)
        for piece in fragment(data, mtu, self._fragment_ids.getrandbits(32)):
            sender.sendto(piece, (destination, 0))

    def receive(self, timeout: float) -> list[tuple[float, Answer]]:
        """Wait up to ``timeout`` seconds; return every reply that arrived."""
        sockets = [listener.sock for listener in self._listeners.values()]
        if not sockets:
            time.sleep(max(0.0, timeout))
            return []
        ready, _, _ = select.select(sockets, [], [], max(0.0, timeout))
        heard = []
        for listener in self._listeners.values():
            if listener.sock in ready:
                heard.extend(_drain(listener))
        return heard

    def close(self) -> None:
        for sock in [*self._senders.values()]:
            sock.close()
        for listener in self._listeners.values():
            listener.sock.close()
        self._senders.clear()
        self._listeners.clear()

    def __enter__(self) -> RawTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _listen(self, family: int, protocol: str) -> None:
        if (family, protocol) in self._listeners:
            return
        number = {"icmp": socket.IPPROTO_ICMP, "tcp": socket.IPPROTO_TCP}[protocol]
        if family == 6 and protocol == "icmp":
            number = socket.IPPROTO_ICMPV6
        sock = socket.socket(_FAMILIES[family], socket.SOCK_RAW, number)
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        if family == 6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        if (family, protocol) == (6, "icmp"):
            sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, _icmp6_filter())
        self._listeners[family, protocol] = _Listener(sock, family, protocol)


def source_address(family: int, destination: str) -> str:
    """Return the local address the kernel would send from; no packet leaves."""
    with socket.socket(_FAMILIES[family], socket.SOCK_DGRAM) as sock:
        sock.connect((destination, 9))
        return sock.getsockname()[0]


def route_mtu(family: int, destination: str) -> int:
    """Return the MTU of the route to ``destination``; no packet leaves."""
    level, option = (socket.IPPROTO_IP, IP_MTU)
    if family == 6:
        level, option = (socket.IPPROTO_IPV6, IPV6_MTU)
    with socket.socket(_FAMILIES[family], socket.SOCK_DGRAM) as sock:
        sock.connect((destination, 9))
        return sock.getsockopt(level, option)


def _icmp6_filter() -> bytes:
    """An ICMP6_FILTER letting through only errors and echo replies."""
    blocked = bytearray(b"\xff" * 32)
    for icmp_type in _ICMP6_PASSED:
        blocked[icmp_type >> 3] &= ~(1 << (icmp_type & 7)) & 0xFF
    return bytes(blocked)


def _drain(listener: _Listener) -> Iterator[tuple[float, Answer]]:
    while True:
        try:
            data, ancillary, _, address = listener.sock.recvmsg(65535, 64)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                log.warning("reading replies failed: %s", error.strerror)
            return
        arrived_at = _arrival_time(ancillary)
        answer = _parse(listener, data, ancillary, address)
        if answer is not None:
            yield arrived_at, answer


def _parse(listener: _Listener, data: bytes, ancillary, address) -> Answer | None:
    if listener.family == 4:
        return parse_ipv4(data)
    arrival = Arrival(
        6, address[0].split("%")[0], _hop_limit(ancillary), len(data) + 40
    )
    if listener.protocol == "icmp":
        return parse_icmp(data, arrival)
    return parse_tcp(data, arrival)


def _arrival_time(ancillary) -> float:
    """The monotonic moment the kernel took the packet in.

    The kernel stamps packets with the wall clock; only the short delay
    between that stamp and now is taken from it, so RTTs stay monotonic and
    a burst of replies read together keeps each reply's own arrival time.
    """
    now, wall_ns = time.monotonic(), time.time_ns()
    for level, kind, value in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack("@qq", value[:16])
            delay_ns = wall_ns - (seconds * 1_000_000_000 + nanoseconds)
            if 0 <= delay_ns < LARGEST_READ_DELAY_NS:
                return now - delay_ns / 1e9
    return now


def _hop_limit(ancillary) -> int | None:
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT:
            return int.from_bytes(value[:4], "little")
    return None


def flow_towards(
    destination: str, protocol: str, port: int, size: int | None, paris: bool
) -> Flow:
    """Return a fresh flow to ``destination`` from the address routing picks.

    Raises ``OSError`` when there is no route to ``destination``.
    """
    family = 6 if ":" in destination else 4
    source = source_address(family, destination)
    return make_flow(destination, source, protocol, port, size, paris)

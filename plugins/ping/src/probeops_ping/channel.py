"""ICMP sockets for one family, opened through icmplib and tuned for sweeps.

Raw sockets are used when the process may open them; otherwise ICMP datagram
("ping") sockets, which Linux allows to the groups in
``net.ipv4.ping_group_range``. Everything that touches a socket lives here and
in :mod:`probeops_ping.exchange`.
"""

from __future__ import annotations

import errno
import logging
import socket
import struct
from collections.abc import Iterator

from probeops.errors import CannotMeasure

log = logging.getLogger(__name__)

RECEIVE_BUFFER = 64 * 1024 * 1024
SEND_BUFFER = 4 * 1024 * 1024
MAX_DATAGRAM = 65536 + 60
ICMP6_FILTER = 1
_SOL_RAW, _ICMP_FILTER = 255, 1
_PASSED_ICMP4_TYPES = (0, 3, 4, 11, 12)
_PASSED_ICMP6_TYPES = (1, 2, 3, 4, 129)
_SOCK_EXTENDED_ERR = struct.Struct("=IBBBBII")
_IPV4_RECVERR, _IPV6_RECVERR = 11, 25
_SO_SNDBUFFORCE, _SO_RCVBUFFORCE = 32, 33  # Linux values missing from Python 3.11
_IP_RECVTTL = 12
_ORIGIN_ICMP, _ORIGIN_ICMP6 = 2, 3


class Channel:
    """One ICMP socket of one family, raw or datagram."""

    def __init__(self, family: int, ttl: int, payload_size: int) -> None:
        self.family = family
        # Room for our largest reply or any ICMP error's quote; a buffer sized
        # for the 64 KiB maximum costs an allocation per packet in a sweep.
        self.bufsize = min(MAX_DATAGRAM, max(1500, payload_size + 128))
        self.sock, self.privileged = _open(family)
        self.sock.setblocking(False)
        self._tune(ttl)
        self.ident = self._bound_ident()
        self.has_ip_header = self.privileged and family == 4
        self._anc = socket.CMSG_SPACE(512)

    def close(self) -> None:
        self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, packet: bytes, sockaddr: tuple) -> int:
        """Send one packet; return 0 or the errno the kernel refused it with."""
        try:
            self.sock.sendto(packet, sockaddr)
        except OSError as error:
            return error.errno or errno.EIO
        return 0

    def receive(self) -> Iterator[tuple[bytes, str, int | None]]:
        """Yield ``(icmp bytes, source, ttl)`` until the socket is drained."""
        if self.has_ip_header:
            yield from self._receive_with_header()
            return
        while True:
            try:
                data, ancillary, _, address = self.sock.recvmsg(self.bufsize, self._anc)
            except BlockingIOError:
                return
            except OSError:
                # A datagram socket reports a queued ICMP error this way.
                yield from self._receive_errors()
                continue
            yield data, address[0], _hop_limit(ancillary)

    def _receive_with_header(self) -> Iterator[tuple[bytes, str, None]]:
        """Raw IPv4 packets carry their TTL in the header we read anyway."""
        recvfrom, bufsize = self.sock.recvfrom, self.bufsize
        while True:
            try:
                data, address = recvfrom(bufsize)
            except BlockingIOError:
                return
            yield data, address[0], None

    def _receive_errors(self) -> Iterator[tuple[bytes, str, int | None]]:
        """Rebuild ICMP errors from the datagram socket's error queue."""
        while True:
            try:
                data, ancillary, _, address = self.sock.recvmsg(
                    MAX_DATAGRAM, self._anc, socket.MSG_ERRQUEUE
                )
            except OSError:
                return
            error = _extended_error(ancillary)
            if error is not None:
                icmp_type, code, sender = error
                request = data[:4] + struct.pack("!H", self.ident or 0) + data[6:]
                packet = _as_icmp_error(
                    self.family, request, address[0], icmp_type, code
                )
                yield packet, sender, None

    def _tune(self, ttl: int) -> None:
        sock = self.sock
        _force_buffer(sock, _SO_RCVBUFFORCE, socket.SO_RCVBUF, RECEIVE_BUFFER)
        _force_buffer(sock, _SO_SNDBUFFORCE, socket.SO_SNDBUF, SEND_BUFFER)
        if self.family == 4:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            if self.privileged:
                sock.setsockopt(_SOL_RAW, _ICMP_FILTER, _icmp4_filter())
            else:
                sock.setsockopt(socket.IPPROTO_IP, _IP_RECVTTL, 1)
                sock.setsockopt(socket.IPPROTO_IP, _IPV4_RECVERR, 1)
            return
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        if self.privileged:
            sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, _icmp6_filter())
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_RECVERR, 1)

    def _bound_ident(self) -> int | None:
        """A datagram socket's identifier is its port, chosen by the kernel."""
        if self.privileged:
            return None
        self.sock.bind(("0.0.0.0" if self.family == 4 else "::", 0))
        return self.sock.getsockname()[1]


def _open(family: int) -> tuple[socket.socket, bool]:
    from icmplib import ICMPv4Socket, ICMPv6Socket
    from icmplib.exceptions import ICMPSocketError, SocketPermissionError

    kind = ICMPv4Socket if family == 4 else ICMPv6Socket
    for privileged in (True, False):
        try:
            opened = kind(privileged=privileged)
        except SocketPermissionError:
            continue
        except ICMPSocketError as error:
            raise CannotMeasure(
                f"cannot open an ICMPv{family} socket: {error}"
            ) from None
        sock = opened.sock
        opened._sock = None  # the socket is ours now; icmplib must not close it
        return sock, privileged
    raise CannotMeasure(
        "ping needs raw ICMP sockets (CAP_NET_RAW) or ICMP datagram sockets "
        "allowed to this group by the sysctl net.ipv4.ping_group_range "
        "(now disallowed); run as root, grant CAP_NET_RAW, or widen that range"
    )


def _force_buffer(sock: socket.socket, forced: int, plain: int, size: int) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, forced, size)
    except PermissionError:
        sock.setsockopt(socket.SOL_SOCKET, plain, size)


def _icmp4_filter() -> bytes:
    """A filter blocking every ICMPv4 type but echo replies and errors.

    Without it a raw socket also reads every echo request the host sends,
    which on loopback doubles the work of a sweep.
    """
    mask = 0xFFFFFFFF
    for icmp_type in _PASSED_ICMP4_TYPES:
        mask &= ~(1 << icmp_type)
    return struct.pack("=I", mask)


def _icmp6_filter() -> bytes:
    """A filter blocking every ICMPv6 type but echo replies and errors."""
    words = [0xFFFFFFFF] * 8
    for icmp_type in _PASSED_ICMP6_TYPES:
        words[icmp_type >> 5] &= ~(1 << (icmp_type & 31))
    return struct.pack("=8I", *words)


def _hop_limit(ancillary: list[tuple[int, int, bytes]]) -> int | None:
    for level, kind, data in ancillary:
        if (level, kind) in (
            (socket.IPPROTO_IP, socket.IP_TTL),
            (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT),
        ):
            return int.from_bytes(data[:4], "little") if len(data) >= 4 else data[0]
    return None


def _extended_error(ancillary) -> tuple[int, int, str] | None:
    """Return ``(type, code, offender)`` of an ICMP-originated queued error."""
    for level, kind, data in ancillary:
        if kind not in (_IPV4_RECVERR, _IPV6_RECVERR):
            continue
        if len(data) < _SOCK_EXTENDED_ERR.size:
            return None
        _, origin, icmp_type, code, _, _, _ = _SOCK_EXTENDED_ERR.unpack_from(data)
        if origin not in (_ORIGIN_ICMP, _ORIGIN_ICMP6):
            return None
        return icmp_type, code, _offender(data[_SOCK_EXTENDED_ERR.size :], level)
    return None


def _offender(sockaddr: bytes, level: int) -> str:
    family = int.from_bytes(sockaddr[:2], "little") if len(sockaddr) >= 2 else 0
    if family == socket.AF_INET and len(sockaddr) >= 8:
        return socket.inet_ntop(socket.AF_INET, sockaddr[4:8])
    if family == socket.AF_INET6 and len(sockaddr) >= 24:
        return socket.inet_ntop(socket.AF_INET6, sockaddr[8:24])
    return ""


def _as_icmp_error(
    family: int, request: bytes, destination: str, icmp_type: int, code: int
) -> bytes:
    """Wrap a queued error back into the bytes of the ICMP error it was.

    The kernel hands a datagram socket the request it sent and the error's
    type, code and sender; rebuilding the wire form lets one parser serve both
    kinds of socket.
    """
    inner = _fake_ip_header(family, destination) + request
    return struct.pack("!BBHI", icmp_type, code, 0, 0) + inner


def _fake_ip_header(family: int, destination: str) -> bytes:
    if family == 4:
        return (
            bytes([0x45, 0, 0, 0, 0, 0, 0, 0, 64, socket.IPPROTO_ICMP, 0, 0])
            + bytes(4)
            + socket.inet_pton(socket.AF_INET, destination)
        )
    return (
        bytes([0x60, 0, 0, 0, 0, 0, socket.IPPROTO_ICMPV6, 64])
        + bytes(16)
        + socket.inet_pton(socket.AF_INET6, destination)
    )

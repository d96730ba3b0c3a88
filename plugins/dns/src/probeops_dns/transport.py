"""The DNS plugin's one network seam: send queries, wait for their answers.

UDP sockets are connected to the server asked, so the kernel drops datagrams
from any other address: an answer from elsewhere is never accepted. Answers
whose ID matches no query in flight are skipped. Many UDP queries share one
socket, with up to ``window`` of them in flight at once.
"""

from __future__ import annotations

import logging
import selectors
import socket
import struct
import time
from dataclasses import dataclass

from probeops.resolver import NameServer
from probeops.targets import ip_family

log = logging.getLogger(__name__)

MAX_UDP = 65535


@dataclass(frozen=True)
class Exchange:
    """What came back for one query sent once."""

    wire: bytes | None
    """The answer's bytes; ``None`` when nothing acceptable arrived."""

    responder: str | None
    elapsed_ms: float
    failure: str | None = None
    """``timeout`` or ``network_error`` when ``wire`` is ``None``."""

    detail: str | None = None


def exchange(
    wire: bytes, server: NameServer, transport: str, timeout: float
) -> Exchange:
    """Send one query and return its answer."""
    return exchange_many([wire], server, transport, timeout)[0]


def exchange_many(
    wires: list[bytes],
    server: NameServer,
    transport: str,
    timeout: float,
    window: int = 1,
) -> list[Exchange]:
    """Send each query (IDs unique among them) and return answers in order."""
    family = socket.AF_INET6 if ip_family(server.address) == 6 else socket.AF_INET
    if transport == "udp":
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            return _Flight(sock, wires, server, timeout, window).fly()
    return [_over_tcp(family, wire, server, timeout) for wire in wires]


class _Flight:
    """UDP queries in flight on one connected socket."""

    def __init__(self, sock, wires, server: NameServer, timeout, window) -> None:
        self.sock, self.wires, self.server = sock, wires, server
        self.timeout, self.window = timeout, window
        self.results: list[Exchange | None] = [None] * len(wires)
        self.pending: dict[bytes, tuple[int, float]] = {}
        self.next = 0

    def fly(self) -> list[Exchange]:
        try:
            self.sock.connect((self.server.address, self.server.port))
            self.sock.setblocking(False)
            with selectors.DefaultSelector() as selector:
                selector.register(self.sock, selectors.EVENT_READ)
                while self.next < len(self.wires) or self.pending:
                    self._send_more()
                    self._expire()
                    if self.pending and selector.select(self._wait()):
                        self._receive()
        except OSError as error:
            self._fail_rest((error.strerror or str(error)).lower())
        return self.results

    def _send_more(self) -> None:
        now = time.monotonic()
        while self.next < len(self.wires) and len(self.pending) < self.window:
            wire = self.wires[self.next]
            try:
                self.sock.send(wire)
            except BlockingIOError:
                return
            self.pending[wire[:2]] = (self.next, now)
            self.next += 1

    def _expire(self) -> None:
        now = time.monotonic()
        for key, (index, sent) in list(self.pending.items()):
            if now - sent < self.timeout:
                return
            detail = f"no answer within {self.timeout:g} s"
            self.results[index] = Exchange(
                None, None, (now - sent) * 1000, "timeout", detail
            )
            del self.pending[key]

    def _wait(self) -> float:
        _, oldest = next(iter(self.pending.values()))
        return max(0.0, oldest + self.timeout - time.monotonic())

    def _receive(self) -> None:
        while True:
            try:
                answer = self.sock.recv(MAX_UDP)
            except BlockingIOError:
                return
            entry = self.pending.pop(answer[:2], None)
            if entry is None:
                log.debug("dns: skipped an answer with ID %r", answer[:2])
                continue
            index, sent = entry
            elapsed = (time.monotonic() - sent) * 1000
            self.results[index] = Exchange(answer, self.server.address, elapsed)

    def _fail_rest(self, reason: str) -> None:
        for index, result in enumerate(self.results):
            if result is None:
                self.results[index] = Exchange(None, None, 0.0, "network_error", reason)


def _over_tcp(family, wire: bytes, server: NameServer, timeout: float) -> Exchange:
    began = time.monotonic()
    deadline = began + timeout
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((server.address, server.port))
            sock.sendall(struct.pack("!H", len(wire)) + wire)
            (length,) = struct.unpack("!H", _read_exactly(sock, 2, deadline))
            answer = _read_exactly(sock, length, deadline)
    except TimeoutError:
        return _failed(began, "timeout", f"no answer within {timeout:g} s")
    except OSError as error:
        reason = error.strerror or str(error)
        return _failed(began, "network_error", reason.lower())
    elapsed = (time.monotonic() - began) * 1000
    return Exchange(answer, server.address, elapsed)


def _read_exactly(sock: socket.socket, count: int, deadline: float) -> bytes:
    data = b""
    while len(data) < count:
        sock.settimeout(_left(deadline))
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionResetError(0, "connection closed before the answer")
        data += chunk
    return data


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _failed(began: float, failure: str, detail: str) -> Exchange:
    elapsed = (time.monotonic() - began) * 1000
    return Exchange(None, None, elapsed, failure=failure, detail=detail)

"""The DNS plugin's one network seam: send a query, wait for its answer.

UDP sockets are connected to the server asked, so the kernel drops datagrams
from any other address: an answer from elsewhere is never accepted. Answers
whose ID differs from the query's are skipped as well.
"""

from __future__ import annotations

import logging
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
    skipped: int = 0
    """Datagrams dropped because their ID did not match the query's."""


def exchange(
    wire: bytes, server: NameServer, transport: str, timeout: float
) -> Exchange:
    """Send ``wire`` to ``server`` over ``transport`` and return the answer."""
    family = socket.AF_INET6 if ip_family(server.address) == 6 else socket.AF_INET
    kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    began = time.monotonic()
    deadline = began + timeout
    try:
        with socket.socket(family, kind) as sock:
            sock.settimeout(timeout)
            sock.connect((server.address, server.port))
            if transport == "udp":
                answer, skipped = _udp_answer(sock, wire, deadline)
            else:
                answer, skipped = _tcp_answer(sock, wire, deadline), 0
    except TimeoutError:
        return _failed(began, "timeout", f"no answer within {timeout:g} s")
    except OSError as error:
        reason = error.strerror or str(error)
        return _failed(began, "network_error", reason.lower())
    elapsed = (time.monotonic() - began) * 1000
    return Exchange(answer, server.address, elapsed, skipped=skipped)


def _udp_answer(sock: socket.socket, wire: bytes, deadline: float):
    sock.send(wire)
    skipped = 0
    while True:
        sock.settimeout(_left(deadline))
        answer = sock.recv(MAX_UDP)
        if answer[:2] == wire[:2]:
            return answer, skipped
        skipped += 1
        log.debug("dns: skipped an answer with ID %r", answer[:2])


def _tcp_answer(sock: socket.socket, wire: bytes, deadline: float) -> bytes:
    sock.sendall(struct.pack("!H", len(wire)) + wire)
    (length,) = struct.unpack("!H", _read_exactly(sock, 2, deadline))
    return _read_exactly(sock, length, deadline)


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

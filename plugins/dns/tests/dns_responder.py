"""A crafted DNS responder on loopback, for answers real servers never give.

It listens on UDP and TCP at one loopback address and answers each query as
its ``behaviour`` says: a list of ``(wire, via)`` datagrams, ``via`` being
``"self"`` or another loopback address to send from.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable

import dns.message

Reply = list[tuple[bytes, str]]
Behaviour = Callable[[dns.message.Message, str], Reply]


class Responder:
    """UDP and TCP listeners answering queries from a behaviour function."""

    def __init__(self, address: str, behaviour: Behaviour) -> None:
        self.address = address
        self.behaviour = behaviour
        self.queries: list[tuple[str, dns.message.Message]] = []
        self.family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.udp = socket.socket(self.family, socket.SOCK_DGRAM)
        self.udp.bind((address, 0))
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket(self.family, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((address, self.port))
        self.tcp.listen(4)
        self.threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]

    @property
    def server(self) -> str:
        if self.family == socket.AF_INET6:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"

    def __enter__(self) -> Responder:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        for sock in (self.udp, self.tcp):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self.threads:
            thread.join(timeout=2)

    def _serve_udp(self) -> None:
        while True:
            try:
                wire, client = self.udp.recvfrom(65535)
            except OSError:
                return
            if not wire:
                return
            query = dns.message.from_wire(wire)
            self.queries.append(("udp", query))
            for answer, via in self.behaviour(query, "udp"):
                self._send_udp(answer, via, client)

    def _send_udp(self, answer: bytes, via: str, client) -> None:
        if via == "self":
            self.udp.sendto(answer, client)
            return
        with socket.socket(self.family, socket.SOCK_DGRAM) as other:
            other.bind((via, self.port))
            other.sendto(answer, client)

    def _serve_tcp(self) -> None:
        while True:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            with connection:
                self._answer_tcp(connection)

    def _answer_tcp(self, connection: socket.socket) -> None:
        (length,) = struct.unpack("!H", connection.recv(2))
        query = dns.message.from_wire(connection.recv(length))
        self.queries.append(("tcp", query))
        for answer, _ in self.behaviour(query, "tcp"):
            connection.sendall(struct.pack("!H", len(answer)) + answer)


def answer_a(query: dns.message.Message, address: str = "192.0.2.1", count=1):
    """A NOERROR answer with ``count`` A records for the asked name."""
    reply = dns.message.make_response(query)
    name = query.question[0].name
    rdatas = [f"192.0.2.{i + 1}" for i in range(count)] if count > 1 else [address]
    reply.answer.append(dns.rrset.from_text_list(name, 60, "IN", "A", rdatas))
    return reply

"""Crafted ICMP replies from a lab router: MPLS extensions, malformed ones.

A responder on r1 reads the probes that reach it with one hop left, straight
off the client-facing link, and answers them itself with hand-made ICMP
time-exceeded messages sent below the IP layer, while r1's own time-exceeded
messages are silenced.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
import time

import pytest
from probeops.hopprobe.checksum import internet_checksum, ones_sum, pseudo_header

pytestmark = pytest.mark.lab

ETH_P_ALL = 0x0003
ETHERTYPE = {4: 0x0800, 6: 0x86DD}
LABELS = [(16004, 5, False, 1), (24001, 0, True, 1)]


def label_object(labels) -> bytes:
    entries = b"".join(
        struct.pack("!I", label << 12 | tc << 9 | int(bottom) << 8 | ttl)
        for label, tc, bottom, ttl in labels
    )
    return struct.pack("!HBB", 4 + len(entries), 1, 1) + entries


def extension(objects: bytes, checksum: bool = True) -> bytes:
    header = struct.pack("!BBH", 2 << 4, 0, 0)
    if not checksum:
        return header + objects
    value = internet_checksum(header + objects)
    return header[:2] + struct.pack("!H", value) + objects


def padded(quote: bytes) -> bytes:
    return quote[:128].ljust(128, b"\0")


MODES = {
    "mpls": lambda probe: (padded(probe), 32, extension(label_object(LABELS))),
    "mpls-before-rfc4884": lambda probe: (
        padded(probe),
        0,
        extension(label_object(LABELS)),
    ),
    "bad-extension": lambda probe: (
        padded(probe),
        32,
        extension(label_object(LABELS)[:4] + b"\xff\xff\x01\x01"),
    ),
    "short-quote": lambda probe: (probe[: _header_size(probe) + 4], 0, b""),
}


def _header_size(packet: bytes) -> int:
    return (packet[0] & 0x0F) * 4 if packet[0] >> 4 == 4 else 40


def time_exceeded(probe: bytes, source: str, mode: str) -> bytes:
    """An ICMP(v6) time-exceeded for ``probe``, built as ``mode`` says."""
    quote, length, extension_bytes = MODES[mode](probe)
    family = 4 if probe[0] >> 4 == 4 else 6
    body = quote + extension_bytes
    if family == 4:
        message = struct.pack("!BBHBBH", 11, 0, 0, 0, length, 0) + body
        message = _with_checksum(message, 0)
        return _ipv4(source, probe[12:16], message)
    message = struct.pack("!BBHBBH", 3, 0, 0, length // 2, 0, 0) + body
    client = str(ipaddress.ip_address(probe[8:24]))
    start = ones_sum(pseudo_header(source, client, 58, len(message)))
    return _ipv6(source, probe[8:24], _with_checksum(message, start))


def _with_checksum(message: bytes, start: int) -> bytes:
    value = internet_checksum(message, start)
    return message[:2] + struct.pack("!H", value) + message[4:]


def _ipv4(source: str, destination: bytes, message: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(message), 7, 0, 64, 1, 0)
    header += ipaddress.ip_address(source).packed + destination
    header = header[:10] + struct.pack("!H", internet_checksum(header)) + header[12:]
    return header + message


def _ipv6(source: str, destination: bytes, message: bytes) -> bytes:
    header = struct.pack("!IHBB", 6 << 28, len(message), 58, 64)
    return header + ipaddress.ip_address(source).packed + destination + message


class Responder:
    """Answer probes arriving at r1 with one hop left, as ``mode`` says."""

    def __init__(self, lab, mode: str) -> None:
        self.lab, self.mode = lab, mode
        self.answered = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Responder:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _serve(self) -> None:
        device = f"{self.lab.name}-client"
        with self.lab.inside("r1"):
            link = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        with link:
            link.bind((device, 0))
            link.settimeout(0.05)
            self._ready.set()
            while not self._stop.is_set():
                self._answer_one(link)

    def _answer_one(self, link: socket.socket) -> None:
        try:
            frame, address = link.recvfrom(65535)
        except TimeoutError:
            return
        if address[2] != socket.PACKET_HOST or len(frame) < 34:
            return
        packet = frame[14:]
        family = {0x0800: 4, 0x86DD: 6}.get(struct.unpack("!H", frame[12:14])[0])
        if family is None or packet[8 if family == 4 else 7] != 1:
            return
        source = self.lab.hop_addrs(family)[0]
        reply = time_exceeded(packet, source, self.mode)
        header = frame[6:12] + frame[0:6] + struct.pack("!H", ETHERTYPE[family])
        link.send(header + reply)
        self.answered += 1


@pytest.fixture(scope="module")
def crafted_lab(make_module_lab):
    lab = make_module_lab("chain", routers=1, targets=1)
    lab.silence("r1")
    return lab


def _first_hop(tracer, lab, family, mode, protocol="udp"):
    with Responder(lab, mode) as responder:
        result = tracer.trace(lab, lab.addr("t1", family), protocol=protocol)
        time.sleep(0.01)
    assert responder.answered >= 3
    return result, result.body["hops"][0]


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_mpls_label_stack_in_an_rfc4884_extension_is_parsed(
    crafted_lab, tracer, family, protocol
):
    result, hop = _first_hop(tracer, crafted_lab, family, "mpls", protocol)

    assert result.body["stop_reason"] == "destination_reached"
    assert hop["responders"] == [crafted_lab.hop_addrs(family)[0]]
    for probe in hop["probes"]:
        assert probe["kind"] == "time_exceeded"
        assert probe["problems"] == []
        assert [
            (m["label"], m["traffic_class"], m["bottom_of_stack"], m["ttl"])
            for m in probe["mpls"]
        ] == LABELS


def test_mpls_extension_after_a_128_byte_quote_without_length_is_parsed(
    crafted_lab, tracer
):
    _, hop = _first_hop(tracer, crafted_lab, 4, "mpls-before-rfc4884")

    labels = [[m["label"] for m in probe["mpls"]] for probe in hop["probes"]]
    assert labels == [[16004, 24001]] * 3


@pytest.mark.parametrize("family", [4, 6])
def test_malformed_extension_object_keeps_the_reply_and_names_the_problem(
    crafted_lab, tracer, family
):
    result, hop = _first_hop(tracer, crafted_lab, family, "bad-extension")

    assert result.body["stop_reason"] == "destination_reached"
    for probe in hop["probes"]:
        assert probe["kind"] == "time_exceeded"
        assert probe["responder"] == crafted_lab.hop_addrs(family)[0]
        assert probe["mpls"] == []
        assert any("extension" in problem for problem in probe["problems"])


def test_short_ipv4_quote_is_matched_on_the_ip_identification(crafted_lab, tracer):
    result, hop = _first_hop(tracer, crafted_lab, 4, "short-quote")

    assert result.body["stop_reason"] == "destination_reached"
    for probe in hop["probes"]:
        assert probe["responder"] == crafted_lab.hop_addrs(4)[0]
        assert probe["problems"] == [
            "quote holds 4 bytes of the probe's transport header"
        ]


def test_short_ipv6_quote_cannot_name_its_probe_and_leaves_a_star(crafted_lab, tracer):
    result, hop = _first_hop(tracer, crafted_lab, 6, "short-quote")

    assert result.body["stop_reason"] == "destination_reached"
    assert hop["responders"] == []
    assert [p["kind"] for p in hop["probes"]] == ["silent"] * 3

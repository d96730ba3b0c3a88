"""Echo requests on the wire, and reading replies and errors, byte by byte."""

from __future__ import annotations

import socket
import struct

from probeops_ping import wire

TOKEN = bytes.fromhex("0102030405060708")


def _ipv4_header(source: str, destination: str, protocol: int, ttl: int = 64) -> bytes:
    return struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        0,
        0,
        0,
        ttl,
        protocol,
        0,
        socket.inet_aton(source),
        socket.inet_aton(destination),
    )


def _echo(icmp_type: int, ident: int, seq: int, payload: bytes) -> bytes:
    return struct.pack("!BBHHH", icmp_type, 0, 0, ident, seq) + payload


def test_an_ipv4_echo_request_carries_a_valid_checksum():
    payload = wire.build_payload(56, TOKEN)
    packet = wire.echo_request_to_wire(4, 0xBEEF, 7, payload)
    assert packet[:2] == b"\x08\x00"
    assert struct.unpack("!HH", packet[4:8]) == (0xBEEF, 7)
    assert wire.internet_checksum(packet) == 0
    assert packet[8:16] == TOKEN and len(packet) == 64


def test_a_precomputed_payload_sum_gives_the_same_packet():
    payload = wire.build_payload(57, TOKEN)
    plain = wire.echo_request_to_wire(4, 1, 65535, payload)
    summed = wire.echo_request_to_wire(4, 1, 65535, payload, wire.ones_sum(payload))
    assert plain == summed


def test_an_ipv4_echo_reply_is_read_with_its_ttl_and_size():
    packet = _ipv4_header("192.0.2.9", "192.0.2.1", 1, ttl=57) + _echo(
        0, 0xBEEF, 7, TOKEN + b"x" * 48
    )
    reply = wire.packet_from_wire(4, packet, "192.0.2.9", None, has_ip_header=True)
    assert reply == wire.EchoReply("192.0.2.9", 0xBEEF, 7, TOKEN, 64, 57)


def test_an_ipv4_host_unreachable_is_matched_through_its_quote():
    quote = _ipv4_header("192.0.2.1", "192.0.2.9", 1) + _echo(8, 0xBEEF, 7, TOKEN)
    error = struct.pack("!BBHI", 3, 1, 0, 0) + quote
    packet = _ipv4_header("198.51.100.1", "192.0.2.1", 1) + error
    parsed = wire.packet_from_wire(4, packet, "198.51.100.1", None, True)
    assert isinstance(parsed, wire.IcmpError)
    assert (parsed.sender, parsed.type, parsed.code) == ("198.51.100.1", 3, 1)
    assert (parsed.ident, parsed.seq, parsed.destination) == (0xBEEF, 7, "192.0.2.9")
    assert wire.error_reason(4, parsed) == "host-unreachable"


def test_an_ipv6_admin_prohibited_is_matched_through_its_quote():
    inner = struct.pack("!IHBB", 0x60000000, 16, 58, 64)
    inner += socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    inner += socket.inet_pton(socket.AF_INET6, "2001:db8::9")
    inner += _echo(128, 5, 9, TOKEN)
    packet = struct.pack("!BBHI", 1, 1, 0, 0) + inner
    parsed = wire.packet_from_wire(6, packet, "2001:db8::fe", 63, False)
    assert (parsed.kind, parsed.code, parsed.destination) == (
        "destination-unreachable",
        1,
        "2001:db8::9",
    )
    assert wire.error_reason(6, parsed) == "admin-prohibited"


def test_an_error_quoting_something_else_is_ignored():
    quote = _ipv4_header("192.0.2.1", "192.0.2.9", 17) + b"\x00" * 8
    packet = _ipv4_header("198.51.100.1", "192.0.2.1", 1)
    packet += struct.pack("!BBHI", 3, 3, 0, 0) + quote
    assert wire.packet_from_wire(4, packet, "198.51.100.1", None, True) is None


def test_truncated_and_foreign_packets_never_raise():
    samples = [
        b"",
        b"\x45",
        b"\x45" + b"\x00" * 10,
        _ipv4_header("1.1.1.1", "2.2.2.2", 1),
    ]
    samples.append(_ipv4_header("1.1.1.1", "2.2.2.2", 1) + b"\x03\x01\x00\x00")
    samples.append(_ipv4_header("1.1.1.1", "2.2.2.2", 1) + b"\x0d\x00" + b"\x00" * 18)
    for sample in samples:
        assert wire.packet_from_wire(4, sample, "1.1.1.1", None, True) is None
    assert wire.packet_from_wire(6, b"\x01\x00\x00", "::1", None, False) is None
    assert wire.packet_from_wire(6, b"\x81\x00\x00\x00\x00", "::1", None, False) is None

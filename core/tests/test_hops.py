"""The hop model and the path probing engine's wire code.

Golden files in ``golden/hops`` are replies captured from a lab's Linux
routers, each beside the reading expected of it, and the probes that
provoked them.
"""

from __future__ import annotations

import json
import random
import struct
import time
from pathlib import Path

import pytest
from probeops.hopprobe.checksum import (
    internet_checksum,
    ones_sum,
    pseudo_header,
    steering_word,
)
from probeops.hopprobe.probes import Flow, build_probe
from probeops.hopprobe.replies import (
    Arrival,
    parse_icmp,
    parse_ipv4,
    parse_tcp,
    quoted_keys,
    read_extensions,
)
from probeops.hopprobe.session import BURST_SECONDS, ProbeOrder, Session
from probeops.hops import (
    Hop,
    MplsLabel,
    ProbeReply,
    ReplyKind,
    unreachable_flag,
)

GOLDEN = Path(__file__).parent / "golden" / "hops"
CAPTURED = sorted(path.stem for path in GOLDEN.glob("*.json"))
ADDRESSES = {4: ("198.18.1.1", "198.18.5.2"), 6: ("fd00:0:0:1::1", "fd00:0:0:5::2")}


def lab_flow(family: int, protocol: str, paris: bool = True) -> Flow:
    """The flow the golden probes were built from."""
    source, destination = ADDRESSES[family]
    port = {"udp": 33434, "tcp": 80, "icmp": 0}[protocol]
    size = 60 if family == 4 else 80
    return Flow(family, protocol, source, destination, 40000, port, 0x1234, size, paris)


def read_captured(name: str):
    """Parse a captured reply as the socket that heard it would."""
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    data = bytes.fromhex((GOLDEN / f"{name}.hex").read_text())
    arrival = expected["arrival"]
    if arrival["family"] == 4:
        return parse_ipv4(data), expected
    seen = Arrival(6, arrival["responder"], arrival["reply_ttl"], len(data) + 40)
    parse = parse_tcp if arrival["socket"] == "tcp" else parse_icmp
    return parse(data, seen), expected


@pytest.mark.parametrize("name", CAPTURED)
def test_captured_router_reply_reads_as_its_golden_file(name):
    answer, expected = read_captured(name)

    assert answer.kind.value == expected["kind"]
    assert answer.responder == expected["responder"]
    assert answer.reply_ttl == expected["reply_ttl"]
    assert answer.size == expected["size"]
    assert (answer.icmp_type, answer.icmp_code) == (
        expected["icmp_type"],
        expected["icmp_code"],
    )
    assert [list(key) for key in answer.keys] == expected["keys"]
    assert list(answer.problems) == expected["problems"]


@pytest.mark.parametrize("name", CAPTURED)
def test_captured_reply_names_the_probe_that_provoked_it(name):
    answer, expected = read_captured(name)
    arrival = expected["arrival"]
    flow = lab_flow(arrival["family"], arrival["protocol"])

    probe = build_probe(flow, 1, 7, 0x4242)

    assert [list(key) for key in probe.keys] == arrival["probe_keys"]
    assert set(answer.keys) & set(probe.keys)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_probe_bytes_equal_the_golden_probe(family, protocol):
    golden = (GOLDEN / f"v{family}-{protocol}-probe.hex").read_text().strip()
    ttl = bytes.fromhex(golden)[8 if family == 4 else 7]

    probe = build_probe(lab_flow(family, protocol), ttl, 7, 0x4242)

    assert probe.data.hex() == golden


def transport_sum_is_valid(flow: Flow, data: bytes) -> bool:
    header = 20 if flow.family == 4 else 40
    segment = data[header:]
    number = data[9] if flow.family == 4 else data[6]
    if number == 1:
        return internet_checksum(segment) == 0
    pseudo = pseudo_header(flow.source, flow.destination, number, len(segment))
    return internet_checksum(segment, ones_sum(pseudo)) == 0


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
@pytest.mark.parametrize("paris", [True, False])
def test_every_probe_carries_valid_checksums(family, protocol, paris):
    flow = lab_flow(family, protocol, paris)
    for number in range(300):
        data = build_probe(flow, 5, number, number).data
        assert transport_sum_is_valid(flow, data)
        if family == 4:
            assert internet_checksum(data[:20]) == 0


def flow_fields(family: int, protocol: str, paris: bool) -> list[tuple]:
    """Per probe, the header fields an ECMP router hashes on."""
    flow = lab_flow(family, protocol, paris)
    offset = 20 if family == 4 else 40
    fields = []
    for number in range(20):
        segment = build_probe(flow, 3, number, number).data[offset:]
        hashed = segment[:4]
        fields.append(hashed)
    return fields


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_paris_probes_share_one_flow_identifier(family, protocol):
    assert len(set(flow_fields(family, protocol, paris=True))) == 1


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_classic_probes_vary_the_flow_identifier(family, protocol):
    assert len(set(flow_fields(family, protocol, paris=False))) == 20


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", ["icmp", "udp", "tcp"])
def test_probes_of_one_flow_have_distinct_keys(family, protocol):
    flow = lab_flow(family, protocol)
    keys = [build_probe(flow, 1, n, n).keys[0] for n in range(5000)]
    assert len(set(keys)) == len(keys)


def test_steering_word_brings_the_checksum_to_any_wanted_value():
    chance = random.Random(4884)
    for _ in range(2000):
        data = chance.randbytes(chance.randrange(0, 40) * 2)
        wanted = chance.randrange(1, 0xFFFF)
        word = steering_word(ones_sum(data), wanted)
        assert internet_checksum(data + struct.pack("!H", word)) == wanted


def icmp_error(family: int, quote: bytes, length: int, extension: bytes) -> bytes:
    kind = 11 if family == 4 else 3
    if family == 4:
        header = struct.pack("!BBHBBH", kind, 0, 0, 0, length // 4, 0)
    else:
        header = struct.pack("!BBHBBH", kind, 0, 0, length // 8, 0, 0)
    return header + quote + extension


def label_extension(labels: list[MplsLabel], object_length: int | None = None) -> bytes:
    entries = b"".join(struct.pack("!I", label.to_wire()) for label in labels)
    length = 4 + len(entries) if object_length is None else object_length
    body = struct.pack("!HBB", length, 1, 1) + entries
    header = struct.pack("!BBH", 0x20, 0, 0)
    checksum = internet_checksum(header + body)
    return header[:2] + struct.pack("!H", checksum) + body


STACK = [MplsLabel(16004, 5, False, 1), MplsLabel(24001, 0, True, 254)]


def quoted_probe(family: int) -> bytes:
    return build_probe(lab_flow(family, "udp"), 1, 7, 0x4242).data


@pytest.mark.parametrize("family", [4, 6])
def test_rfc4884_extension_yields_the_mpls_label_stack(family):
    quote = quoted_probe(family).ljust(128, b"\0")
    message = icmp_error(family, quote, 128, label_extension(STACK))

    answer = parse_icmp(message, Arrival(family, "192.0.2.1", 250, 200))

    assert answer.mpls == tuple(STACK)
    assert answer.problems == ()
    assert answer.keys[0] == build_probe(lab_flow(family, "udp"), 1, 7, 0).keys[0]


def test_extension_after_a_128_byte_quote_without_length_is_read():
    quote = quoted_probe(4).ljust(128, b"\0")
    message = icmp_error(4, quote, 0, label_extension(STACK))

    answer = parse_icmp(message, Arrival(4, "192.0.2.1", 250, 200))

    assert answer.mpls == tuple(STACK)


@pytest.mark.parametrize(
    ("extension", "problem"),
    [
        (label_extension(STACK, object_length=2), "extension object length 2"),
        (label_extension(STACK, object_length=400), "extension object length 400"),
        (label_extension(STACK) + b"\x00\x01", "2 stray bytes"),
        (b"\x10\x00\x00\x00\x00\x08\x01\x01", "not version 2"),
        (b"\x20\x00\xbe\xef" + label_extension(STACK)[4:], "checksum does not"),
    ],
)
def test_malformed_extension_is_reported_not_raised(extension, problem):
    quote = quoted_probe(4).ljust(128, b"\0")
    message = icmp_error(4, quote, 128, extension)

    answer = parse_icmp(message, Arrival(4, "192.0.2.1", 250, 200))

    assert answer.kind is ReplyKind.TIME_EXCEEDED
    assert answer.keys
    assert any(problem in text for text in answer.problems), answer.problems


def test_length_field_beyond_the_message_is_reported():
    message = icmp_error(4, quoted_probe(4), 256, b"")

    answer = parse_icmp(message, Arrival(4, "192.0.2.1", 250, 200))

    assert answer.keys
    assert "does not fit" in answer.problems[0]


def test_short_ipv4_quote_falls_back_to_the_ip_identification():
    probe = build_probe(lab_flow(4, "udp"), 1, 7, 0x4242)

    keys, problems = quoted_keys(probe.data[:24], 4)

    assert keys == (probe.keys[1],)
    assert problems == ["quote holds 4 bytes of the probe's transport header"]


def test_short_ipv6_quote_names_no_probe():
    keys, problems = quoted_keys(quoted_probe(6)[:44], 6)

    assert keys == ()
    assert problems == ["quote holds 4 bytes of the probe's transport header"]


def test_quote_shorter_than_an_ip_header_is_reported():
    keys, problems = quoted_keys(b"\x45\x00", 4)

    assert keys == ()
    assert problems == ["quote of 2 bytes is shorter than the IP header"]


@pytest.mark.parametrize("name", CAPTURED)
def test_every_truncation_and_corruption_of_a_reply_parses_without_error(name):
    data = bytes.fromhex((GOLDEN / f"{name}.hex").read_text())
    family = json.loads((GOLDEN / f"{name}.json").read_text())["arrival"]["family"]
    chance = random.Random(name)
    variants = [data[:cut] for cut in range(len(data) + 1)]
    for _ in range(200):
        spoiled = bytearray(data)
        spoiled[chance.randrange(len(data))] = chance.randrange(256)
        variants.append(bytes(spoiled))
    for variant in variants:
        if family == 4:
            parse_ipv4(variant)
        else:
            parse_icmp(variant, Arrival(6, "fd00::1", 64, len(variant) + 40))
            parse_tcp(variant, Arrival(6, "fd00::1", 64, len(variant) + 40))


def test_random_extension_bytes_never_raise():
    chance = random.Random(4950)
    for _ in range(2000):
        data = b"\x20" + chance.randbytes(chance.randrange(0, 40))
        labels, problems = read_extensions(data)
        assert isinstance(labels, tuple) and isinstance(problems, list)


@pytest.mark.parametrize(
    ("family", "code", "flag"),
    [
        (4, 0, "!N"),
        (4, 1, "!H"),
        (4, 2, "!P"),
        (4, 3, None),
        (4, 4, "!F-1400"),
        (4, 13, "!X"),
        (4, 99, "!<99>"),
        (6, 0, "!N"),
        (6, 1, "!X"),
        (6, 3, "!H"),
        (6, 4, None),
    ],
)
def test_unreachable_codes_get_traceroutes_flags(family, code, flag):
    assert unreachable_flag(family, code, 1400) == flag


def test_mpls_label_entry_survives_a_wire_round_trip():
    entry = 0x003E_8B01
    assert MplsLabel.from_wire(entry).to_wire() == entry
    assert MplsLabel.from_wire(entry) == MplsLabel(1000, 5, True, 1)


def test_hop_keeps_silent_probes_and_survives_json():
    reply = ProbeReply(ReplyKind.TIME_EXCEEDED, "192.0.2.1", 1.5, 63, 56, 11, 0)
    labelled = ProbeReply(ReplyKind.TIME_EXCEEDED, "192.0.2.9", 2.0, mpls=(STACK[0],))
    hop = Hop(3, [reply, ProbeReply(), labelled, reply])

    again = Hop.from_json(json.loads(json.dumps(hop.to_json())))

    assert again == hop
    assert hop.responders == ["192.0.2.1", "192.0.2.9"]
    assert hop.rtts_ms == [1.5, 2.0, 1.5]
    assert not hop.silent
    assert Hop(4, [ProbeReply(), ProbeReply()]).silent


class CountingTransport:
    """Records when each probe leaves and never answers."""

    def __init__(self) -> None:
        self.sent_at: list[float] = []

    def open(self, family: int, protocol: str) -> None:
        pass

    def send(self, family: int, destination: str, data: bytes) -> float:
        self.sent_at.append(time.monotonic())
        return self.sent_at[-1]

    def receive(self, timeout: float) -> list:
        time.sleep(timeout)
        return []


class EndlessPlan:
    """Wants a probe at TTL 1 whenever asked, until told to stop."""

    flow = Flow(4, "icmp", "192.0.2.1", "192.0.2.2", 7, 0, 1, 60)
    finished = False

    def next_order(self, now: float) -> ProbeOrder:
        return ProbeOrder(ttl=1)

    def wake_at(self) -> None:
        return None

    def on_sent(self, probe) -> None:
        pass

    def on_reply(self, probe, reply) -> None:
        pass

    def on_silence(self, probe) -> None:
        pass

    def on_deadline(self) -> None:
        self.finished = True


def test_probes_of_many_plans_never_exceed_the_budget():
    transport = CountingTransport()
    rate = 400

    Session(transport, rate, timeout=0.05).run(
        [EndlessPlan() for _ in range(5)], time.monotonic() + 0.5
    )

    burst = rate * BURST_SECONDS
    sent = transport.sent_at
    for index, moment in enumerate(sent):
        window = [t for t in sent[index:] if t - moment <= 0.1]
        assert len(window) <= burst + rate * 0.1 + 1
    assert burst < len(sent) <= burst + rate * 0.5 + 1

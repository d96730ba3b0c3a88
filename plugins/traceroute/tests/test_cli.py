"""The traceroute command line on loopback, options, names and matching."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import threading
import time

import dns.message
import dns.rcode
import dns.rrset
import pytest
from probeops import Result, engine
from probeops.cli import main
from probeops.hopprobe.probes import Flow
from probeops.hopprobe.replies import Answer, quoted_keys
from probeops.hopprobe.session import run_plans
from probeops.hopprobe.transport import RawTransport
from probeops.hops import ReplyKind
from probeops.plugins import get_registry
from probeops_traceroute.plan import TraceLimits, TracePlan


def probeops(capsys, *arguments: str) -> subprocess.CompletedProcess:
    """Run the CLI in this process and capture what it prints."""
    code = main(list(arguments))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(arguments, code, captured.out, captured.err)


def test_loopback_trace_prints_like_traceroute_n(capsys):
    ours = probeops(capsys, "run", "traceroute", "127.0.0.1")
    reference = subprocess.run(
        ["traceroute", "-n", "127.0.0.1"], capture_output=True, text=True
    )

    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines()[0] == reference.stdout.splitlines()[0]
    words = ours.stdout.splitlines()[1].split()
    assert words[:2] == ["1", "127.0.0.1"]
    assert words[3::2] == ["ms", "ms", "ms"]


def test_json_output_round_trips_into_results(capsys):
    completed = probeops(capsys, "run", "traceroute", "::1", "-T", "--json")

    results = [Result.from_json(doc) for doc in json.loads(completed.stdout)]
    assert results[0].body["hops"][0]["probes"][0]["kind"] == "tcp_reset"
    assert results[0].body["flow"]["protocol"] == "tcp"


def test_trace_does_not_import_scapy():
    code = (
        "import sys; from probeops.cli import main; "
        "main(['run', 'traceroute', '127.0.0.1']); "
        "print('scapy' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    assert completed.stdout.splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--protocol", "sctp"], ["protocol", "'sctp'", "icmp, udp, tcp"]),
        (["-f", "9", "-m", "3"], ["first_ttl", "max_ttl (3)", "got 9"]),
        (["-q", "0"], ["queries", "between 1 and 10", "got 0"]),
        (["-s", "20"], ["size", "between 50 and 9000", "got 20"]),
        (["-p", "70000"], ["port", "between 1 and 65535", "got 70000"]),
    ],
)
def test_bad_option_names_the_value_and_what_is_allowed(capsys, arguments, words):
    completed = probeops(capsys, "run", "traceroute", "127.0.0.1", *arguments)

    assert completed.returncode == 2
    for word in words:
        assert word in completed.stderr


def test_scoped_ipv6_target_is_refused_with_a_reason(capsys):
    completed = probeops(capsys, "run", "traceroute", "fe80::1%lo")

    assert completed.returncode == 2
    assert "scoped address fe80::1%lo" in completed.stderr


class PtrServer:
    """A one-name DNS server on loopback answering PTR queries."""

    def __init__(self, name: str) -> None:
        import socket

        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            self.sock.sendto(self.answer(query).to_wire(), peer)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        question = query.question[0]
        reply.answer.append(
            dns.rrset.from_text(question.name, 60, "IN", "PTR", self.name + ".")
        )
        return reply

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def test_hop_names_come_from_the_configured_resolver(monkeypatch):
    server = PtrServer("loopback.lab.example")
    monkeypatch.setenv("PROBEOPS_RESOLVER", f"127.0.0.1:{server.port}")
    try:
        registry = get_registry()
        results = engine.measure(registry, "traceroute", ["127.0.0.1"], {"names": True})
    finally:
        server.close()

    assert results[0].body["names"] == {"127.0.0.1": "loopback.lab.example"}
    text = registry.diagnostic("traceroute").render(results)
    assert "loopback.lab.example (127.0.0.1)" in text.splitlines()[1]


class NxdomainServer(PtrServer):
    """A DNS server on loopback for which no name exists."""

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        reply.set_rcode(dns.rcode.NXDOMAIN)
        return reply


def test_name_that_does_not_resolve_prints_one_plain_line(capsys, monkeypatch):
    server = NxdomainServer("unused")
    monkeypatch.setenv("PROBEOPS_RESOLVER", f"127.0.0.1:{server.port}")
    try:
        completed = probeops(capsys, "run", "traceroute", "nx.test")
    finally:
        server.close()

    assert completed.returncode == 1
    [line] = completed.stdout.splitlines()
    assert line.startswith("traceroute: nx.test: ")
    assert "nx.test" in line[len("traceroute: nx.test: ") :]
    assert "None" not in completed.stdout


def test_ipv4_literal_asked_over_ipv6_prints_one_plain_line(capsys):
    completed = probeops(capsys, "run", "traceroute", "-6", "127.0.0.1")

    [line] = (completed.stdout + completed.stderr).splitlines()
    assert completed.returncode in (1, 2)
    assert "127.0.0.1" in line and "IPv6" in line
    assert "None" not in line and "hops max" not in line


class ReversedReplies:
    """Answers probes as a 3-hop path would, delivering replies backwards."""

    def __init__(self) -> None:
        self.waiting: list[Answer] = []

    def open(self, family: int, protocol: str) -> None:
        pass

    def send(self, family: int, destination: str, data: bytes) -> float:
        ttl = data[8]
        keys, _ = quoted_keys(data, family)
        if ttl >= 3:
            answer = Answer(ReplyKind.ECHO_REPLY, destination, 62, 60, keys)
        else:
            router = f"192.0.2.{ttl}"
            answer = Answer(ReplyKind.TIME_EXCEEDED, router, 64, 88, keys, 11, 0)
        self.waiting.append(answer)
        return time.monotonic()

    def receive(self, timeout: float) -> list[tuple[float, Answer]]:
        time.sleep(0.001)
        arrived = [(time.monotonic(), answer) for answer in reversed(self.waiting)]
        self.waiting = []
        return arrived

    def __enter__(self) -> ReversedReplies:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def test_replies_are_matched_on_the_quoted_probe_not_arrival_order():
    flow = Flow(4, "icmp", "192.0.2.100", "192.0.2.200", 4242, 0, 99, 60)
    plan = TracePlan(flow, TraceLimits(queries=3, in_flight=30))

    run_plans([plan], 1000, 1.0, time.monotonic() + 5, ReversedReplies())

    assert plan.stop_reason.value == "destination_reached"
    assert [hop.responders for hop in plan.hops()] == [
        ["192.0.2.1"],
        ["192.0.2.2"],
        ["192.0.2.200"],
    ]


def test_default_deadline_leaves_room_for_a_thousand_targets_at_the_rate():
    diagnostic = get_registry().diagnostic("traceroute")
    options = diagnostic.load_options({"rate": 20})

    seconds = diagnostic.default_deadline(options)

    assert seconds >= 1024 * 30 * 3 / 20


class InterruptedReplies(ReversedReplies):
    """Delivers the first batch of replies, then Ctrl-C arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.batches = 0

    def receive(self, timeout: float) -> list[tuple[float, Answer]]:
        self.batches += 1
        if self.batches > 1:
            raise KeyboardInterrupt
        return super().receive(timeout)


def test_interrupted_trace_keeps_the_hops_answered_so_far():
    flow = Flow(4, "icmp", "192.0.2.100", "192.0.2.200", 4242, 0, 99, 60)
    plan = TracePlan(flow, TraceLimits(queries=3, in_flight=3))
    transport = InterruptedReplies()

    run_plans([plan], 1000, 1.0, time.monotonic() + 5, transport)

    assert plan.interrupted
    assert plan.stop_reason.value == "interrupted"
    assert [hop.responders for hop in plan.hops()] == [["192.0.2.1"]]
    assert len(plan.hops()[0].probes) == 3


def test_probe_the_kernel_refuses_is_unsent_and_ends_the_trace(capsys, monkeypatch):
    def refuse(self, family: int, destination: str, data: bytes) -> float:
        raise OSError(errno.EMSGSIZE, "Message too long")

    monkeypatch.setattr(RawTransport, "send", refuse)
    completed = probeops(capsys, "run", "traceroute", "127.0.0.1", "-s", "9000")
    as_json = probeops(capsys, "run", "traceroute", "127.0.0.1", "--json")

    assert completed.returncode == 1
    assert completed.stdout.splitlines()[1:] == [
        " 1  (not sent: EMSGSIZE) (not sent: EMSGSIZE) (not sent: EMSGSIZE)",
        "# probes to 127.0.0.1 could not be sent: EMSGSIZE (Message too long)",
    ]
    [result] = json.loads(as_json.stdout)
    assert result["body"]["stop_reason"] == "send_failed"
    probes = result["body"]["hops"][0]["probes"]
    assert [(p["kind"], p["error"]) for p in probes] == [("unsent", "EMSGSIZE")] * 3

"""Fixtures for traceroute tests: labs, running traces, reference tools."""

from __future__ import annotations

import re

import pytest
from probeops import Result, engine
from probeops.lab.fixtures import make_lab, make_module_lab  # noqa: F401
from probeops.lab.reference import traceroute_hops
from probeops.plugins import get_registry

MTR_ONCE = ["mtr", "-r", "-n", "-c", "1", "-i", "0.1", "--gracetime", "0.3"]
REFERENCE_COMMANDS = {
    ("traceroute", "icmp"): ["traceroute", "-n", "-I", "-w", "1"],
    ("traceroute", "udp"): ["traceroute", "-n", "-U", "-w", "1"],
    ("traceroute", "tcp"): ["traceroute", "-n", "-T", "-p", "80", "-w", "1"],
    ("mtr", "icmp"): [*MTR_ONCE],
    ("mtr", "udp"): [*MTR_ONCE, "-u"],
    ("mtr", "tcp"): [*MTR_ONCE, "-T", "-P", "80"],
    ("scamper", "icmp"): ["scamper", "-c", "trace -P icmp-paris -w 1"],
    ("scamper", "udp"): ["scamper", "-c", "trace -P udp-paris -w 1"],
    ("scamper", "tcp"): ["scamper", "-c", "trace -P tcp -d 80 -w 1"],
}
SCAMPER_UDP_V6 = ["scamper", "-c", "trace -P udp -w 1"]
"""scamper 20211212 hears no reply to its UDP-Paris probes over IPv6 (see
test_scamper_udp_paris_misses_ipv6_replies), so IPv6 compares classic UDP."""
MTR_LINE = re.compile(r"^\s*(\d+)\.\|--\s+(\S+)")
SCAMPER_LINE = re.compile(r"^\s*(\d+)\s+(\S+)")


def trace_in(lab, target: str, node: str = "client", **options) -> Result:
    """Trace ``target`` from inside ``node`` through the engine."""
    options.setdefault("timeout", 1.0)
    with lab.inside(node):
        return engine.measure(get_registry(), "traceroute", [target], options)[0]


def responders(result: Result) -> list[set[str]]:
    return [set(hop["responders"]) for hop in result.body["hops"]]


def reference_hops(lab, tool: str, protocol: str, address: str) -> list[set[str]]:
    """The hop list a reference tool prints, run inside the client."""
    command = [*REFERENCE_COMMANDS[tool, protocol]]
    if (tool, protocol) == ("scamper", "udp") and ":" in address:
        command = [*SCAMPER_UDP_V6]
    command += ["-i", address] if tool == "scamper" else [address]
    output = lab.exec("client", command, timeout=60).stdout
    if tool == "traceroute":
        return [hop.addresses for hop in traceroute_hops(output)]
    pattern = MTR_LINE if tool == "mtr" else SCAMPER_LINE
    rows = [pattern.match(line) for line in output.splitlines()]
    return [_addresses(row.group(2)) for row in rows if row]


def _addresses(text: str) -> set[str]:
    return set() if text in ("???", "*") else {text}


class Tracer:
    """Test helpers, handed out by the ``tracer`` fixture."""

    trace = staticmethod(trace_in)
    reference = staticmethod(reference_hops)
    responders = staticmethod(responders)


@pytest.fixture
def tracer() -> type[Tracer]:
    return Tracer

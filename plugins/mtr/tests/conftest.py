"""Fixtures for MTR tests: labs, MTR runs through the engine, ``mtr -r``."""

from __future__ import annotations

import re

import pytest
from probeops import Result, engine
from probeops.lab.fixtures import make_lab, make_module_lab  # noqa: F401
from probeops.plugins import get_registry

MTR_ROW = re.compile(r"^\s*(\d+)\.\|--\s+(\S+)\s+([\d.]+)%")
PROTOCOL_FLAGS = {"icmp": [], "udp": ["-u"], "tcp": ["-T", "-P", "80"]}


class Runner:
    """Test helpers, handed out by the ``mtr`` fixture."""

    @staticmethod
    def run(lab, target: str, node: str = "client", **options) -> Result:
        """Run the MTR diagnostic towards ``target`` from inside ``node``."""
        options = {"cycles": 3, "interval": 0.05, "timeout": 1.0, **options}
        with lab.inside(node):
            return engine.measure(get_registry(), "mtr", [target], options)[0]

    @staticmethod
    def reference(lab, target: str, protocol: str, cycles: int = 1):
        """Per hop of ``mtr -r -n``: the address (or ``???``) and loss %."""
        command = ["mtr", "-r", "-n", "-c", str(cycles), "-i", "0.05"]
        command += ["--gracetime", "0.3", *PROTOCOL_FLAGS[protocol], target]
        output = lab.exec("client", command, timeout=60).stdout
        rows = [MTR_ROW.match(line) for line in output.splitlines()]
        return [(row.group(2), float(row.group(3))) for row in rows if row]

    @staticmethod
    def table(result: Result) -> list[tuple[str, float]]:
        """Per hop: the first responder (or ``???``) and the loss %."""
        return [
            (
                hop["responders"][0]["address"] if hop["responders"] else "???",
                hop["loss_percent"],
            )
            for hop in result.body["hops"]
        ]


@pytest.fixture
def mtr() -> type[Runner]:
    return Runner

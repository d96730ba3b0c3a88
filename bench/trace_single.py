"""One trace of a 3-hop lab path: ProbeOps against ``traceroute -n``.

For ProbeOps it prints the time from the first probe to the finished
result (measured inside the engine) and, separately, the start-up of the
``probeops`` command. For ``traceroute -n`` it prints the whole-process wall
time, whose own start-up is a millisecond or so. Medians over ``--runs``
traces. Run as root: ``.venv/bin/python bench/trace_single.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from probeops import engine
from probeops.lab import Lab
from probeops.plugins import get_registry

PROBEOPS = Path(sys.executable).with_name("probeops")


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    """Whole-process wall time in milliseconds."""
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    return (time.perf_counter() - started) * 1000


def engine_times(lab: Lab, address: str, runs: int) -> tuple[list[float], ...]:
    """First probe to result, and the whole ``measure`` call, in ms."""
    registry = get_registry()
    traces, measures = [], []
    with lab.inside("client"):
        for _ in range(runs):
            started = time.perf_counter()
            result = engine.measure(registry, "traceroute", [address], {})[0]
            measures.append((time.perf_counter() - started) * 1000)
            assert result.body["hop_count"] == 3, result.body
            traces.append(result.body["trace_ms"])
    return traces, measures


def process_times(lab: Lab, address: str, runs: int) -> dict[str, list[float]]:
    """Whole-process wall times of the CLIs, run inside the client."""
    only = {**os.environ, "PROBEOPS_PLUGINS": "probeops-traceroute"}
    ours = [str(PROBEOPS), "run", "traceroute", address]
    figures: dict[str, list[float]] = {"traceroute": [], "every": [], "only": []}
    with lab.inside("client"):
        for _ in range(runs):
            figures["traceroute"].append(wall(["traceroute", "-n", address]))
            figures["every"].append(wall(ours))
            figures["only"].append(wall(ours, only))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    with Lab.chain(routers=2, targets=1) as lab:
        address = lab.addr("t1", 4)
        traces, measures = engine_times(lab, address, arguments.runs)
        processes = process_times(lab, address, max(3, arguments.runs // 4))
    reference = statistics.median(processes["traceroute"])
    trace = statistics.median(traces)
    print(f"one 3-hop trace, UDP, 3 probes per hop (median ms of {arguments.runs}):")
    print(f"  probeops first probe to result     {trace:8.3f}")
    print(f"  probeops engine.measure() call     {statistics.median(measures):8.3f}")
    print(f"  traceroute -n whole process        {reference:8.3f}")
    print(f"  ratio traceroute / probeops trace  {reference / trace:8.2f}")
    every = statistics.median(processes["every"])
    only = statistics.median(processes["only"])
    print("start-up, whole `probeops run traceroute` process (median ms):")
    print(f"  every plugin loaded                  {every:8.1f}")
    print(f"  PROBEOPS_PLUGINS=probeops-traceroute {only:8.1f}")


if __name__ == "__main__":
    main()

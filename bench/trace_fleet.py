"""Trace 256 lab destinations 3 hops away with ProbeOps and with scamper.

Both run inside the lab's client namespace at the same packets-per-second
budget, ICMP Paris probes, 3 probes per hop; the script prints each tool's
whole-process wall time and the ratio. scamper's ``-q 3`` stops at the first
answer of each hop, so it also runs with ``-Q`` (all 3 probes sent), which
is the like-for-like figure. Run as root:
``.venv/bin/python bench/trace_fleet.py [--pps 1000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from probeops.lab import Lab

PROBEOPS = Path(sys.executable).with_name("probeops")
FLEET = "198.19.100.0/24"


def fleet_addresses() -> list[str]:
    """Every address of the fleet prefix, .0 to .255: 256 destinations."""
    return [f"198.19.100.{host}" for host in range(256)]


def add_fleet(lab: Lab) -> None:
    """Make t1 answer for the whole fleet prefix and route it there."""
    lab.exec("t1", ["ip", "route", "add", "local", FLEET, "dev", "lo"])
    target = lab.addr("t1", 4)
    for node in ("client", "r1", "r2"):
        route = lab.exec(node, ["ip", "-o", "route", "get", target]).stdout.split()
        via = route[route.index("via") + 1] if "via" in route else target
        lab.exec(node, ["ip", "route", "add", FLEET, "via", via])


def timed(lab: Lab, command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = lab.exec("client", command, timeout=600)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {done.stderr}")
    return wall, done.stdout


def probeops_run(lab: Lab, targets: Path, pps: int, only_traceroute: bool) -> float:
    plugins = "probeops-traceroute" if only_traceroute else "*"
    command = ["env", f"PROBEOPS_PLUGINS={plugins}", str(PROBEOPS), "run"]
    command += ["traceroute", "--targets-file", str(targets)]
    command += ["-I", "-q", "3", "--rate", str(pps), "--json"]
    wall, output = timed(lab, command)
    results = json.loads(output)
    complete = [r for r in results if r["body"].get("hop_count") == 3]
    probes = sum(len(h["probes"]) for r in results for h in r["body"]["hops"])
    print(
        f"  probeops (plugins {plugins}): {len(complete)}/256 reached at hop 3, "
        f"{probes} probes kept"
    )
    return wall


def scamper_run(lab: Lab, targets: Path, pps: int, every_probe: bool) -> float:
    method = "trace -P icmp-paris -q 3" + (" -Q" if every_probe else "")
    command = ["scamper", "-c", method, "-p", str(pps), "-f", str(targets)]
    wall, output = timed(lab, command)
    reached = sum(
        1
        for block in output.split("traceroute from")[1:]
        if block.strip().splitlines()[-1].split()[0] == "3"
    )
    print(f"  scamper{' -Q' if every_probe else ''}: {reached}/256 reached at hop 3")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with Lab.chain(routers=2, targets=1) as lab, tempfile.TemporaryDirectory() as tmp:
        add_fleet(lab)
        targets = Path(tmp) / "fleet.txt"
        targets.write_text("\n".join(fleet_addresses()) + "\n")
        figures: dict[str, list[float]] = {
            "probeops": [],
            "only": [],
            "scamper": [],
            "-Q": [],
        }
        for run in range(arguments.runs):
            print(f"run {run + 1} at {arguments.pps} packets per second")
            figures["probeops"].append(probeops_run(lab, targets, arguments.pps, False))
            figures["only"].append(probeops_run(lab, targets, arguments.pps, True))
            figures["scamper"].append(scamper_run(lab, targets, arguments.pps, False))
            figures["-Q"].append(scamper_run(lab, targets, arguments.pps, True))
        report(figures, arguments.pps)


def report(figures: dict[str, list[float]], pps: int) -> None:
    every = statistics.median(figures["probeops"])
    only = statistics.median(figures["only"])
    print(f"\n256 destinations x 3 hops x 3 probes at {pps} pps (median wall s):")
    print(f"  probeops, every plugin loaded         {every:8.2f}")
    print(f"  probeops, PROBEOPS_PLUGINS=traceroute {only:8.2f}")
    for key, label in (("scamper", "scamper -q 3"), ("-Q", "scamper -q 3 -Q")):
        theirs = statistics.median(figures[key])
        print(
            f"  {label:<37} {theirs:8.2f}   scamper/probeops "
            f"{theirs / every:5.2f} (every plugin) {theirs / only:5.2f} (traceroute)"
        )


if __name__ == "__main__":
    main()

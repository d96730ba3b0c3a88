"""Sweep 10,200 loopback addresses with ProbeOps and with fping, side by side.

Prints whole-process wall time and peak memory of each, and the ratios. Also
times ``probeops run ping 127.0.0.1 -c 1`` start-up and checks that scapy is
never imported by ping. Run as root: ``.venv/bin/python bench/ping_sweep.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBEOPS = Path(sys.executable).with_name("probeops")


def sweep_addresses() -> list[str]:
    """127.20.1.1 to 127.20.40.255: 40 x 255 = 10,200 addresses."""
    return [f"127.20.{b}.{c}" for b in range(1, 41) for c in range(1, 256)]


def peak_rss(argv: list[str]) -> tuple[float, int, str]:
    """Wall time and the command's own peak RSS, via GNU time when present."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        done = subprocess.run(
            [gnu_time, "-f", "%M", "-o", report.name, *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        kib = int(report.read().strip().splitlines()[-1])
    return wall, kib, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    env = {**os.environ, "PROBEOPS_PLUGINS": os.environ.get("PROBEOPS_PLUGINS", "*")}
    os.environ.update(env)

    with tempfile.NamedTemporaryFile("w", suffix=".txt") as hosts:
        hosts.write("\n".join(sweep_addresses()) + "\n")
        hosts.flush()
        ours_cmd = [
            str(PROBEOPS),
            "run",
            "ping",
            "--targets-file",
            hosts.name,
            "-c",
            "3",
            "-i",
            "0.01",
            "--rate",
            "0",
        ]
        fping_cmd = ["fping", "-q", "-C", "3", "-p", "10", "-i", "0", "-f", hosts.name]
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(peak_rss(ours_cmd))
            theirs.append(peak_rss(fping_cmd))

    alive = ours[-1][2].strip().splitlines()[-1]
    our_wall = statistics.median(run[0] for run in ours)
    their_wall = statistics.median(run[0] for run in theirs)
    our_rss = max(run[1] for run in ours)
    their_rss = max(run[1] for run in theirs)
    print(f"sweep of 10,200 addresses x 3 packets, median of {rounds} runs")
    print(
        f"  probeops: {our_wall:.3f} s wall, {our_rss / 1024:.1f} MiB peak, ({alive})"
    )
    print(f"  fping:    {their_wall:.3f} s wall, {their_rss / 1024:.1f} MiB peak")
    print(
        f"  ratio:    {our_wall / their_wall:.2f}x wall time (goal <= 1.5x), "
        f"{our_rss / their_rss:.1f}x memory"
    )

    startups = [
        peak_rss([str(PROBEOPS), "run", "ping", "127.0.0.1", "-c", "1", "--json"])[0]
        for _ in range(5)
    ]
    print(
        f"start-up: probeops run ping 127.0.0.1 -c 1: "
        f"{statistics.median(startups):.3f} s median of 5 (goal < 0.4 s)"
    )
    print(f"scapy imported by ping: {_scapy_imported()}")
    return 0


def _scapy_imported() -> bool:
    probe = (
        "import sys\n"
        "from probeops.cli import main\n"
        "main(['run', 'ping', '127.0.0.1', '-c', '1', '--json'])\n"
        "print('SCAPY' if 'scapy' in sys.modules else 'NOSCAPY', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return "NOSCAPY" not in done.stderr


if __name__ == "__main__":
    sys.exit(main())

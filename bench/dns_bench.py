"""10,000 queries to the lab's authoritative server: ProbeOps beside dnsperf.

Starts the DNS lab (Knot DNS on 127.53.N.3), writes one query file of
10,000 names, and in one run sends it with dnsperf (one client, 100 queries
in flight, the default) and with ProbeOps (100 in flight, the default): in
process through the engine, and as the ``probeops run dns`` command line,
JSON output included. Prints queries per second and the ratios, median of
``--rounds``. Needs knotd, unbound and dnsperf:
``.venv/bin/python bench/dns_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from probeops.engine import measure
from probeops.plugins import load_registry
from probeops_dns.lab import dns_lab

PROBEOPS = Path(sys.executable).with_name("probeops")
QUERIES = 10_000
NAMES = [
    "www.plain.lab",
    "mail.plain.lab",
    "sip.plain.lab",
    "private.plain.lab",
    "alias.plain.lab",
    "any.wild.plain.lab",
    "ns.plain.lab",
    "nope.plain.lab",
]


def query_names() -> list[str]:
    return [NAMES[i % len(NAMES)] for i in range(QUERIES)]


def dnsperf_qps(address: str, port: int, path: str) -> float:
    """dnsperf's own queries-per-second figure for one pass over the file."""
    command = ["dnsperf", "-s", address, "-p", str(port), "-d", path, "-n", "1"]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    completed = re.search(r"Queries completed:\s+(\d+)", output.stdout)
    if completed is None or int(completed.group(1)) != QUERIES:
        raise SystemExit(f"dnsperf did not complete every query:\n{output.stdout}")
    return float(re.search(r"Queries per second:\s+([\d.]+)", output.stdout).group(1))


def engine_qps(registry, server: str, names: list[str]) -> tuple[float, Counter]:
    """ProbeOps in process: engine.measure over every name."""
    started = time.perf_counter()
    results = measure(registry, "dns", names, {"server": [server]})
    elapsed = time.perf_counter() - started
    return len(names) / elapsed, Counter(r.body["kind"] for r in results)


def cli_qps(server: str, path: str) -> float:
    """ProbeOps as a command: start-up, queries and JSON output.

    Only the DNS plugin is loaded, so other distributions' imports do not
    count against it.
    """
    command = [str(PROBEOPS), "run", "dns", "--targets-file", path]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--server", server, "--json"],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PROBEOPS_PLUGINS": "probeops-dns"},
        check=False,
    )
    return QUERIES / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    names = query_names()
    registry = load_registry()
    with dns_lab() as lab, tempfile.TemporaryDirectory() as scratch:
        server = lab.server("zones")
        perf_file = Path(scratch, "queries.txt")
        perf_file.write_text("".join(f"{name} A\n" for name in names))
        targets_file = Path(scratch, "targets.txt")
        targets_file.write_text("\n".join(names) + "\n")
        figures = {"dnsperf": [], "engine": [], "cli": []}
        for _ in range(rounds):
            figures["dnsperf"].append(
                dnsperf_qps(lab.addresses.zones, lab.port, str(perf_file))
            )
            qps, kinds = engine_qps(registry, server, names)
            figures["engine"].append(qps)
            figures["cli"].append(cli_qps(server, str(targets_file)))
    report(figures, kinds, rounds)
    return 0


def report(figures: dict[str, list[float]], kinds: Counter, rounds: int) -> None:
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{QUERIES} queries to Knot DNS on loopback, median of {rounds} rounds")
    print(f"  dnsperf              {median['dnsperf']:>10,.0f} queries/s")
    print(f"  probeops (engine)    {median['engine']:>10,.0f} queries/s")
    print(f"  probeops (command)   {median['cli']:>10,.0f} queries/s")
    print(f"  ratio engine/dnsperf  {median['engine'] / median['dnsperf']:.3f}")
    print(f"  ratio command/dnsperf {median['cli'] / median['dnsperf']:.3f}")
    print(f"  probeops outcomes: {dict(kinds)}")


if __name__ == "__main__":
    sys.exit(main())

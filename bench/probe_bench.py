"""Probe agent: idle memory and CPU, and replay of 100,000 buffered results.

* idle: a `probeops-probe agent` enrolled with the platform and left alone
  (default pace: heartbeat every 30 s, poll every 5 s) for --idle seconds;
  its RSS and CPU share beside a bare `python` sleeping, the reference.
* replay: 100,000 ping results committed to the agent's SQLite outbox,
  then uploaded in batches of 1,000 to the platform, which stores each id
  once; beside it, the same batches posted to a loopback HTTP sink that
  reads and discards them (the transport's ceiling), and the ratio.

Goals: idle RSS <= 60 MB, replay >= 2,000 results/s.
The platform is the embedded profile (SQLite) served by werkzeug in a child
process on 127.0.0.1; nothing leaves loopback.

Run: .venv/bin/python bench/probe_bench.py [--results 100000] [--idle 15]
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from probeops.plugins import get_registry
from probeops_probe.agent import Agent, Pace
from probeops_probe.outbox import Outbox
from probeops_store.testing import free_port

SAMPLE = {
    "diagnostic": "ping",
    "target": "127.0.0.1",
    "address": "127.0.0.1",
    "status": "finished",
    "duration_ms": 12.5,
    "body": {
        "summary": {"sent": 1, "received": 1, "loss_pct": 0.0, "avg_ms": 0.07},
        "packets": [{"seq": 1, "rtt_ms": 0.07, "ttl": 64}],
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=15.0)
    parser.add_argument("--serve", nargs=2, metavar=("DATA_DIR", "PORT"))
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory(prefix="probe-bench-") as scratch:
        run(Path(scratch), args.results, args.idle)


def serve(data_dir: Path, port: int) -> None:
    """The embedded platform on 127.0.0.1:port (child process)."""
    from probeops_webapp.testing import embedded_platform
    from werkzeug.serving import make_server

    platform = embedded_platform(data_dir)
    make_server("127.0.0.1", port, platform.app, threaded=True).serve_forever()


def run(scratch: Path, results: int, idle: float) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    tokens = _tokens(scratch / "platform", count=2)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(scratch / "platform"), str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port)
        idle_report(scratch / "idle", api, tokens[0], idle)
        replay_report(scratch / "replay", api, tokens[1], results)
    finally:
        server.terminate()
        server.wait()


def _tokens(data_dir: Path, count: int) -> list[str]:
    from probeops_probe.testing import enrolment_token
    from probeops_webapp.testing import embedded_platform

    platform = embedded_platform(data_dir)
    admin = platform.user("admin")
    made = [enrolment_token(platform.client, admin) for _ in range(count)]
    platform.queue.close()
    platform.store.dispose()
    return made


def _wait_listening(port: int) -> None:
    import socket

    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the platform did not listen on port {port}")


def _probe(state: Path, api: str, token: str) -> None:
    command = [sys.executable, "-m", "probeops_probe.cli", "enrol", "--api", api]
    command += ["--token", token, "--name", state.name, "--state", str(state)]
    subprocess.run(command, check=True, capture_output=True)


def idle_report(state: Path, api: str, token: str, seconds: float) -> None:
    _probe(state, api, token)
    agent = subprocess.Popen(
        [sys.executable, "-m", "probeops_probe.cli", "agent", "--state", str(state)],
        stderr=subprocess.DEVNULL,
    )
    reference = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(3600)"]
    )
    try:
        time.sleep(3)
        start = {p.pid: _cpu(p.pid) for p in (agent, reference)}
        time.sleep(seconds)
        for name, process in (("agent", agent), ("python sleeping", reference)):
            cpu = (_cpu(process.pid) - start[process.pid]) / seconds * 100
            rss = _rss_mb(process.pid)
            print(f"idle {name:16s} RSS {rss:6.1f} MB   CPU {cpu:5.2f} %")
        ratio = _rss_mb(agent.pid) / 60
        print(f"idle agent RSS is {ratio:.2f} x the 60 MB goal")
    finally:
        for process in (agent, reference):
            process.terminate()
            process.wait()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay_report(state: Path, api: str, token: str, count: int) -> None:
    _probe(state, api, token)
    _fill(state, count)
    agent = Agent(state, get_registry(), Pace(batch=1000))

    began = time.perf_counter()
    agent.upload()
    elapsed = time.perf_counter() - began
    left = agent.outbox.stats()["pending"]

    sink_rate = _sink_rate(count)
    rate = count / elapsed
    print(
        f"replay {count} results: {elapsed:.1f} s, {rate:,.0f} results/s, left {left}"
    )
    print(f"sink (read and discard): {sink_rate:,.0f} results/s")
    print(f"ratio probeops/sink {rate / sink_rate:.2f}; goal ratio {rate / 2000:.2f}")


def _fill(state: Path, count: int) -> None:
    outbox = Outbox(state / "outbox.sqlite3")
    for start in range(0, count, 1000):
        outbox.commit(_records(start, min(count, start + 1000)))
    outbox.close()


def _records(start: int, stop: int) -> list[dict]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    return [
        {
            "id": f"bench-{number}",
            "job_id": None,
            "schedule_id": None,
            "position": 0,
            "diagnostic": "ping",
            "target": "127.0.0.1",
            "document": SAMPLE,
            "measured_at": stamp,
            "duration_ms": 12.5,
            "since_sync_s": 1.0,
        }
        for number in range(start, stop)
    ]


class _Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ids = [result["id"] for result in body["results"]]
        answer = json.dumps({"accepted": ids, "duplicates": []}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _sink_rate(count: int) -> float:
    """The same upload against a sink that keeps nothing."""
    from probeops_probe import api

    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{sink.server_address[1]}"
    batch = _records(0, 1000)
    began = time.perf_counter()
    for _ in range(count // len(batch)):
        api.call(base, "POST", "/", "pop_x", {"sent_at": "x", "results": batch})
    elapsed = time.perf_counter() - began
    sink.shutdown()
    sink.server_close()
    return (count // len(batch)) * len(batch) / elapsed


if __name__ == "__main__":
    main()

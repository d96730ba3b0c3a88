"""A platform served inside a lab namespace, and agents in others.

Needs probeops-webapp installed (tests and benchmarks only).

For tests and benchmarks: the API listens only inside the lab's client
namespace; each agent runs in a target namespace and reaches the API over
its veth link. Nothing listens on or talks to an outside address.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

PORT = 8080


class LabServer:
    """The app served in ``node``'s namespace; stopped and started at will."""

    def __init__(self, lab, app, node: str = "client") -> None:
        self.lab, self.app, self.node = lab, app, node
        self.server = None
        self.thread: threading.Thread | None = None

    def start(self) -> LabServer:
        from werkzeug.serving import make_server

        with self.lab.inside(self.node):
            self.server = make_server("0.0.0.0", PORT, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None

    def url_for(self, probe_node: str) -> str:
        """The API's address as seen from ``probe_node`` (its link's far end)."""
        link = self.lab.addr(probe_node, 4).rsplit(".", 1)[0]
        return f"http://{link}.1:{PORT}"


class LabAgent:
    """A ``probeops-probe`` agent in a lab namespace with its state dir."""

    def __init__(self, lab, node: str, state: Path, api: str) -> None:
        self.lab, self.node, self.state, self.api = lab, node, state, api
        self.process: subprocess.Popen | None = None
        self.log = state / "agent.log"
        state.mkdir(parents=True, exist_ok=True)

    def enrol(self, token: str, name: str, *tags: str, extra=()) -> str:
        tag_args = [arg for tag in tags for arg in ("--tag", tag)]
        done = self.lab.exec(
            self.node,
            [*_command(), "enrol", "--api", self.api, "--token", token]
            + ["--name", name, "--state", str(self.state), *tag_args, *extra],
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(f"enrol failed: {done.stderr}")
        return done.stdout.strip().splitlines()[-1]

    def start(self, *flags: str) -> LabAgent:
        pace = ["--heartbeat", "0.5", "--poll", "0.3", *flags]
        with open(self.log, "a") as log:
            self.process = self.lab.popen(
                self.node,
                [*_command(), "agent", "--state", str(self.state), *pace],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """``kill -9``: no chance to finish anything."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        """SIGTERM: the agent finishes its step and exits."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def outbox(self) -> dict[str, int]:
        """The outbox's counters, read straight from its SQLite file."""
        db = sqlite3.connect(self.state / "outbox.sqlite3", timeout=30)
        try:
            counters = dict(db.execute("SELECT name, value FROM counters"))
            pending = db.execute("SELECT count(*) FROM results").fetchone()[0]
        finally:
            db.close()
        return {"pending": pending, **counters}


def _command() -> list[str]:
    return [sys.executable, "-m", "probeops_probe.cli"]


def wait_for(condition, timeout: float = 30.0, every: float = 0.1, what: str = ""):
    """Poll ``condition`` until it returns something true; that value."""
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not true after {timeout}s: {what or condition}")

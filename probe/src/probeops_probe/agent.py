"""The agent loop: heartbeat, take jobs, run scheduled checks, upload.

Results are committed to the outbox before anything else happens to them,
so a crash at any point loses nothing: on restart, jobs whose results were
committed are not run again, and uploads resume from the outbox. The cached
schedule runs while its lease lasts, with or without the API.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from probeops.plugins import Registry

from probeops_probe import __version__, api, checks, identity
from probeops_probe.backoff import Backoff
from probeops_probe.errors import ApiRefused, ApiUnreachable
from probeops_probe.outbox import Outbox

log = logging.getLogger(__name__)

IN_SYNC = 1.0
"""Seconds of difference from the server's clock still counted as in sync."""


@dataclass(frozen=True)
class Pace:
    """How often the agent does each thing, in seconds."""

    heartbeat: float = 30.0
    poll: float = 5.0
    tick: float = 0.2
    batch: int = 500


class Agent:
    """One enrolled probe working from its state directory."""

    def __init__(self, state: Path, registry: Registry, pace: Pace = Pace()) -> None:
        self.state = state
        self.registry = checks.guarded(registry)
        self.pace = pace
        self.credential = identity.load_credential(state)
        self.schedule = identity.load_schedule(state)
        self.outbox = Outbox(state / "outbox.sqlite3")
        self.backoff = Backoff()
        self.next_beat = self.next_poll = 0.0
        self.next_due: dict[str, float] = {}
        self.synced_at: float | None = None
        self.refused = False
        self.last_contact: float | None = None

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set, finishing the step in hand."""
        log.info("probe %s working", self.credential["probe_id"])
        while not stop.is_set():
            self.step()
            stop.wait(self.pace.tick)
        self.outbox.close()

    def step(self) -> None:
        now = time.monotonic()
        if now >= self.next_beat:
            self.next_beat = now + self.pace.heartbeat
            self._talk(self.beat)
        if now >= self.next_poll:
            self.next_poll = now + self.pace.poll
            self._talk(self.take_work)
        self.run_due_checks()
        self._talk(self.upload)

    def _talk(self, action) -> None:
        """Call the API unless backing off; a failure backs off."""
        if not self.backoff.ready():
            return
        try:
            action()
            self.backoff.succeeded()
            self.last_contact = time.monotonic()
        except ApiUnreachable as error:
            wait = self.backoff.failed(error.retry_after)
            log.warning("API unreachable, next try in %.1fs: %s", wait, error)
        except ApiRefused as error:
            self.refused = error.status == 401
            wait = self.backoff.failed()
            log.warning("API refused, next try in %.1fs: %s", wait, error)

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        return api.call(
            self.credential["api"],
            method,
            path,
            self.credential["credential"],
            body,
        )

    def health_checks(self) -> dict[str, Callable[[], None]]:
        """Checks for the health endpoint; they read state, never the outbox.

        The outbox's SQLite connection belongs to the working thread, so
        the checks only look at what that thread last recorded.
        """
        return {"credential": self._check_credential, "api": self._check_contact}

    def _check_credential(self) -> None:
        if self.refused:
            raise RuntimeError("the API refuses this probe's credential (revoked?)")

    def _check_contact(self) -> None:
        if self.last_contact is None:
            raise RuntimeError("the API has not answered yet")
        silent = time.monotonic() - self.last_contact
        if silent > 3 * self.pace.heartbeat:
            raise RuntimeError(f"no answer from the API for {silent:.0f} s")

    def beat(self) -> None:
        """Report this probe; renew the schedule and its lease."""
        sent = time.time()
        answer = self._call("POST", "/api/v1/agent/heartbeat", self._report(sent))
        received = time.time()
        self._note_clock(answer["server_time"], (sent + received) / 2)
        self.schedule = {
            "lease_until": received + answer["lease_seconds"],
            "checks": answer["schedule"],
        }
        identity.save_json(self.state / identity.SCHEDULE, self.schedule)
        self.refused = False

    def _report(self, sent: float) -> dict[str, Any]:
        return {
            **self.credential.get("described", {}),
            "sent_at": datetime.fromtimestamp(sent, UTC).isoformat(),
            "version": __version__,
            "diagnostics": sorted(self.registry.diagnostics),
            "capabilities": identity.capabilities(),
            "outbox": self.outbox.stats(),
        }

    def _note_clock(self, server_time: str, local: float) -> None:
        server = datetime.fromisoformat(server_time).timestamp()
        if abs(server - local) <= IN_SYNC:
            self.synced_at = time.monotonic()

    def since_sync(self) -> float | None:
        if self.synced_at is None:
            return None
        return time.monotonic() - self.synced_at

    def take_work(self) -> None:
        """Run every job not yet done here; commit its results first."""
        jobs = self._call("GET", "/api/v1/agent/work")["jobs"]
        for job in jobs:
            if not self.outbox.job_done(job["id"]):
                self.run_job(job)

    def run_job(self, job: dict[str, Any]) -> None:
        targets = job["targets"]
        ids = [f"{job['id']}-{position}" for position in range(len(targets))]
        context = {"job_id": job["id"], "schedule_id": None, **self._clock()}
        records = checks.run_check(
            self.registry, job["diagnostic"], targets, job["options"], ids, context
        )
        self.outbox.commit(records, job_id=job["id"])
        log.info("job %s measured, %d results committed", job["id"], len(records))

    def _clock(self) -> dict[str, Any]:
        return {"since_sync_s": self.since_sync()}

    def run_due_checks(self) -> None:
        """Run scheduled checks that are due, while the lease lasts."""
        if time.time() >= self.schedule["lease_until"]:
            return
        now = time.monotonic()
        for check in self.schedule["checks"]:
            if now >= self.next_due.get(check["id"], 0.0):
                self.next_due[check["id"]] = now + _spacing(check)
                self.run_scheduled(check)

    def run_scheduled(self, check: dict[str, Any]) -> None:
        context = {"job_id": None, "schedule_id": check["id"], **self._clock()}
        records = checks.run_check(
            self.registry,
            check["diagnostic"],
            [check["target"]],
            check["options"],
            checks.fresh_ids(1),
            context,
        )
        self.outbox.commit(records)

    def upload(self) -> None:
        """Send the outbox in batches until it is empty."""
        while True:
            batch = self.outbox.pending(self.pace.batch)
            if not batch:
                return
            answer = self._call("POST", "/api/v1/agent/results", _upload(batch))
            self.outbox.delivered(answer["accepted"] + answer["duplicates"])
            if answer.get("rejected"):
                log.warning("API rejected %d results", len(answer["rejected"]))
                self.outbox.delivered(answer["rejected"], counter="rejected")
            if len(batch) < self.pace.batch:
                return


def _spacing(check: dict[str, Any]) -> float:
    return check["interval_s"] + random.uniform(0, check.get("jitter_s") or 0)


def _upload(batch: list[dict[str, Any]]) -> dict[str, Any]:
    return {"sent_at": datetime.now(UTC).isoformat(), "results": batch}

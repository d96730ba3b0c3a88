"""MTR cycles driven through a stand-in for the network seam.

The stand-in transport answers each probe as the destination would, after a
chosen delay, so the tests can tell a late reply of the last cycle from a
lost one without a real network.
"""

from __future__ import annotations

import errno
import time
from datetime import UTC, datetime

from probeops import Result
from probeops.hopprobe.paths import send_failure
from probeops.hopprobe.probes import Flow
from probeops.hopprobe.replies import Answer, quoted_keys
from probeops.hopprobe.session import run_plans
from probeops.hops import ReplyKind
from probeops.result import FailureSource, Status
from probeops_mtr.measure import report
from probeops_mtr.plan import CycleLimits, MtrPlan
from probeops_mtr.render import LiveTable, hop_row, render
from probeops_mtr.stats import path_statistics

FLOW = Flow(4, "icmp", "192.0.2.1", "192.0.2.9", 4242, 0, 77, 60)


class DelayedEcho:
    """Answers every probe from the destination, ``delay`` seconds later."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.due: list[tuple[float, Answer]] = []

    def open(self, family: int, protocol: str) -> None:
        pass

    def send(self, family: int, destination: str, data: bytes) -> float:
        keys, _ = quoted_keys(data, family)
        answer = Answer(ReplyKind.ECHO_REPLY, destination, 64, len(data), keys)
        sent_at = time.monotonic()
        self.due.append((sent_at + self.delay, answer))
        return sent_at

    def receive(self, timeout: float) -> list[tuple[float, Answer]]:
        time.sleep(min(timeout, 0.005))
        now = time.monotonic()
        ready = [(at, answer) for at, answer in self.due if at <= now]
        self.due = [(at, answer) for at, answer in self.due if at > now]
        return ready

    def __enter__(self) -> DelayedEcho:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def run_cycles(delay: float, timeout: float) -> MtrPlan:
    plan = MtrPlan(FLOW, CycleLimits(cycles=3, interval=0.01, max_ttl=4))
    run_plans([plan], 1000, timeout, time.monotonic() + 10, DelayedEcho(delay))
    return plan


class InterruptedEcho(DelayedEcho):
    """Answers at once for ``batches`` reads, then Ctrl-C arrives."""

    def __init__(self, batches: int) -> None:
        super().__init__(0.0)
        self.batches = batches

    def receive(self, timeout: float) -> list[tuple[float, Answer]]:
        self.batches -= 1
        if self.batches < 0:
            raise KeyboardInterrupt
        return super().receive(timeout)


def test_interrupted_run_counts_only_the_probes_that_were_settled():
    plan = MtrPlan(FLOW, CycleLimits(cycles=100, interval=0.01, max_ttl=4))

    run_plans([plan], 1000, 1.0, time.monotonic() + 10, InterruptedEcho(3))

    rows = path_statistics(plan.hops())
    assert plan.interrupted and plan.finished
    assert 1 <= plan.cycles_begun < 100
    assert rows[0]["sent"] == rows[0]["received"] >= 1
    assert rows[0]["loss_percent"] == 0.0


class RefusingKernel(DelayedEcho):
    """Refuses every probe, as a firewall dropping output does (EPERM)."""

    def send(self, family: int, destination: str, data: bytes) -> float:
        raise OSError(errno.EPERM, "Operation not permitted")


def test_refused_probes_are_not_counted_as_sent_and_stop_the_run():
    plan = MtrPlan(FLOW, CycleLimits(cycles=10, interval=0.01, max_ttl=4))

    run_plans([plan], 1000, 1.0, time.monotonic() + 10, RefusingKernel(0.0))
    options = {"cycles": 10, "interval": 0.01}
    body = report(plan, options)

    assert plan.refused and plan.cycles_begun == 1
    [row] = body["hops"]
    assert (row["sent"], row["unsent"], row["loss_percent"]) == (0, 1, 0.0)
    assert row["probes"][0]["error"] == "EPERM"
    assert "|-- (not sent)" in hop_row(row)
    assert send_failure(body) == (
        "probes to 192.0.2.9 could not be sent: EPERM (Operation not permitted)"
    )


def test_name_that_does_not_resolve_prints_one_plain_line():
    failure = Result(
        "mtr",
        "0.1.0",
        1,
        "nx.test",
        None,
        datetime.now(UTC),
        0.0,
        Status.FAILED,
        FailureSource.RESOLVER,
        "'nx.test' does not exist",
    )

    assert render([failure]) == "mtr: nx.test: 'nx.test' does not exist"


def test_last_cycle_replies_that_come_before_the_timeout_are_counted():
    plan = run_cycles(delay=0.15, timeout=0.5)

    rows = path_statistics(plan.hops())
    assert [(row["sent"], row["received"]) for row in rows] == [(3, 3)]
    assert rows[0]["loss_percent"] == 0.0
    assert plan.reached()


def test_replies_later_than_the_timeout_count_as_loss():
    plan = run_cycles(delay=0.3, timeout=0.1)

    rows = path_statistics(plan.hops())
    assert [(row["sent"], row["received"]) for row in rows] == [(3, 0)]
    assert rows[0]["loss_percent"] == 100.0
    assert rows[0]["responders"] == []
    assert not plan.reached()


def test_live_table_moves_the_cursor_up_over_the_previous_drawing():
    table = LiveTable()
    hop = {
        "distance": 1,
        "responders": [{"address": "192.0.2.9", "replies": 2}],
        "loss_percent": 0.0,
        "sent": 2,
        "last_ms": 0.1,
        "avg_ms": 0.1,
        "best_ms": 0.1,
        "worst_ms": 0.1,
        "stdev_ms": 0.0,
        "jitter_ms": 0.0,
        "notes": [],
    }
    event = {"destination": "192.0.2.9", "cycles": 5, "hops": [hop]}

    first = table({**event, "cycle": 1})
    second = table({**event, "cycle": 2})

    assert not first.startswith("\033[")
    assert second.startswith("\033[2A")
    assert "192.0.2.9" in second.splitlines()[-1]

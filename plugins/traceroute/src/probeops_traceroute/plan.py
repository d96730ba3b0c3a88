"""One trace as a plan: which TTL to probe next, and when to stop.

Probes go out TTL by TTL, several hops in flight at once, never more than the
gap limit beyond the farthest hop that answered. The verdict reads the hops
in TTL order: the first hop holding a final reply (the destination, or an
unreachable) ends the trace, as does a run of silent hops as long as the gap
limit. Once a final reply is in, probes still out below it are waited for
only a short while, as traceroute does, then counted silent.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from probeops.hopprobe.probes import Flow
from probeops.hopprobe.session import ProbeOrder, SentProbe
from probeops.hops import SILENCE, Hop, ProbeReply, ReplyKind, StopReason

SETTLE_FACTOR = 10
"""After a final reply, wait this many times its RTT for replies below it..."""

SETTLE_FLOOR = 0.05
"""...but at least this many seconds (and at most the probe timeout)."""


@dataclass(frozen=True)
class TraceLimits:
    """How far and how hard one trace probes."""

    first_ttl: int = 1
    max_ttl: int = 30
    queries: int = 3
    gap_limit: int = 5
    in_flight: int = 16
    timeout: float = 3.0


@dataclass(frozen=True)
class Verdict:
    """Why and at which TTL the trace stops."""

    reason: StopReason
    ttl: int


def reached_destination(flow: Flow, reply: ProbeReply) -> bool:
    """Whether ``reply`` is the destination answering the probe itself."""
    if reply.responder != flow.destination:
        return False
    if reply.kind is ReplyKind.UNREACHABLE:
        return reply.flag is None
    return reply.final


class TracePlan:
    """The state of one trace, driven by a probing session."""

    def __init__(
        self,
        flow: Flow,
        limits: TraceLimits,
        progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.flow = flow
        self.limits = limits
        self.progress = progress
        self.replies: dict[int, dict[int, ProbeReply]] = defaultdict(dict)
        self.verdict: Verdict | None = None
        self.first_sent_at: float | None = None
        self.finished_at: float | None = None
        self._cursor = (limits.first_ttl, 0)
        self._pending: dict[int, SentProbe] = {}
        self._farthest_answer = limits.first_ttl - 1
        self._final_ttl: int | None = None
        self._settle_wait: float | None = None
        self._deadline_passed = False
        self.interrupted = False

    @property
    def finished(self) -> bool:
        if self.finished_at is not None:
            return True
        if self._deadline_passed or self.interrupted or self._settled():
            self.finished_at = time.monotonic()
            return True
        return False

    def next_order(self, now: float) -> ProbeOrder | None:
        ttl, query = self._cursor
        if len(self._pending) >= self.limits.in_flight or ttl > self._send_limit():
            return None
        following = (ttl, query + 1)
        if query + 1 >= self.limits.queries:
            following = (ttl + 1, 0)
        self._cursor = following
        return ProbeOrder(ttl=ttl, query=query)

    def wake_at(self) -> float | None:
        """When the oldest probe below a final reply stops being waited for."""
        if self._settle_wait is None or not self._pending:
            return None
        oldest = min(probe.sent_at for probe in self._pending.values())
        return oldest + self._settle_wait

    def on_sent(self, probe: SentProbe) -> None:
        self._pending[id(probe)] = probe
        if self.first_sent_at is None:
            self.first_sent_at = probe.sent_at

    def on_reply(self, probe: SentProbe, reply: ProbeReply) -> None:
        if id(probe) not in self._pending:
            return
        ttl = probe.order.ttl
        self._record(probe, reply)
        self._farthest_answer = max(self._farthest_answer, ttl)
        if reply.final and (self._final_ttl is None or ttl < self._final_ttl):
            self._final_ttl = ttl
            self._start_settling(reply.rtt_ms or 0.0)
        self._decide()

    def on_silence(self, probe: SentProbe) -> None:
        if id(probe) not in self._pending:
            return
        self._record(probe, SILENCE)
        self._decide()

    def on_deadline(self) -> None:
        self._deadline_passed = True

    def on_interrupt(self) -> None:
        self.interrupted = True
        self.finished_at = time.monotonic()

    @property
    def stop_reason(self) -> StopReason:
        if self.verdict is not None:
            return self.verdict.reason
        if self.interrupted:
            return StopReason.INTERRUPTED
        return StopReason.DEADLINE

    def hops(self) -> list[Hop]:
        """The hop list up to the verdict, silent probes kept as ``*``.

        After an interruption, probes still awaiting their reply are left
        out rather than shown as ``*``: their wait was cut short.
        """
        last = self.verdict.ttl if self.verdict else self._last_sent_ttl()
        hops = [
            Hop(ttl, self._probes_at(ttl))
            for ttl in range(self.limits.first_ttl, last + 1)
        ]
        while hops and not hops[-1].probes:
            hops.pop()
        return hops

    def _probes_at(self, ttl: int) -> list[ProbeReply]:
        answers = self.replies.get(ttl, {})
        sent = self._sent_at(ttl)
        if self.interrupted:
            return [answers[query] for query in sent if query in answers]
        return [answers.get(query, SILENCE) for query in sent]

    def _record(self, probe: SentProbe, reply: ProbeReply) -> None:
        self._pending.pop(id(probe), None)
        self.replies[probe.order.ttl][probe.order.query] = reply
        if self.progress is not None:
            self.progress(_progress_event(self.flow, probe, reply))

    def _send_limit(self) -> int:
        limit = min(self.limits.max_ttl, self._final_ttl or self.limits.max_ttl)
        if self.verdict is not None:
            limit = min(limit, self.verdict.ttl)
        if self.limits.gap_limit:
            limit = min(limit, self._farthest_answer + self.limits.gap_limit)
        return limit

    def _decide(self) -> None:
        if self.verdict is None:
            self.verdict = self._read_verdict()

    def _start_settling(self, rtt_ms: float) -> None:
        if self._settle_wait is None:
            wait = max(SETTLE_FLOOR, SETTLE_FACTOR * rtt_ms / 1000)
            self._settle_wait = min(wait, self.limits.timeout)

    def _read_verdict(self) -> Verdict | None:
        gap = 0
        for ttl in range(self.limits.first_ttl, self.limits.max_ttl + 1):
            answers = self.replies.get(ttl, {})
            final = next((r for r in answers.values() if r.final), None)
            if final is not None:
                return Verdict(self._final_reason(final), ttl)
            if len(answers) < self.limits.queries:
                return None
            gap = gap + 1 if all(r.silent for r in answers.values()) else 0
            if self.limits.gap_limit and gap >= self.limits.gap_limit:
                return Verdict(StopReason.GAP_LIMIT, ttl)
        return Verdict(StopReason.MAX_TTL, self.limits.max_ttl)

    def _final_reason(self, reply: ProbeReply) -> StopReason:
        if reply.unsent:
            return StopReason.SEND_FAILED
        if reached_destination(self.flow, reply):
            return StopReason.DESTINATION_REACHED
        return StopReason.UNREACHABLE

    def _settled(self) -> bool:
        if self._settle_wait is not None:
            self._give_up_below(self._final_ttl or self.limits.max_ttl)
        if self.verdict is None or self._cursor[0] <= self.verdict.ttl:
            return False
        return not any(p.order.ttl <= self.verdict.ttl for p in self._pending.values())

    def _give_up_below(self, ttl: int) -> None:
        """Count probes at or below ``ttl`` out for the settle wait as silent."""
        given_up = time.monotonic() - (self._settle_wait or 0.0)
        for probe in list(self._pending.values()):
            if probe.order.ttl <= ttl and probe.sent_at <= given_up:
                self._record(probe, SILENCE)
        self._decide()

    def _sent_at(self, ttl: int) -> range:
        next_ttl, next_query = self._cursor
        if ttl < next_ttl:
            return range(self.limits.queries)
        return range(next_query if ttl == next_ttl else 0)

    def _last_sent_ttl(self) -> int:
        next_ttl, next_query = self._cursor
        last = next_ttl if next_query else next_ttl - 1
        if self._final_ttl is not None:
            last = min(last, self._final_ttl)
        return last


def _progress_event(flow: Flow, probe: SentProbe, reply: ProbeReply) -> dict:
    return {
        "destination": flow.destination,
        "ttl": probe.order.ttl,
        "query": probe.order.query,
        "responder": reply.responder,
        "rtt_ms": reply.rtt_ms,
    }

"""One MTR run as a plan: a cycle of one probe per hop, every interval.

A cycle probes each TTL from the first up to the destination's distance
(up to the largest TTL until the destination has answered). The run is over
once every cycle has been sent and each of its probes has either been
answered or timed out, the last cycle's included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from probeops.hopprobe.probes import Flow
from probeops.hopprobe.session import ProbeOrder, SentProbe
from probeops.hops import SILENCE, Hop, ProbeReply

IN_FLIGHT = 16
"""Probes of one cycle awaiting replies at once."""


@dataclass(frozen=True)
class CycleLimits:
    """How many cycles, how often, and over which TTLs."""

    cycles: int = 10
    interval: float = 1.0
    first_ttl: int = 1
    max_ttl: int = 30


class MtrPlan:
    """The state of one MTR run towards one destination."""

    def __init__(
        self,
        flow: Flow,
        limits: CycleLimits,
        progress: Callable[[MtrPlan], None] | None = None,
    ) -> None:
        self.flow = flow
        self.limits = limits
        self.progress = progress
        self.replies: dict[int, dict[int, ProbeReply]] = defaultdict(dict)
        """Per TTL, the reply of each cycle that probed it."""

        self.final_ttl: int | None = None
        self.deadline_passed = False
        self.interrupted = False
        self.refused = False
        """Whether the kernel refused a probe; the run stops there."""

        self._cycle = -1
        self._next_ttl = limits.max_ttl + 1
        self._started_at: float | None = None
        self._pending: dict[int, SentProbe] = {}

    @property
    def finished(self) -> bool:
        if self.deadline_passed or self.interrupted or self.refused:
            return True
        sent_all = self._cycle >= self.limits.cycles - 1 and not self._cycle_unsent()
        return sent_all and not self._awaited()

    def next_order(self, now: float) -> ProbeOrder | None:
        if not self._cycle_unsent():
            if not self._cycle_due(now):
                return None
            self._begin_cycle(now)
        if len(self._pending) >= IN_FLIGHT:
            return None
        ttl = self._next_ttl
        self._next_ttl += 1
        return ProbeOrder(ttl=ttl, cycle=self._cycle)

    def wake_at(self) -> float | None:
        if self._cycle_unsent() or self._cycle >= self.limits.cycles - 1:
            return None
        return self._cycle_start(self._cycle + 1)

    def on_sent(self, probe: SentProbe) -> None:
        self._pending[id(probe)] = probe

    def on_reply(self, probe: SentProbe, reply: ProbeReply) -> None:
        self.refused = self.refused or reply.unsent
        if self._record(probe, reply) and reply.final:
            ttl = probe.order.ttl
            self.final_ttl = ttl if self.final_ttl is None else min(ttl, self.final_ttl)

    def on_silence(self, probe: SentProbe) -> None:
        self._record(probe, SILENCE)

    def on_deadline(self) -> None:
        self.deadline_passed = True

    def on_interrupt(self) -> None:
        self.interrupted = True

    @property
    def cycles_begun(self) -> int:
        return self._cycle + 1

    def hops(self) -> list[Hop]:
        """Per TTL up to the destination (or the farthest answer), each
        cycle's reply in cycle order; cycles with the probe still out at the
        deadline or at an interruption are left out."""
        hops = []
        for ttl in range(self.limits.first_ttl, self._last_ttl() + 1):
            answers = self.replies.get(ttl, {})
            hops.append(Hop(ttl, [answers[cycle] for cycle in sorted(answers)]))
        while hops and not hops[-1].probes:
            hops.pop()
        return hops

    def reached(self) -> bool:
        """Whether the destination itself answered in any cycle."""
        if self.final_ttl is None:
            return False
        replies = self.replies[self.final_ttl].values()
        return any(reply.responder == self.flow.destination for reply in replies)

    def _record(self, probe: SentProbe, reply: ProbeReply) -> bool:
        if self._pending.pop(id(probe), None) is None:
            return False
        self.replies[probe.order.ttl][probe.order.cycle] = reply
        return True

    def _limit(self) -> int:
        return self.final_ttl or self.limits.max_ttl

    def _cycle_unsent(self) -> bool:
        return self._cycle >= 0 and self._next_ttl <= self._limit()

    def _cycle_due(self, now: float) -> bool:
        if self._cycle >= self.limits.cycles - 1:
            return False
        return self._cycle < 0 or now >= self._cycle_start(self._cycle + 1)

    def _cycle_start(self, cycle: int) -> float:
        return (self._started_at or 0.0) + cycle * self.limits.interval

    def _begin_cycle(self, now: float) -> None:
        if self._started_at is None:
            self._started_at = now
        if self.progress is not None and self._cycle >= 0:
            self.progress(self)
        self._cycle += 1
        self._next_ttl = self.limits.first_ttl

    def _awaited(self) -> bool:
        """Whether a probe that counts (at or below the limit) is still out."""
        limit = self._limit()
        return any(p.order.ttl <= limit for p in self._pending.values())

    def _last_ttl(self) -> int:
        """The destination's TTL, or one past the farthest answer, as mtr
        shows a single ``???`` row where the path goes silent."""
        if self.final_ttl is not None:
            return self.final_ttl
        answered = [
            ttl
            for ttl, answers in self.replies.items()
            if any(not reply.silent for reply in answers.values())
        ]
        silent_next = max(answered, default=self.limits.first_ttl - 1) + 1
        return min(silent_next, self.limits.max_ttl)

"""Pacing probes for many paths at once and matching replies to probes.

A :class:`Plan` says which TTL it wants probed next and hears back what each
probe got. The :class:`Session` interleaves every plan's probes within one
packets-per-second budget, matches replies to probes by the keys of the
quoted probe, and declares a probe silent once its timeout passes.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from probeops.hopprobe.probes import Flow, ProbeKey, build_probe
from probeops.hopprobe.replies import Answer
from probeops.hops import ProbeReply

log = logging.getLogger(__name__)

BURST_SECONDS = 0.05
"""The budget lets this many seconds' worth of probes leave back to back."""

LONGEST_WAIT = 0.5


@dataclass(frozen=True)
class ProbeOrder:
    """A plan's request for one probe."""

    ttl: int
    query: int = 0
    """Which of the probes for this TTL (and cycle) it is."""

    cycle: int = 0


@dataclass(eq=False)
class SentProbe:
    """A probe on the wire, waiting for its reply or its timeout."""

    plan: Plan
    order: ProbeOrder
    number: int
    sent_at: float
    expires_at: float
    keys: tuple[ProbeKey, ...] = ()
    settled: bool = False


class Plan(Protocol):
    """What one path measurement wants probed, and what it makes of replies."""

    flow: Flow

    @property
    def finished(self) -> bool: ...

    def next_order(self, now: float) -> ProbeOrder | None:
        """Return the probe to send now, or ``None`` to send nothing yet."""

    def wake_at(self) -> float | None:
        """When the plan will next want to send, if it is waiting for time."""

    def on_sent(self, probe: SentProbe) -> None: ...

    def on_reply(self, probe: SentProbe, reply: ProbeReply) -> None: ...

    def on_silence(self, probe: SentProbe) -> None: ...

    def on_deadline(self) -> None: ...

    def on_interrupt(self) -> None:
        """The run was interrupted (Ctrl-C): stop, keep what was measured."""


class Transport(Protocol):
    """The network seam: :class:`~probeops.hopprobe.transport.RawTransport`."""

    def open(self, family: int, protocol: str) -> None: ...

    def send(self, family: int, destination: str, data: bytes) -> float:
        """Send one datagram and return its send time.

        Raises ``OSError`` when the kernel refuses it.
        """

    def receive(self, timeout: float) -> list[tuple[float, Answer]]: ...

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc_info: object) -> None: ...


@dataclass
class _Budget:
    """A token bucket of probes per second."""

    rate: float
    tokens: float = 0.0
    refilled_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate * BURST_SECONDS)

    def refill(self, now: float) -> None:
        gained = (now - self.refilled_at) * self.rate
        self.tokens = min(self.capacity, self.tokens + gained)
        self.refilled_at = now

    def next_token_at(self) -> float:
        return self.refilled_at + max(0.0, 1.0 - self.tokens) / self.rate


class Session:
    """Send the probes of many plans and settle each one exactly once."""

    def __init__(self, transport: Transport, rate: float, timeout: float) -> None:
        self.transport = transport
        self.timeout = timeout
        self._budget = _Budget(rate)
        self._waiting: dict[ProbeKey, SentProbe] = {}
        self._expiries: list[tuple[float, int, SentProbe]] = []
        self._tiebreak = itertools.count()
        self._ip_ids = itertools.count(random.SystemRandom().randrange(0x10000))
        self._numbers: dict[int, itertools.count] = {}
        self._turn = 0
        self._starved = False
        self._active: list[Plan] = []

    def run(self, plans: Sequence[Plan], deadline: float) -> None:
        """Probe until every plan is finished or the deadline passes.

        On ``KeyboardInterrupt`` nothing more is sent and every unfinished
        plan hears :meth:`Plan.on_interrupt`, as ping stops on Ctrl-C and
        still reports what it measured.
        """
        for plan in plans:
            self.transport.open(plan.flow.family, plan.flow.protocol)
            self._numbers[id(plan)] = itertools.count()
        self._active = list(plans)
        try:
            self._probe(deadline)
        except KeyboardInterrupt:
            log.info("probing interrupted; %d paths unfinished", len(self._active))
            for plan in self._active:
                if not plan.finished:
                    plan.on_interrupt()
            return
        for plan in self._active:
            plan.on_deadline()

    def _probe(self, deadline: float) -> None:
        while True:
            now = time.monotonic()
            self._expire(now)
            self._active = [plan for plan in self._active if not plan.finished]
            if not self._active or now >= deadline:
                return
            self._send(self._active, now)
            wait = self._wait(self._active, now, deadline)
            for arrived_at, answer in self.transport.receive(wait):
                self._match(arrived_at, answer)

    def _send(self, active: list[Plan], now: float) -> None:
        self._budget.refill(now)
        self._starved = False
        self._turn = (self._turn + 1) % len(active)
        rotation = active[self._turn :] + active[: self._turn]
        wanting = rotation
        while wanting:
            still = []
            for plan in wanting:
                if self._budget.tokens < 1:
                    self._starved = True
                    return
                order = plan.next_order(now)
                if order is not None:
                    self._launch(plan, order)
                    still.append(plan)
            wanting = still

    def _launch(self, plan: Plan, order: ProbeOrder) -> None:
        flow = plan.flow
        number = next(self._numbers[id(plan)])
        packet = build_probe(flow, order.ttl, number, next(self._ip_ids))
        self._budget.tokens -= 1
        try:
            sent_at = self.transport.send(flow.family, flow.destination, packet.data)
        except OSError as error:
            self._refused(SentProbe(plan, order, number, time.monotonic(), 0.0), error)
            return
        expires_at = sent_at + self.timeout
        probe = SentProbe(plan, order, number, sent_at, expires_at, packet.keys)
        for key in packet.keys:
            self._waiting[key] = probe
        heapq.heappush(self._expiries, (expires_at, next(self._tiebreak), probe))
        plan.on_sent(probe)

    def _refused(self, probe: SentProbe, error: OSError) -> None:
        """Record a probe the kernel would not send; it never waits."""
        flow = probe.plan.flow
        log.debug("probe to %s not sent: %s", flow.destination, error.strerror)
        probe.settled = True
        probe.plan.on_sent(probe)
        probe.plan.on_reply(probe, ProbeReply.refused(error))

    def _wait(self, active: list[Plan], now: float, deadline: float) -> float:
        moments = [deadline, now + LONGEST_WAIT]
        if self._expiries:
            moments.append(self._expiries[0][0])
        if self._starved:
            moments.append(self._budget.next_token_at())
        moments.extend(w for plan in active if (w := plan.wake_at()) is not None)
        return max(0.0, min(moments) - now)

    def _match(self, arrived_at: float, answer: Answer) -> None:
        probe = next(
            (self._waiting[k] for k in answer.keys if k in self._waiting), None
        )
        if probe is None:
            log.debug("reply from %s matches no probe", answer.responder)
            return
        self._settle(probe)
        rtt_ms = (arrived_at - probe.sent_at) * 1000
        probe.plan.on_reply(probe, answer.to_reply(rtt_ms))

    def _expire(self, now: float) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            _, _, probe = heapq.heappop(self._expiries)
            if not probe.settled:
                self._settle(probe)
                probe.plan.on_silence(probe)

    def _settle(self, probe: SentProbe) -> None:
        probe.settled = True
        for key in probe.keys:
            if self._waiting.get(key) is probe:
                del self._waiting[key]


def run_plans(
    plans: Sequence[Plan],
    rate: float,
    timeout: float,
    deadline: float,
    transport: Transport | None = None,
) -> None:
    """Probe every plan over raw sockets (or ``transport``) until done."""
    from probeops.hopprobe.transport import RawTransport

    with transport or RawTransport() as opened:
        Session(opened, rate, timeout).run(plans, deadline)

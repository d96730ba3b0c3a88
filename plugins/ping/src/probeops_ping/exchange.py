"""The multiplexed echo engine: many targets, one socket per family.

Requests go out round-robin over the targets, each target at most once per
``interval`` and all of them within a packets-per-second budget. Replies are
read as they arrive and matched on identifier, sequence and the
measurement's token; arrival order means nothing. Round-trip times come from
the monotonic clock, so a stepped wall clock cannot bend them.
"""

from __future__ import annotations

import collections
import errno
import os
import secrets
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from probeops_ping import wire
from probeops_ping.channel import Channel

SEQ_SPACE = 1 << 16
SEND_BATCH = 32
PROGRESS_EVERY_NS = 200_000_000


@dataclass(slots=True)
class Probe:
    """One echo request and what became of it."""

    target: int
    number: int
    ident: int
    seq: int
    sent_ns: int = 0
    state: str = "pending"
    """pending, reply, timeout or error."""

    rtt_ns: int | None = None
    ttl: int | None = None
    size: int | None = None
    duplicates: int = 0
    late_rtt_ns: int | None = None
    error: dict | None = None
    foreign: list[str] | None = None
    """Addresses that answered in the target's place, if any did."""


@dataclass(frozen=True)
class SweepPlan:
    """What to send: addresses, how often, and the limits."""

    addresses: list[str]
    count: int
    interval: float
    size: int
    ttl: int
    timeout: float
    rate: float
    deadline: float


@dataclass(frozen=True)
class SweepProgress:
    """A progress event: requests sent and replies received so far."""

    sent: int
    total: int
    received: int


class Sweep:
    """One run of echo requests over many targets."""

    def __init__(self, plan: SweepPlan) -> None:
        self.plan = plan
        self.token = secrets.token_bytes(wire.TOKEN_LENGTH)
        self.payload = wire.build_payload(plan.size, self.token)
        self.payload_sum = wire.ones_sum(self.payload)
        self.families = [_family(address) for address in plan.addresses]
        self.sockaddrs = [_sockaddr(address) for address in plan.addresses]
        self.probes: dict[tuple[int, int, int], Probe] = {}
        self.by_target: list[list[Probe]] = [[] for _ in plan.addresses]
        self.channels: dict[int, Channel] = {}
        self.base_ident = secrets.randbelow(SEQ_SPACE)
        self.sent = self.received = 0
        self.deadline_reached = False
        self.interrupted = False

    def run(self, progress: Callable[[SweepProgress], None] | None = None) -> None:
        """Send every request and wait for every answer or timeout."""
        for family in sorted(set(self.families)):
            self.channels[family] = Channel(family, self.plan.ttl, self.plan.size)
        try:
            self._loop(progress)
        except KeyboardInterrupt:
            # Like ping on Ctrl-C: stop sending, report what was measured.
            self.interrupted = True
        finally:
            for channel in self.channels.values():
                channel.close()
        self._settle_unfinished()

    def _loop(self, progress: Callable[[SweepProgress], None] | None) -> None:
        with select.epoll() as poller:
            for channel in self.channels.values():
                poller.register(channel.fileno(), select.EPOLLIN | select.EPOLLERR)
            self._exchange(poller, progress)

    def _exchange(self, poller, progress) -> None:
        """Send, read, expire and sleep until everything is settled."""
        due = collections.deque((0, index) for index in range(len(self.sockaddrs)))
        outstanding: collections.deque[Probe] = collections.deque()
        start = time.monotonic_ns()
        deadline_ns = int(self.plan.deadline * 1e9)
        timeout_ns = int(self.plan.timeout * 1e9)
        interval_ns = int(self.plan.interval * 1e9)
        linger_until = None
        last_progress = start

        while True:
            now = time.monotonic_ns()
            if now >= deadline_ns:
                self.deadline_reached = bool(due) or bool(outstanding)
                break
            self._send_due(due, outstanding, now, start, interval_ns)
            self._drain(timeout_ns)
            now = time.monotonic_ns()
            _expire(outstanding, now, timeout_ns)
            if not due and not outstanding:
                linger_until = linger_until or now + self._linger_ns(timeout_ns)
                if now >= linger_until:
                    break
            if progress and now - last_progress >= PROGRESS_EVERY_NS:
                last_progress = now
                progress(SweepProgress(self.sent, self._total(), self.received))
            wake = self._next_wake(due, outstanding, now, start, linger_until)
            poller.poll(max(0.0, min(wake, deadline_ns) - now) / 1e9)

    def _send_due(
        self, due, outstanding, now: int, start: int, interval_ns: int
    ) -> None:
        """Send what is due, as far as the budget allows."""
        budget = self._budget(now, start)
        count = self.plan.count
        while due and due[0][0] <= now and budget > 0:
            _, index = due.popleft()
            probe = self._new_probe(index)
            refused = self._send(probe)
            if refused == errno.EAGAIN or refused == errno.ENOBUFS:
                self._forget(probe)
                due.appendleft((now, index))
                return
            budget -= 1
            if refused:
                _record_send_failure(probe, refused)
            else:
                outstanding.append(probe)
            if probe.number < count:
                due.append((probe.sent_ns + interval_ns, index))

    def _budget(self, now: int, start: int) -> int:
        if self.plan.rate <= 0:
            return SEND_BATCH
        allowed = int((now - start) / 1e9 * self.plan.rate) + 1 - self.sent
        return max(0, min(allowed, SEND_BATCH))

    def _new_probe(self, index: int) -> Probe:
        family = self.families[index]
        block, seq = divmod(self.sent, SEQ_SPACE)
        channel = self.channels[family]
        ident = (
            channel.ident
            if channel.ident is not None
            else ((self.base_ident + block) % SEQ_SPACE)
        )
        probe = Probe(index, len(self.by_target[index]) + 1, ident, seq)
        self.by_target[index].append(probe)
        self.probes[(family, ident, seq)] = probe
        return probe

    def _forget(self, probe: Probe) -> None:
        self.by_target[probe.target].pop()
        del self.probes[(self.families[probe.target], probe.ident, probe.seq)]

    def _send(self, probe: Probe) -> int:
        family = self.families[probe.target]
        packet = wire.echo_request_to_wire(
            family, probe.ident, probe.seq, self.payload, self.payload_sum
        )
        probe.sent_ns = time.monotonic_ns()
        refused = self.channels[family].send(packet, self.sockaddrs[probe.target])
        if refused not in (errno.EAGAIN, errno.ENOBUFS):
            self.sent += 1
        return refused

    def _drain(self, timeout_ns: int) -> None:
        for family, channel in self.channels.items():
            for data, source, ttl in channel.receive():
                arrived = time.monotonic_ns()
                packet = wire.packet_from_wire(
                    family, data, source, ttl, channel.has_ip_header
                )
                if packet is not None:
                    self._match(family, packet, arrived, timeout_ns)

    def _match(self, family, packet, arrived: int, timeout_ns: int) -> None:
        probe = self.probes.get((family, packet.ident, packet.seq))
        if probe is None or not self._token_matches(packet.token):
            return
        if isinstance(packet, wire.IcmpError):
            _record_error(probe, family, packet, self.plan.addresses[probe.target])
            return
        if not _same_address(packet.source, self.plan.addresses[probe.target]):
            probe.foreign = [*(probe.foreign or ()), packet.source]
            return
        self._record_reply(probe, packet, arrived, timeout_ns)

    def _record_reply(self, probe: Probe, reply, arrived: int, timeout_ns: int) -> None:
        rtt = arrived - probe.sent_ns
        if probe.state == "reply":
            probe.duplicates += 1
        elif probe.state == "timeout" or rtt > timeout_ns:
            probe.state = "timeout"
            probe.late_rtt_ns = rtt
        elif probe.state == "pending":
            probe.state, probe.rtt_ns = "reply", rtt
            probe.ttl, probe.size = reply.ttl, reply.size
            self.received += 1

    def _token_matches(self, token: bytes) -> bool:
        return self.token.startswith(token[: len(self.token)]) if token else True

    def _linger_ns(self, timeout_ns: int) -> int:
        """After the last answer, wait a little for duplicates."""
        slowest = max(
            (p.rtt_ns for p in self.probes.values() if p.rtt_ns is not None), default=0
        )
        return min(timeout_ns, max(20_000_000, 2 * slowest))

    def _next_wake(self, due, outstanding, now: int, start: int, linger) -> int:
        """The next moment something is due: a send, a timeout, the end."""
        candidates = [now + 50_000_000]
        if due and self._budget(now, start):
            candidates.append(due[0][0])
        elif due:
            candidates.append(now + int(1e9 / self.plan.rate))
        if outstanding:
            candidates.append(outstanding[0].sent_ns + int(self.plan.timeout * 1e9))
        if linger:
            candidates.append(linger)
        return min(candidates)

    def _settle_unfinished(self) -> None:
        """Requests still unanswered when the run ends have timed out."""
        for probes in self.by_target:
            for probe in probes:
                if probe.state == "pending":
                    probe.state = "timeout"

    def _total(self) -> int:
        return self.plan.count * len(self.sockaddrs)


def _expire(outstanding: collections.deque, now: int, timeout_ns: int) -> None:
    while outstanding and (
        outstanding[0].state != "pending" or now - outstanding[0].sent_ns > timeout_ns
    ):
        probe = outstanding.popleft()
        if probe.state == "pending":
            probe.state = "timeout"


def _record_error(
    probe: Probe, family: int, error: wire.IcmpError, target: str
) -> None:
    if probe.state != "pending" or not _same_address(error.destination, target):
        return
    probe.state = "error"
    probe.error = {
        "kind": error.kind,
        "type": error.type,
        "code": error.code,
        "sender": error.sender,
        "reason": wire.error_reason(family, error),
    }


def _record_send_failure(probe: Probe, number: int) -> None:
    """The kernel refused to send: no route, or a local firewall said no."""
    probe.state = "error"
    probe.error = {
        "kind": "send",
        "reason": errno.errorcode.get(number, str(number)),
        "message": os.strerror(number),
    }


def _family(address: str) -> int:
    return 6 if ":" in address else 4


def _sockaddr(address: str) -> tuple:
    if ":" not in address:
        return (address, 0)
    host, _, scope = address.partition("%")
    if not scope:
        return (host, 0, 0, 0)
    index = int(scope) if scope.isdigit() else socket.if_nametoindex(scope)
    return (host, 0, 0, index)


def _same_address(left: str, right: str) -> bool:
    return left.split("%", 1)[0] == right.split("%", 1)[0]

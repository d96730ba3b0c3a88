"""The ping diagnostic's run function: a sweep turned into outcomes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from probeops import FailureSource, Outcome, Request, Status

from probeops_ping.exchange import Probe, Sweep, SweepPlan
from probeops_ping.stats import summarize


def run(request: Request) -> list[Outcome]:
    """Ping every target of the request in one multiplexed sweep."""
    options = request.options
    plan = SweepPlan(
        addresses=[target.address for target in request.targets],
        count=options["count"],
        interval=options["interval"],
        size=options["size"],
        ttl=options["ttl"],
        timeout=options["timeout"],
        rate=options["rate"],
        deadline=request.deadline,
    )
    sweep = Sweep(plan)
    began = time.monotonic()
    sweep.run(request.progress)
    duration_ms = (time.monotonic() - began) * 1000
    privileged = all(channel.privileged for channel in sweep.channels.values())
    cut_short = sweep.deadline_reached or sweep.interrupted
    outcomes = [
        _outcome(probes, plan, cut_short, privileged, duration_ms)
        for probes in sweep.by_target
    ]
    for outcome in outcomes:
        outcome.body["interrupted"] = sweep.interrupted
        outcome.body["deadline_reached"] = sweep.deadline_reached
    return outcomes


def _outcome(
    probes: Sequence[Probe],
    plan: SweepPlan,
    cut_short: bool,
    privileged: bool,
    duration_ms: float,
) -> Outcome:
    rtts = [probe.rtt_ns / 1e6 for probe in probes if probe.state == "reply"]
    summary = summarize(
        rtts,
        sent=len(probes),
        duplicates=sum(probe.duplicates for probe in probes),
        late=sum(1 for probe in probes if probe.late_rtt_ns is not None),
        errors=sum(1 for probe in probes if probe.state == "error"),
        foreign=sum(len(probe.foreign or ()) for probe in probes),
    )
    body = {
        "payload_size": plan.size,
        "ttl": plan.ttl,
        "socket": "raw" if privileged else "datagram",
        "summary": summary,
        "packets": [_packet(probe) for probe in probes],
    }
    return _judge(body, probes, cut_short, duration_ms)


def _judge(
    body: dict[str, Any], probes: Sequence[Probe], cut_short: bool, duration_ms: float
) -> Outcome:
    """Decide the status from the evidence: any reply means it answered."""
    summary = body["summary"]
    if summary["received"]:
        return Outcome(body=body, duration_ms=duration_ms)
    status = Status.TIMEOUT if cut_short else Status.FAILED
    return Outcome(
        body=body,
        status=status,
        failure_source=FailureSource.TARGET,
        error=_no_reply_reason(probes, summary, cut_short),
        duration_ms=duration_ms,
    )


def _no_reply_reason(probes: Sequence[Probe], summary: dict, cut_short: bool) -> str:
    errors = [probe.error for probe in probes if probe.error]
    if errors:
        first = errors[0]
        sender = first.get("sender")
        where = f" from {sender}" if sender else ""
        codes = (
            f" (ICMP type {first['type']} code {first['code']})"
            if "type" in first
            else ""
        )
        return f"{first['reason']}{where}{codes}; {summary['sent']} sent, 0 received"
    foreign = sorted({source for probe in probes for source in probe.foreign or ()})
    if foreign:
        return (
            f"replies came only from other addresses ({', '.join(foreign)}); "
            f"{summary['sent']} sent, 0 received"
        )
    if cut_short:
        return f"stopped before any reply; {summary['sent']} sent"
    return f"no reply; {summary['sent']} sent, 0 received"


def _packet(probe: Probe) -> dict[str, Any]:
    return {
        "seq": probe.number,
        "icmp_id": probe.ident,
        "icmp_seq": probe.seq,
        "status": probe.state,
        "rtt_ms": _ms(probe.rtt_ns),
        "ttl": probe.ttl,
        "size": probe.size,
        "duplicates": probe.duplicates,
        "late_rtt_ms": _ms(probe.late_rtt_ns),
        "error": probe.error,
        "foreign_sources": probe.foreign or [],
    }


def _ms(nanoseconds: int | None) -> float | None:
    return None if nanoseconds is None else round(nanoseconds / 1e6, 3)

"""The traceroute diagnostic's run function: traces turned into outcomes."""

from __future__ import annotations

from typing import Any

from probeops import Outcome, Request
from probeops.hopprobe.paths import (
    flow_fields,
    measure_paths,
    path_outcome,
    send_failure,
)
from probeops.hops import StopReason

from probeops_traceroute.names import hop_names
from probeops_traceroute.plan import TraceLimits, TracePlan


def run(request: Request) -> list[Outcome]:
    """Trace every target of the request at once, within one probe budget."""
    options = request.options
    limits = limits_from(options)
    return measure_paths(
        request,
        "traceroute",
        lambda flow: TracePlan(flow, limits, request.progress),
        lambda plan, duration_ms: _outcome(plan, options["names"], duration_ms),
    )


def limits_from(options: dict[str, Any]) -> TraceLimits:
    return TraceLimits(
        first_ttl=options["first_ttl"],
        max_ttl=options["max_ttl"],
        queries=options["queries"],
        gap_limit=options["gap_limit"],
        in_flight=options["in_flight"],
        timeout=options["timeout"],
    )


def trace_body(plan: TracePlan) -> dict[str, Any]:
    """The result body of one finished trace."""
    hops = plan.hops()
    reached = plan.stop_reason is StopReason.DESTINATION_REACHED
    return {
        **flow_fields(plan.flow),
        "first_ttl": plan.limits.first_ttl,
        "max_ttl": plan.limits.max_ttl,
        "queries": plan.limits.queries,
        "stop_reason": plan.stop_reason.value,
        "destination_reached": reached,
        "hop_count": hops[-1].distance if reached and hops else None,
        "trace_ms": _trace_ms(plan),
        "interrupted": plan.interrupted,
        "hops": [hop.to_json() for hop in hops],
    }


def _trace_ms(plan: TracePlan) -> float | None:
    if plan.first_sent_at is None or plan.finished_at is None:
        return None
    return round((plan.finished_at - plan.first_sent_at) * 1000, 3)


def _outcome(plan: TracePlan, names: bool, duration_ms: float) -> Outcome:
    body = trace_body(plan)
    if names:
        body["names"] = hop_names(_responders(body))
    reached = plan.stop_reason is StopReason.DESTINATION_REACHED
    late = plan.stop_reason is StopReason.DEADLINE
    return path_outcome(body, reached, late, _why_not_reached, duration_ms)


def _responders(body: dict[str, Any]) -> list[str]:
    return [address for hop in body["hops"] for address in hop["responders"]]


def _why_not_reached(body: dict[str, Any]) -> str:
    destination = body["destination"]
    reason = StopReason(body["stop_reason"])
    last = body["hops"][-1] if body["hops"] else None
    if reason is StopReason.UNREACHABLE and last:
        flags = {p["flag"] for p in last["probes"] if p["flag"]}
        by = ", ".join(last["responders"])
        marks = " ".join(sorted(flags)) or "unreachable"
        return f"{destination} was not reached: hop {last['distance']} ({by}) {marks}"
    if reason is StopReason.GAP_LIMIT:
        return f"{destination} was not reached: hops went silent (gap limit)"
    if reason is StopReason.MAX_TTL:
        return f"{destination} was not reached within {body['max_ttl']} hops"
    if reason is StopReason.SEND_FAILED:
        return send_failure(body) or f"probes to {destination} could not be sent"
    if reason is StopReason.INTERRUPTED:
        return f"the trace to {destination} was interrupted before it was reached"
    return f"the deadline passed before the trace to {destination} finished"

"""The MTR diagnostic's run function: cycles turned into per-hop reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from probeops import Outcome, Request
from probeops.hopprobe.paths import (
    flow_fields,
    measure_paths,
    path_outcome,
    send_failure,
)

from probeops_mtr.plan import CycleLimits, MtrPlan
from probeops_mtr.stats import path_statistics


def run(request: Request) -> list[Outcome]:
    """Run MTR towards every target of the request at once."""
    options = request.options
    watch = _progress(request.progress, options)
    limits = CycleLimits(
        cycles=options["cycles"],
        interval=options["interval"],
        first_ttl=options["first_ttl"],
        max_ttl=options["max_ttl"],
    )
    return measure_paths(
        request,
        "mtr",
        lambda flow: MtrPlan(flow, limits, watch),
        lambda plan, duration_ms: _outcome(plan, options, duration_ms),
    )


def report(plan: MtrPlan, options: dict[str, Any]) -> dict[str, Any]:
    """The result body of one MTR run."""
    return {
        **flow_fields(plan.flow),
        "cycles": plan.cycles_begun,
        "cycles_asked": options["cycles"],
        "interval": options["interval"],
        "destination_reached": plan.reached(),
        "deadline_reached": plan.deadline_passed,
        "interrupted": plan.interrupted,
        "hops": [
            {**row, "probes": hop.to_json()["probes"]}
            for row, hop in zip(path_statistics(plan.hops()), plan.hops(), strict=True)
        ],
    }


def _progress(
    progress: Callable[[Any], None] | None, options: dict[str, Any]
) -> Callable[[MtrPlan], None] | None:
    if progress is None:
        return None

    def watch(plan: MtrPlan) -> None:
        progress(
            {
                "destination": plan.flow.destination,
                "cycle": plan.cycles_begun,
                "cycles": options["cycles"],
                "hops": path_statistics(plan.hops()),
            }
        )

    return watch


def _outcome(plan: MtrPlan, options: dict[str, Any], duration_ms: float) -> Outcome:
    body = report(plan, options)
    reached, late = body["destination_reached"], plan.deadline_passed
    return path_outcome(body, reached, late, _why_not_reached, duration_ms)


def _why_not_reached(body: dict[str, Any]) -> str:
    destination = body["destination"]
    refused = send_failure(body)
    if refused:
        return refused
    if body["deadline_reached"]:
        return f"the deadline passed before the MTR run to {destination} finished"
    if body["interrupted"]:
        cycles = body["cycles"]
        return f"the MTR run to {destination} was interrupted in cycle {cycles}"
    last = body["hops"][-1] if body["hops"] else None
    flags = {p["flag"] for p in last["probes"] if p["flag"]} if last else set()
    if flags:
        marks = " ".join(sorted(flags))
        return f"{destination} was not reached: hop {last['distance']} says {marks}"
    return f"{destination} did not answer in {body['cycles']} cycles"

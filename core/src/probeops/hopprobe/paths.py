"""What path diagnostics share around a run: flows per target, refusals,
the failed outcome of a target without a route, and common body fields."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from probeops.diagnostic import Outcome, Request
from probeops.errors import BadInput
from probeops.hopprobe.options import destination_port
from probeops.hopprobe.probes import Flow
from probeops.hopprobe.session import Plan, run_plans
from probeops.hopprobe.transport import flow_towards
from probeops.hops import errno_text
from probeops.result import FailureSource, Status

P = TypeVar("P", bound=Plan)


class ScopedAddress(BadInput):
    """Path probes cannot go to a scoped (link-local) IPv6 address."""


def measure_paths(
    request: Request,
    diagnostic: str,
    plan_for: Callable[[Flow], P],
    judge: Callable[[P, float], Outcome],
) -> list[Outcome]:
    """Probe every target of ``request`` at once; one outcome per target.

    ``plan_for`` makes a plan of each target's flow; ``judge`` turns a plan
    done probing, and the run's duration in ms, into its outcome.
    """
    addresses = [target.address for target in request.targets]
    check_addresses(diagnostic, addresses)
    plans = [
        plan_for(flow) if isinstance(flow, Flow) else flow
        for flow in flows_for(addresses, request.options)
    ]

    began = time.monotonic()
    live = [plan for plan in plans if not isinstance(plan, Outcome)]
    options = request.options
    run_plans(live, options["rate"], options["timeout"], request.deadline)
    duration_ms = (time.monotonic() - began) * 1000

    return [
        plan if isinstance(plan, Outcome) else judge(plan, duration_ms)
        for plan in plans
    ]


def check_addresses(diagnostic: str, addresses: Sequence[str]) -> None:
    """Refuse, before any probe leaves, addresses path probes cannot reach."""
    for address in addresses:
        if "%" in address:
            raise ScopedAddress(
                f"{diagnostic} cannot probe the scoped address {address}; "
                "give a global or unique local address"
            )


def flows_for(
    addresses: Sequence[str], options: dict[str, Any]
) -> list[Flow | Outcome]:
    """A fresh flow per address, or the failed outcome of one with no route."""
    protocol, port = options["protocol"], destination_port(options)
    flows: list[Flow | Outcome] = []
    for address in addresses:
        try:
            flow = flow_towards(
                address, protocol, port, options["size"], options["paris"]
            )
        except OSError as error:
            flows.append(unroutable(address, protocol, error))
        else:
            flows.append(flow)
    return flows


def flow_fields(flow: Flow) -> dict[str, Any]:
    """The body fields that describe what was probed and how."""
    return {
        "protocol": flow.protocol,
        "source": flow.source,
        "destination": flow.destination,
        "flow": flow.identifier(),
        "packet_size": flow.size if flow.protocol != "tcp" else None,
    }


def path_outcome(
    body: dict[str, Any],
    reached: bool,
    deadline_passed: bool,
    why_not: Callable[[dict[str, Any]], str],
    duration_ms: float,
) -> Outcome:
    """The outcome of a path measured: finished when the destination
    answered, else failed (or timed out) with ``why_not(body)``."""
    if reached:
        return Outcome(body=body, duration_ms=duration_ms)
    return Outcome(
        body=body,
        status=Status.TIMEOUT if deadline_passed else Status.FAILED,
        failure_source=FailureSource.TARGET,
        error=why_not(body),
        duration_ms=duration_ms,
    )


def send_failure(body: dict[str, Any]) -> str | None:
    """The sentence for probes the kernel refused, ``None`` if none was."""
    errors = {
        probe["error"]
        for hop in body["hops"]
        for probe in hop["probes"]
        if probe["error"]
    }
    if not errors:
        return None
    said = ", ".join(errno_text(name) for name in sorted(errors))
    return f"probes to {body['destination']} could not be sent: {said}"


def unroutable(address: str, protocol: str, error: OSError) -> Outcome:
    """The outcome of a target this host has no route to: nothing was sent."""
    body = {
        "protocol": protocol,
        "destination": address,
        "stop_reason": "unreachable",
        "destination_reached": False,
        "hops": [],
    }
    return Outcome(
        body=body,
        status=Status.FAILED,
        failure_source=FailureSource.TARGET,
        error=f"cannot send to {address}: {error.strerror}",
    )

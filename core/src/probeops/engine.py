"""Running a diagnostic: validate, resolve, check, measure, wrap.

Everything that can be refused is refused before the first packet leaves:
options, target syntax and host requirements raise; a hostname that does not
resolve becomes a failed result, since other targets may still be measured.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from probeops.diagnostic import Diagnostic, Outcome, Request
from probeops.errors import CannotMeasure, ResolveError
from probeops.plugins import Registry
from probeops.result import FailureSource, Result, Status
from probeops.targets import Target, parse_name, parse_target

log = logging.getLogger(__name__)


def measure(
    registry: Registry,
    name: str,
    targets: Iterable[str],
    raw_options: dict[str, Any],
    progress: Callable[[Any], None] | None = None,
) -> list[Result]:
    """Measure every target with diagnostic ``name``; one result per target."""
    diagnostic = registry.diagnostic(name)
    options = diagnostic.load_options(raw_options)
    parse = parse_target if diagnostic.resolves_targets else parse_name
    parsed = [parse(text) for text in targets]
    check_requirements(diagnostic)

    started_at = datetime.now(UTC)
    began = time.monotonic()
    deadline = began + (options.get("deadline") or diagnostic.default_deadline(options))
    resolved, failures = _resolve_all(registry, diagnostic, parsed, options)
    to_measure = [target for target in resolved if target is not None]
    outcomes = _run(diagnostic, to_measure, options, deadline, progress)

    elapsed_ms = (time.monotonic() - began) * 1000
    measured = iter(outcomes)
    results = []
    for target, pinned in zip(parsed, resolved, strict=True):
        outcome = next(measured) if pinned else failures[id(target)]
        results.append(
            _wrap(diagnostic, pinned or target, outcome, started_at, elapsed_ms)
        )
    for result in results:
        registry.hook.probeops_result_ready(result=result)
    return results


def check_requirements(diagnostic: Diagnostic) -> None:
    """Raise ``CannotMeasure`` when this host lacks what it needs."""
    missing = [b for b in diagnostic.requires.binaries if shutil.which(b) is None]
    if missing:
        raise CannotMeasure(
            f"{diagnostic.name} needs {', '.join(missing)} on PATH; install it first"
        )
    if diagnostic.requires.raw_socket and os.geteuid() != 0 and not _has_net_raw():
        raise CannotMeasure(
            f"{diagnostic.name} needs raw sockets: run as root or grant CAP_NET_RAW"
        )


def _has_net_raw() -> bool:
    """Whether the effective capability set holds CAP_NET_RAW (bit 13)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) & (1 << 13))
    except OSError:
        pass
    return False


def _resolve_all(
    registry: Registry,
    diagnostic: Diagnostic,
    parsed: list[Target],
    options: dict[str, Any],
) -> tuple[list[Target | None], dict[int, Outcome]]:
    """Pin each target to one address, ``None`` where that failed.

    Failures are keyed by the ``id`` of the parsed target.
    """
    family = options.get("family")
    resolved: list[Target | None] = []
    failures: dict[int, Outcome] = {}
    if not diagnostic.resolves_targets:
        return list(parsed), failures
    for target in parsed:
        try:
            pinned = resolve_target(registry, target, family)
        except ResolveError as error:
            failures[id(target)] = _resolver_failure(error)
            resolved.append(None)
            continue
        registry.hook.probeops_check_target(target=pinned, diagnostic=diagnostic.name)
        resolved.append(pinned)
    return resolved, failures


def resolve_target(registry: Registry, target: Target, family: int | None) -> Target:
    """Return ``target`` pinned to one address of the wanted family."""
    if target.is_literal:
        pinned = target.resolved(target.host)
        if family and pinned.family != family:
            raise ResolveError(f"{target.given} is not an IPv{family} address")
        return pinned
    addresses = registry.hook.probeops_resolve_host(hostname=target.host, family=family)
    if not addresses:
        wanted = f"IPv{family} " if family else ""
        raise ResolveError(f"{target.given!r} has no {wanted}address")
    return target.resolved(addresses[0])


def _resolver_failure(error: ResolveError) -> Outcome:
    return Outcome(
        body={},
        status=Status.FAILED,
        failure_source=FailureSource.RESOLVER,
        error=str(error),
        duration_ms=0.0,
    )


def _run(
    diagnostic: Diagnostic,
    targets: list[Target],
    options: dict[str, Any],
    deadline: float,
    progress: Callable[[Any], None] | None,
) -> list[Outcome]:
    if not targets:
        return []
    request = Request(tuple(targets), options, deadline, progress)
    outcomes = list(diagnostic.run(request))
    if len(outcomes) != len(targets):
        raise RuntimeError(
            f"{diagnostic.name} returned {len(outcomes)} outcomes "
            f"for {len(targets)} targets"
        )
    return outcomes


def _wrap(
    diagnostic: Diagnostic,
    target: Target,
    outcome: Outcome,
    started_at: datetime,
    elapsed_ms: float,
) -> Result:
    return Result(
        diagnostic=diagnostic.name,
        diagnostic_version=diagnostic.version,
        schema_version=diagnostic.result_schema_version,
        target=target.given,
        address=target.address,
        started_at=started_at,
        duration_ms=round(
            elapsed_ms if outcome.duration_ms is None else outcome.duration_ms, 3
        ),
        status=outcome.status,
        failure_source=outcome.failure_source,
        error=outcome.error,
        body=outcome.body,
    )

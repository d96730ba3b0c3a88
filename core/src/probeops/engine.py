"""Running a diagnostic: validate, resolve, check, measure, wrap.

Everything that can be refused is refused before the first packet leaves:
options, target syntax and host requirements raise; a hostname that does not
resolve becomes a failed result, since other targets may still be measured.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any

from probeops.diagnostic import Diagnostic, Outcome, Request
from probeops.errors import CannotMeasure, InvalidTarget, ResolveError, TargetForbidden
from probeops.plugins import Registry
from probeops.result import FailureSource, Result, Status
from probeops.targets import Target, ip_family, parse_name, parse_target

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
    resolved, failures = _resolve_all(registry, diagnostic, parsed, options, deadline)
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
    # Root without CAP_NET_RAW (a container, setpriv) cannot open raw
    # sockets either, so the capability is what counts, not the user id.
    if diagnostic.requires.raw_socket and not _has_net_raw():
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
    deadline: float,
) -> tuple[list[Target | None], dict[int, Outcome]]:
    """Pin each target to one address, ``None`` where that failed.

    Failures are keyed by the ``id`` of the parsed target.
    """
    if not diagnostic.resolves_targets:
        return list(parsed), {}
    family = options.get("family")
    for target in parsed:
        _check_literal_family(target, family)
    answers = _resolve_names(registry, parsed, family, deadline)

    resolved: list[Target | None] = []
    failures: dict[int, Outcome] = {}
    for target in parsed:
        answer = answers.get(target.host, target)
        if isinstance(answer, Target):
            pinned = target.resolved(answer.address or target.host)
            answer = _checked(registry, pinned, diagnostic.name)
        if isinstance(answer, Outcome):
            failures[id(target)] = answer
            answer = None
        resolved.append(answer)
    return resolved, failures


def _check_literal_family(target: Target, family: int | None) -> None:
    if target.is_literal and family and ip_family(target.host) != family:
        raise InvalidTarget(
            f"target {target.given!r} is not an IPv{family} address, "
            f"but -{family} asks for IPv{family}"
        )


def _resolve_names(
    registry: Registry, parsed: list[Target], family: int | None, deadline: float
) -> dict[str, Target | Outcome]:
    """Resolve every distinct hostname at once, each within the deadline."""
    names = list(dict.fromkeys(t.host for t in parsed if not t.is_literal))
    if not names:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(16, len(names)))
    futures = {
        name: pool.submit(_resolve_name, registry, name, family) for name in names
    }
    wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()))
    pool.shutdown(wait=False, cancel_futures=True)
    return {name: _answer(future) for name, future in futures.items()}


def _resolve_name(registry: Registry, name: str, family: int | None) -> Target:
    addresses = registry.hook.probeops_resolve_host(hostname=name, family=family)
    if not addresses:
        wanted = f"IPv{family} " if family else ""
        raise ResolveError(f"{name!r} has no {wanted}address")
    return Target(given=name, host=name, is_literal=False).resolved(addresses[0])


def _answer(future: Future) -> Target | Outcome:
    if not future.done():
        return _failure(FailureSource.RESOLVER, "no answer before the deadline")
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, ResolveError):
        return _failure(FailureSource.RESOLVER, str(error))
    log.error("resolving failed inside a plugin: %r", error)
    return _failure(FailureSource.INTERNAL, f"resolver plugin failed: {error!r}")


def _checked(registry: Registry, target: Target, diagnostic: str) -> Target | Outcome:
    """Ask every plugin whether ``target`` may be measured.

    A refusal stops the whole request; a plugin that breaks costs only this
    target, as an internal failure.
    """
    try:
        registry.hook.probeops_check_target(target=target, diagnostic=diagnostic)
    except TargetForbidden:
        raise
    except Exception as error:
        log.error("checking %s failed inside a plugin: %r", target.given, error)
        return _failure(FailureSource.INTERNAL, f"target check failed: {error!r}")
    return target


def _failure(source: FailureSource, error: str) -> Outcome:
    return Outcome(
        body={},
        status=Status.FAILED,
        failure_source=source,
        error=error,
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

"""The measurement job: take an id, measure its targets, store the results.

The same function runs under an RQ worker and in the API's own threads (the
embedded profile). A target that does not answer is a result, not an error;
only infrastructure errors (the database or Redis failing) escape, so that
the queue retries them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from probeops import engine
from probeops.errors import ProbeOpsError
from probeops.plugins import Registry, get_registry
from probeops.policy import TargetPolicy
from probeops.result import FailureSource, Result, Status
from probeops_store import measurements
from probeops_store.database import Store
from probeops_store.models import Measurement, MeasurementTarget

from probeops_worker.destinations import check_destinations

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a measurement job needs besides its id."""

    store: Store
    policy: TargetPolicy
    grace: float = 5.0
    """Seconds a claim outlives the measurement's time limit; after that,
    another worker may take the job over."""

    max_attempts: int = 4
    registry: Registry = field(default_factory=get_registry)


_process_context: JobContext | None = None


def configure(context: JobContext) -> None:
    """Set the context jobs use when a queue hands them only an id."""
    global _process_context
    _process_context = context


def run_measurement(measurement_id: str, context: JobContext | None = None) -> str:
    """Measure one measurement's targets; return the status it ended in."""
    context = context or _require_context()
    with context.store.session() as session:
        claimed = measurements.claim(session, measurement_id, context.grace)
    if claimed is None:
        log.info("measurement %s: already taken or done, skipped", measurement_id)
        return "skipped"
    if claimed.attempts > context.max_attempts:
        return _give_up(context, claimed)

    log.info(
        "measurement %s: %s of %d targets",
        measurement_id,
        claimed.diagnostic,
        len(claimed.targets),
    )
    try:
        results = measure_targets(context, claimed)
    except ProbeOpsError as error:
        return _fail(context, claimed, str(error))
    except Exception as error:  # a plugin bug; another try cannot help
        log.exception("measurement %s: the diagnostic raised", measurement_id)
        return _fail(context, claimed, f"internal error: {error!r}")
    return _store(context, claimed, results)


def _require_context() -> JobContext:
    if _process_context is None:
        raise RuntimeError("probeops_worker.jobs.configure() was not called")
    return _process_context


def measure_targets(context: JobContext, claimed: Measurement) -> dict[int, Result]:
    """Measure every target still without a result, keyed by position."""
    diagnostic = context.registry.diagnostic(claimed.diagnostic)
    check_destinations(diagnostic, claimed.options, context.policy)
    names = not diagnostic.resolves_targets
    pending = [target for target in claimed.targets if target.result is None]
    results: dict[int, Result] = {}
    to_measure: list[MeasurementTarget] = []
    for target in pending:
        refusal = None if names else _refusal(context.policy, target)
        if refusal is None:
            to_measure.append(target)
        else:
            results[target.position] = _unmeasured(claimed, target, *refusal)
    if to_measure:
        results.update(_measure(context, claimed, to_measure, names))
    return results


def _refusal(
    policy: TargetPolicy, target: MeasurementTarget
) -> tuple[FailureSource, str] | None:
    """Why a pinned target must not be measured, checked again here.

    Query names (a diagnostic whose ``resolves_targets`` is false) are data,
    not destinations, and are never pinned nor checked.
    """
    if target.address is None:
        error = target.resolve_error or "the target has no address"
        return FailureSource.RESOLVER, error
    try:
        policy.check(target.address)
    except ProbeOpsError as error:
        return FailureSource.INTERNAL, str(error)
    return None


def _measure(
    context: JobContext,
    claimed: Measurement,
    targets: list[MeasurementTarget],
    names: bool,
) -> dict[int, Result]:
    """Run the engine on the pinned addresses, or on query names as given."""
    texts = [target.given if names else target.address for target in targets]
    found = engine.measure(context.registry, claimed.diagnostic, texts, claimed.options)
    for target, result in zip(targets, found, strict=True):
        result.target = target.given
    return {target.position: r for target, r in zip(targets, found, strict=True)}


def _unmeasured(
    claimed: Measurement,
    target: MeasurementTarget,
    source: FailureSource,
    error: str,
) -> Result:
    return Result(
        diagnostic=claimed.diagnostic,
        diagnostic_version="",
        schema_version=0,
        target=target.given,
        address=target.address,
        started_at=datetime.now(UTC),
        duration_ms=0.0,
        status=Status.FAILED,
        failure_source=source,
        error=error,
    )


def _store(context: JobContext, claimed: Measurement, results: dict[int, Result]):
    with context.store.session() as session:
        for position, result in results.items():
            measurements.record_result(
                session, claimed.number, position, result.to_json()
            )
        measurements.finish(session, claimed.id)
    log.info("measurement %s: finished", claimed.id)
    return measurements.FINISHED


def _fail(context: JobContext, claimed: Measurement, sentence: str) -> str:
    log.warning("measurement %s: failed: %s", claimed.id, sentence)
    with context.store.session() as session:
        measurements.fail(session, claimed.id, sentence)
    return measurements.FAILED


def _give_up(context: JobContext, claimed: Measurement) -> str:
    sentence = f"gave up after {claimed.attempts - 1} attempts; see the worker logs"
    return _fail(context, claimed, sentence)

"""Moving a measurement through its life: claim, record results, finish.

Every write here is safe to repeat. A measurement is claimed only while it is
queued or while the lease of a worker that died has run out; a target's
result is written only when it has none; the status only moves forward.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from probeops_store.models import (
    Measurement,
    MeasurementStatus,
    MeasurementTarget,
    utcnow,
)

QUEUED = MeasurementStatus.QUEUED.value
RUNNING = MeasurementStatus.RUNNING.value
FINISHED = MeasurementStatus.FINISHED.value
FAILED = MeasurementStatus.FAILED.value
OPEN = (QUEUED, RUNNING)


def claim(session: Session, measurement_id: str, grace: float) -> Measurement | None:
    """Mark the measurement running for this worker, or ``None`` if taken.

    The claim holds for the measurement's time limit plus ``grace`` seconds.
    A running measurement whose lease has expired is claimed again: its
    worker died mid-job.
    """
    limit = session.scalar(
        select(Measurement.time_limit).where(Measurement.id == measurement_id)
    )
    if limit is None:
        return None
    lease = limit + grace
    now = utcnow()
    claimed = session.execute(
        update(Measurement)
        .where(Measurement.id == measurement_id)
        .where(
            or_(
                Measurement.status == QUEUED,
                (Measurement.status == RUNNING) & (Measurement.lease_until < now),
            )
        )
        .values(
            status=RUNNING,
            started_at=now,
            lease_until=now + timedelta(seconds=lease),
            attempts=Measurement.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return session.scalars(
        select(Measurement)
        .where(Measurement.id == measurement_id)
        .execution_options(populate_existing=True)
    ).one()


def record_result(
    session: Session, measurement_number: int, position: int, document: dict[str, Any]
) -> bool:
    """Store a target's result unless it already has one; whether it was new."""
    written = session.execute(
        update(MeasurementTarget)
        .where(MeasurementTarget.measurement_number == measurement_number)
        .where(MeasurementTarget.position == position)
        .where(MeasurementTarget.result.is_(None))
        .values(result=document)
        .execution_options(synchronize_session=False)
    )
    return written.rowcount == 1


def finish(session: Session, measurement_id: str) -> bool:
    """Move an open measurement to ``finished``."""
    return _close(session, measurement_id, FINISHED, None)


def fail(session: Session, measurement_id: str, error: str) -> bool:
    """Move an open measurement to ``failed`` with a plain sentence."""
    return _close(session, measurement_id, FAILED, error)


def _close(session: Session, measurement_id: str, status: str, error: str | None):
    closed = session.execute(
        update(Measurement)
        .where(Measurement.id == measurement_id)
        .where(Measurement.status.in_(OPEN))
        .values(status=status, error=error, finished_at=utcnow(), lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return closed.rowcount == 1


def stranded(
    session: Session, waited: float, now: datetime | None = None
) -> list[tuple[str, float]]:
    """Ids and time limits of measurements to queue again, marked queued anew.

    These are the ones queued for longer than ``waited`` seconds (their job
    may have been lost with Redis) and the running ones whose lease ran out
    (their worker died).
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=waited)
    found = session.execute(
        select(Measurement.id, Measurement.time_limit)
        .where(
            or_(
                (Measurement.status == QUEUED) & (Measurement.queued_at < cutoff),
                (Measurement.status == RUNNING) & (Measurement.lease_until < now),
            )
        )
        .order_by(Measurement.number)
        .limit(500)
        # Several workers sweep; each row goes to the first that locks it.
        .with_for_update(skip_locked=True)
    ).all()
    _requeued(session, [row.id for row in found], now)
    return [(row.id, row.time_limit) for row in found]


def _requeued(session: Session, ids: Iterable[str], now: datetime) -> None:
    ids = list(ids)
    if ids:
        session.execute(
            update(Measurement)
            .where(Measurement.id.in_(ids))
            .where(Measurement.status == QUEUED)
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )

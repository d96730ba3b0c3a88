"""Probe work through its life: assign jobs, store results, mark offline.

Every write here is safe to repeat: a result is stored once per probe and
id, a job only moves from pending to done or offline, and a measurement
aimed at probes finishes once none of its jobs is pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from probeops_store import measurements
from probeops_store.models import Measurement, utcnow
from probeops_store.probe_models import ProbeJob, ProbeResult

PENDING = "pending"
DONE = "done"
OFFLINE = "offline"


def assign(
    session: Session, measurement: Measurement, probe_ids: Iterable[str], until
) -> list[ProbeJob]:
    """Give each probe a job for every target of ``measurement``."""
    jobs = [
        ProbeJob(
            measurement_number=measurement.number,
            probe_id=probe_id,
            status=PENDING,
            deadline_at=until,
        )
        for probe_id in probe_ids
    ]
    session.add_all(jobs)
    return jobs


def store_results(
    session: Session, probe_id: str, rows: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Store rows not yet held; the ids newly accepted and those already held."""
    ids = [row["id"] for row in rows]
    held = set(
        session.scalars(
            select(ProbeResult.id)
            .where(ProbeResult.probe_id == probe_id)
            .where(ProbeResult.id.in_(ids))
        )
    )
    fresh = {row["id"]: row for row in rows if row["id"] not in held}
    if fresh:
        session.execute(
            _insert_new(session),
            [{**row, "probe_id": probe_id} for row in fresh.values()],
        )
    _complete(session, {row["job_id"] for row in fresh.values() if row["job_id"]})
    return list(fresh), [row_id for row_id in ids if row_id in held]


def _insert_new(session: Session):
    """An insert that skips ids a concurrent upload stored a moment ago."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(ProbeResult).on_conflict_do_nothing(index_elements=["probe_id", "id"])


def _complete(session: Session, job_ids: set[str]) -> None:
    """Mark jobs done once every target has a result."""
    for job in session.scalars(select(ProbeJob).where(ProbeJob.id.in_(job_ids))):
        measurement = session.get(Measurement, job.measurement_number)
        if _result_count(session, job.id) >= len(measurement.targets):
            _close_job(session, job.id, DONE)
            _close_measurement(session, measurement)


def _result_count(session: Session, job_id: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ProbeResult)
        .where(ProbeResult.job_id == job_id)
    )


def _close_job(session: Session, job_id: str, status: str) -> None:
    session.execute(
        update(ProbeJob)
        .where(ProbeJob.id == job_id)
        .where(ProbeJob.status == PENDING)
        .values(status=status, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _close_measurement(session: Session, measurement: Measurement) -> None:
    open_jobs = session.scalar(
        select(func.count())
        .select_from(ProbeJob)
        .where(ProbeJob.measurement_number == measurement.number)
        .where(ProbeJob.status == PENDING)
    )
    if open_jobs == 0:
        measurements.finish(session, measurement.id)


def mark_offline(session: Session, now: datetime | None = None) -> int:
    """Close pending jobs past their deadline as ``offline``; how many."""
    now = now or utcnow()
    late = session.scalars(
        select(ProbeJob)
        .where(ProbeJob.status == PENDING)
        .where(ProbeJob.deadline_at < now)
    ).all()
    for job in late:
        _close_job(session, job.id, OFFLINE)
    for number in {job.measurement_number for job in late}:
        _close_measurement(session, session.get(Measurement, number))
    return len(late)


def pending_jobs(session: Session, probe_id: str) -> list[ProbeJob]:
    """The probe's jobs still waiting for results, oldest first."""
    return list(
        session.scalars(
            select(ProbeJob)
            .where(ProbeJob.probe_id == probe_id)
            .where(ProbeJob.status == PENDING)
            .order_by(ProbeJob.created_at)
        )
    )

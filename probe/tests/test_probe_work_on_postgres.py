"""Probe work on PostgreSQL: results stored once, jobs closed, offline."""

from datetime import timedelta

import pytest
from probeops_store import probe_work
from probeops_store.models import Measurement, MeasurementTarget, Org, utcnow
from probeops_store.probe_models import Probe, ProbeJob
from probeops_store.testing import migrated, postgres_database


@pytest.fixture(scope="module")
def store():
    with postgres_database() as url, migrated(url) as store:
        yield store


def _setup(store, probes=2, deadline=60):
    with store.session() as session:
        org = Org(name=f"org-{utcnow().timestamp()}")
        session.add(org)
        session.flush()
        made = [
            Probe(
                org_id=org.id, name=f"p{n}", prefix=f"pop_{n}{org.id}", secret_hash="x"
            )
            for n in range(probes)
        ]
        measurement = Measurement(
            org_id=org.id,
            diagnostic="ping",
            options={},
            status="running",
            targets=[MeasurementTarget(position=0, given="192.0.2.1")],
        )
        session.add_all([*made, measurement])
        session.flush()
        until = utcnow() + timedelta(seconds=deadline)
        jobs = probe_work.assign(session, measurement, [p.id for p in made], until)
        session.flush()
        return measurement.id, [p.id for p in made], [j.id for j in jobs]


def _row(result_id, job_id=None):
    return {
        "id": result_id,
        "job_id": job_id,
        "position": 0,
        "schedule_id": None,
        "diagnostic": "ping",
        "target": "192.0.2.1",
        "document": {"status": "finished"},
        "measured_at": utcnow(),
        "duration_ms": 1.0,
        "since_sync_s": None,
        "clock_offset_s": 0.0,
        "clock_skew": False,
        "received_at": utcnow(),
    }


def test_a_result_id_is_stored_once_per_probe(store):
    _measurement, (probe, other), _jobs = _setup(store)

    with store.session() as session:
        first = probe_work.store_results(session, probe, [_row("a"), _row("b")])
    with store.session() as session:
        again = probe_work.store_results(session, probe, [_row("b"), _row("c")])
    with store.session() as session:
        elsewhere = probe_work.store_results(session, other, [_row("a")])

    assert first == (["a", "b"], [])
    assert again == (["c"], ["b"])
    assert elsewhere == (["a"], [])


def test_jobs_close_as_done_or_offline_and_the_measurement_finishes(store):
    measurement_id, (probe, _silent), (job, _late) = _setup(store, deadline=-1)

    with store.session() as session:
        probe_work.store_results(session, probe, [_row(f"{job}-0", job)])
    with store.session() as session:
        marked = probe_work.mark_offline(session)

    with store.session() as session:
        statuses = sorted(
            session.get(ProbeJob, job_id).status for job_id in (job, _late)
        )
        found = session.query(Measurement).filter_by(id=measurement_id).one()
    assert marked == 1
    assert statuses == ["done", "offline"]
    assert found.status == "finished"


def test_concurrent_uploads_of_one_batch_store_each_id_once(store):
    from concurrent.futures import ThreadPoolExecutor

    from probeops_store.probe_models import ProbeResult
    from sqlalchemy import func, select

    _measurement, (probe, _other), _jobs = _setup(store)
    rows = [_row(f"race-{n}") for n in range(200)]

    def upload(_):
        with store.session() as session:
            return probe_work.store_results(session, probe, rows)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(upload, range(8)))

    with store.session() as session:
        held = session.scalar(
            select(func.count())
            .select_from(ProbeResult)
            .where(ProbeResult.probe_id == probe)
        )
    assert held == 200
    assert all(len(accepted) + len(dupes) == 200 for accepted, dupes in answers)

"""A measurement is claimed once, its results are written once, and its
status only moves forward, however often a job runs."""

from datetime import timedelta

from probeops_store import measurements
from probeops_store.models import Measurement, MeasurementTarget, Org, utcnow
from sqlalchemy import select


def _queued(store, targets=("192.0.2.1",), time_limit=60.0) -> str:
    with store.session() as session:
        org = Org(name=f"lab-{targets[0]}")
        row = Measurement(
            org_id=None,
            diagnostic="ping",
            options={},
            status="queued",
            time_limit=time_limit,
            targets=[
                MeasurementTarget(position=i, given=t, address=t)
                for i, t in enumerate(targets)
            ],
        )
        session.add(org)
        session.flush()
        row.org_id = org.id
        session.add(row)
    return row.id


def _row(store, measurement_id) -> Measurement:
    with store.session() as session:
        return session.scalars(
            select(Measurement).where(Measurement.id == measurement_id)
        ).one()


def test_a_queued_measurement_is_claimed_only_once(store):
    measurement_id = _queued(store)

    with store.session() as session:
        first = measurements.claim(session, measurement_id, grace=5)
    with store.session() as session:
        second = measurements.claim(session, measurement_id, grace=5)

    assert first is not None and first.status == "running" and first.attempts == 1
    assert second is None


def test_a_running_measurement_whose_lease_expired_is_claimed_again(store):
    measurement_id = _queued(store, time_limit=0.0)
    with store.session() as session:
        measurements.claim(session, measurement_id, grace=0.001)

    with store.session() as session:
        again = measurements.claim(session, measurement_id, grace=5)

    assert again is not None and again.attempts == 2


def test_a_result_is_written_only_once(store):
    measurement_id = _queued(store)
    number = _row(store, measurement_id).number

    with store.session() as session:
        first = measurements.record_result(session, number, 0, {"rtt_ms": 1.0})
        second = measurements.record_result(session, number, 0, {"rtt_ms": 9.0})

    assert (first, second) == (True, False)
    assert _row(store, measurement_id).targets[0].result == {"rtt_ms": 1.0}


def test_status_never_moves_back_from_a_terminal_state(store):
    measurement_id = _queued(store)
    with store.session() as session:
        measurements.claim(session, measurement_id, grace=5)
        assert measurements.finish(session, measurement_id)

    with store.session() as session:
        assert not measurements.fail(session, measurement_id, "late failure")
        assert measurements.claim(session, measurement_id, grace=5) is None

    row = _row(store, measurement_id)
    assert row.status == "finished" and row.error is None


def test_stranded_measurements_are_found_and_marked_queued_anew(store):
    waiting = _queued(store)
    crashed = _queued(store, ("198.51.100.1",), time_limit=0.0)
    with store.session() as session:
        measurements.claim(session, crashed, grace=0.001)
    later = utcnow() + timedelta(seconds=120)

    with store.session() as session:
        found = measurements.stranded(session, waited=60, now=later)
    with store.session() as session:
        found_again = measurements.stranded(session, waited=60, now=later)

    assert {measurement_id for measurement_id, _ in found} == {waiting, crashed}
    assert found_again == [(crashed, 0.0)]


def test_two_sweepers_at_once_never_queue_the_same_measurement(store):
    _queued(store)
    later = utcnow() + timedelta(seconds=120)

    with store.session() as first, store.session() as second:
        found_first = measurements.stranded(first, waited=60, now=later)
        found_second = measurements.stranded(second, waited=60, now=later)

    assert len(found_first) == 1
    assert found_second == []

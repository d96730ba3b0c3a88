"""The measurement job: results are data, only infrastructure errors raise."""

import pytest
from probeops.plugins import get_registry
from probeops.policy import TargetPolicy
from probeops_store.database import Store
from probeops_store.models import Measurement, MeasurementTarget, Org
from probeops_store.testing import free_port
from probeops_worker.jobs import JobContext, run_measurement
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

LOOPBACK = TargetPolicy.from_cidrs(["127.0.0.0/8", "::1/128"])


def _queue(store, diagnostic, options, targets) -> str:
    with store.session() as session:
        org = Org(name=f"org-{diagnostic}-{len(targets)}")
        session.add(org)
        session.flush()
        row = Measurement(
            org_id=org.id,
            diagnostic=diagnostic,
            options=options,
            status="queued",
            targets=[
                MeasurementTarget(position=i, given=given, address=address)
                for i, (given, address) in enumerate(targets)
            ],
        )
        session.add(row)
    return row.id


def _load(store, measurement_id) -> Measurement:
    with store.session() as session:
        return session.scalars(
            select(Measurement).where(Measurement.id == measurement_id)
        ).one()


def test_ping_job_stores_one_result_per_target_and_finishes(store):
    measurement_id = _queue(
        store, "ping", {"count": 1}, [("127.0.0.1", "127.0.0.1"), ("::1", "::1")]
    )

    status = run_measurement(measurement_id, JobContext(store, LOOPBACK))

    row = _load(store, measurement_id)
    assert status == row.status == "finished"
    assert [t.result["status"] for t in row.targets] == ["finished", "finished"]


def test_running_a_job_again_changes_nothing(store):
    measurement_id = _queue(store, "ping", {"count": 1}, [("127.0.0.1", "127.0.0.1")])
    context = JobContext(store, LOOPBACK)
    run_measurement(measurement_id, context)
    first = _load(store, measurement_id).targets[0].result

    assert run_measurement(measurement_id, context) == "skipped"
    assert _load(store, measurement_id).targets[0].result == first


@pytest.mark.skipif("dns" not in get_registry().diagnostics, reason="needs dns")
def test_target_that_does_not_answer_is_a_result_not_a_retry(store):
    silent = f"127.0.0.1:{free_port()}"
    measurement_id = _queue(
        store,
        "dns",
        {"server": [silent], "timeout": 0.2, "retries": 0},
        [("example.org", "127.0.0.1")],
    )

    status = run_measurement(measurement_id, JobContext(store, LOOPBACK))

    result = _load(store, measurement_id).targets[0].result
    assert status == "finished"
    assert result["status"] != "finished"
    assert result["failure_source"] in ("target", "resolver")
    assert result["error"]


@pytest.mark.skipif("dns" not in get_registry().diagnostics, reason="needs dns")
def test_dns_query_name_reaches_the_diagnostic_unchanged(store):
    silent = f"127.0.0.1:{free_port()}"
    options = {"server": [silent], "timeout": 0.2, "retries": 0}
    measurement_id = _queue(store, "dns", options, [("loop.lab.test", None)])

    run_measurement(measurement_id, JobContext(store, LOOPBACK))

    result = _load(store, measurement_id).targets[0].result
    assert result["target"] == "loop.lab.test"
    assert result["body"]["question"] == {
        "name": "loop.lab.test.",
        "type": "A",
        "class": "IN",
    }


@pytest.mark.skipif("dns" not in get_registry().diagnostics, reason="needs dns")
def test_dns_server_the_worker_policy_refuses_fails_before_any_query(store):
    server = f"127.0.0.1:{free_port()}"
    measurement_id = _queue(store, "dns", {"server": [server]}, [("lab.test", None)])

    status = run_measurement(measurement_id, JobContext(store, TargetPolicy()))

    row = _load(store, measurement_id)
    assert status == row.status == "failed"
    assert "loopback" in row.error and "options.server" in row.error
    assert row.targets[0].result is None


def test_address_the_worker_policy_refuses_is_not_measured(store):
    measurement_id = _queue(store, "ping", {"count": 1}, [("127.0.0.1", "127.0.0.1")])

    run_measurement(measurement_id, JobContext(store, TargetPolicy()))

    result = _load(store, measurement_id).targets[0].result
    assert result["status"] == "failed"
    assert "loopback" in result["error"]


def test_bad_input_fails_the_measurement_without_raising(store):
    measurement_id = _queue(
        store, "no-such-diagnostic", {}, [("127.0.0.1", "127.0.0.1")]
    )

    status = run_measurement(measurement_id, JobContext(store, LOOPBACK))

    row = _load(store, measurement_id)
    assert status == row.status == "failed"
    assert "unknown diagnostic" in row.error


def test_database_that_cannot_be_reached_raises_so_the_queue_retries():
    unreachable = Store(f"postgresql://postgres@127.0.0.1:{free_port()}/none")

    with pytest.raises(OperationalError):
        run_measurement("any", JobContext(unreachable, LOOPBACK))
    unreachable.dispose()


def test_job_gives_up_after_its_attempts_are_spent(store):
    measurement_id = _queue(store, "ping", {"count": 1}, [("127.0.0.1", "127.0.0.1")])
    context = JobContext(store, LOOPBACK, grace=0.001, max_attempts=0)

    status = run_measurement(measurement_id, context)

    row = _load(store, measurement_id)
    assert status == row.status == "failed"
    assert "gave up" in row.error

"""The production profile: PostgreSQL, Redis, RQ workers in their own
processes, and what happens when a worker or Redis dies mid-run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from probeops.plugins import get_registry
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.models import Measurement
from probeops_store.settings import load
from probeops_store.testing import RedisServer, postgres_database
from probeops_webapp.app import create_app
from probeops_webapp.testing import Platform
from sqlalchemy import select

PROBEOPS = str(Path(sys.executable).with_name("probeops"))
TERMINAL = ("finished", "failed")


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def environ(redis_server):
    with postgres_database() as url:
        yield {
            "PROBEOPS_PROFILE": "production",
            "PROBEOPS_DATABASE_URL": url,
            "PROBEOPS_REDIS_URL": redis_server.url,
            "PROBEOPS_SECRET_KEY": "production-test-secret-" + "k" * 20,
            "PROBEOPS_TARGET_ALLOWLIST": "127.0.0.0/8,::1/128",
            "PROBEOPS_LOGIN_LIMIT": "1000/minute",
            "PROBEOPS_REQUEUE_AFTER": "1",
        }


@pytest.fixture(scope="module")
def production(environ):
    settings = load(environ)
    store = Store(settings.database_url)
    migrate.upgrade(store)
    app = create_app(settings, store)
    yield Platform(app, store, app.extensions["probeops_queue"])
    app.extensions["probeops_queue"].close()
    store.dispose()


class Workers:
    """``probeops worker`` processes started by a test and stopped after it."""

    def __init__(self, environ: dict, logs: Path) -> None:
        self.environ = {**os.environ, **environ}
        self.logs = logs
        self.processes: list[subprocess.Popen] = []

    def start(self, threads: int = 4) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [PROBEOPS, "worker"],
            env={**self.environ, "PROBEOPS_WORKER_THREADS": str(threads)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()


@pytest.fixture
def workers(environ, tmp_path):
    started = Workers(environ, tmp_path)
    yield started
    started.stop_all()


def _submit(platform, headers, targets, diagnostic="ping", **options) -> str:
    answer = platform.client.post(
        "/api/v1/measurements",
        headers=headers,
        json={"diagnostic": diagnostic, "targets": targets, "options": options},
    )
    assert answer.status_code == 202, answer.json
    return answer.json["id"]


def _rows(store, ids) -> list[Measurement]:
    with store.session() as session:
        rows = session.scalars(select(Measurement).where(Measurement.id.in_(ids)))
        return sorted(rows.all(), key=lambda row: ids.index(row.id))


def _wait_for(predicate, timeout: float, what: str):
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _all_terminal(store, ids, timeout=60) -> list[Measurement]:
    return _wait_for(
        lambda: (
            (rows := _rows(store, ids))
            and all(row.status in TERMINAL for row in rows)
            and rows
        ),
        timeout,
        "every measurement to end",
    )


def _one_result_per_target(rows) -> None:
    for row in rows:
        assert row.status == "finished", row.error
        assert all(target.result is not None for target in row.targets)
        assert [t.result["target"] for t in row.targets] == [
            t.given for t in row.targets
        ]


def test_api_key_submits_and_a_worker_runs_every_installed_diagnostic(
    production, workers
):
    key = production.api_key(
        production.user("operator", org="prod"),
        ["measurements:read", "measurements:write"],
    )
    workers.start()
    diagnostics = sorted(get_registry().diagnostics)
    ids = [_submit(production, key, ["127.0.0.1"], name) for name in diagnostics]

    rows = _all_terminal(production.store, ids, timeout=120)
    answers = [
        production.client.get(f"/api/v1/measurements/{i}", headers=key).json
        for i in ids
    ]

    _one_result_per_target(rows)
    assert [a["targets"][0]["result"]["diagnostic"] for a in answers] == diagnostics


def test_logout_is_kept_in_redis(production):
    headers = production.user("viewer", org="prod")
    production.client.post("/api/v1/auth/logout", headers=headers, json={})

    answer = production.client.get("/api/v1/diagnostics", headers=headers)

    assert answer.status_code == 401


@pytest.mark.parametrize("threads", [1, 4])
def test_sigterm_lets_the_worker_finish_the_job_in_hand(production, workers, threads):
    headers = production.user("operator", org="prod")
    worker = workers.start(threads)
    measurement_id = _submit(production, headers, ["127.0.0.1"], count=8, interval=0.2)
    _wait_for(
        lambda: _rows(production.store, [measurement_id])[0].status == "running",
        30,
        "the job to start",
    )

    worker.send_signal(signal.SIGTERM)
    exit_code = worker.wait(timeout=30)

    row = _rows(production.store, [measurement_id])[0]
    assert exit_code == 0
    assert row.status == "finished"
    assert row.targets[0].result["body"]["summary"]["sent"] == 8


def test_kill_9_mid_job_then_a_new_worker_ends_every_measurement_once(
    production, workers
):
    headers = production.user("operator", org="prod")
    ids = [
        _submit(
            production, headers, ["127.0.0.1", "::1"], count=5, interval=0.2, deadline=2
        )
        for _ in range(4)
    ]
    doomed = workers.start()
    _wait_for(
        lambda: any(r.status == "running" for r in _rows(production.store, ids)),
        30,
        "a job",
    )

    doomed.kill()
    doomed.wait()
    workers.start()
    rows = _all_terminal(production.store, ids, timeout=90)

    _one_result_per_target(rows)
    assert max(row.attempts for row in rows) >= 2


def test_redis_restarted_mid_run_loses_no_measurement(
    production, workers, redis_server
):
    headers = production.user("operator", org="prod")
    ids = [
        _submit(production, headers, ["127.0.0.1"], count=3, interval=0.1)
        for _ in range(12)
    ]
    workers.start()
    _wait_for(
        lambda: any(r.status == "running" for r in _rows(production.store, ids)),
        30,
        "a job to start",
    )

    redis_server.restart()
    waiting = [row for row in _rows(production.store, ids) if row.status == "queued"]
    ids.append(_submit(production, headers, ["::1"], count=1))
    rows = _all_terminal(production.store, ids, timeout=90)

    assert waiting, "every job ran before Redis restarted; nothing was tested"
    _one_result_per_target(rows)


def test_submission_while_redis_is_down_is_accepted_and_run_later(
    production, workers, redis_server
):
    key = production.api_key(
        production.user("operator", org="prod"),
        ["measurements:read", "measurements:write"],
    )
    session = production.user("viewer", org="prod")
    workers.start()

    redis_server.stop()
    try:
        measurement_id = _submit(production, key, ["127.0.0.1"], count=1)
        blocked = production.client.get("/api/v1/diagnostics", headers=session)
    finally:
        redis_server.start()
    rows = _all_terminal(production.store, [measurement_id], timeout=60)

    assert blocked.status_code == 503
    assert blocked.json["code"] == "service_unavailable"
    _one_result_per_target(rows)


def test_worker_refuses_a_database_that_was_never_migrated(environ):
    with postgres_database() as empty:
        refused = subprocess.run(
            [PROBEOPS, "worker"],
            env={**os.environ, **environ, "PROBEOPS_DATABASE_URL": empty},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert refused.returncode == 3
    assert "run `probeops db upgrade`" in refused.stderr


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("10.0.0.1", "target_forbidden"),
        ("::ffff:127.0.0.1", "invalid_target"),
        ("private.lab.test", "target_forbidden"),
    ],
)
def test_forbidden_target_puts_nothing_in_redis_or_the_database(
    production, target, code
):
    queue = production.app.extensions["probeops_queue"].queue
    headers = production.user("operator", org="prod")
    with production.store.session() as session:
        rows_before = session.query(Measurement).count()
    jobs_before = queue.count

    answer = production.client.post(
        "/api/v1/measurements",
        headers=headers,
        json={"diagnostic": "ping", "targets": [target]},
    )

    with production.store.session() as session:
        assert session.query(Measurement).count() == rows_before
    assert answer.status_code == 422
    assert answer.json["code"] == code
    assert queue.count == jobs_before

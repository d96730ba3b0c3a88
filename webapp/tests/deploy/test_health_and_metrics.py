"""Health endpoints and metrics without the NGINX stack."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from probeops.health import HealthServer
from probeops.settings import InvalidSetting
from probeops_webapp.settings import PROXY_HOPS
from probeops_worker.metrics import job_outcome
from probeops_worker.settings import HEALTH_LISTEN
from prometheus_client.parser import text_string_to_metric_families


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _refuse(reason: str):
    def check() -> None:
        raise ConnectionError(reason)

    return check


def test_health_server_answers_503_naming_the_failing_check():
    checks = {"redis": _refuse("connection refused"), "database": lambda: None}
    server = HealthServer(("127.0.0.1", 0), checks).start()
    try:
        status, body = _get(f"http://127.0.0.1:{server.port}/healthz")
        missing, _ = _get(f"http://127.0.0.1:{server.port}/nothing")
    finally:
        server.stop()

    assert status == 503
    assert json.loads(body) == {
        "status": "failing",
        "checks": {"redis": "ConnectionError: connection refused", "database": "ok"},
    }
    assert missing == 404


def test_health_server_listens_on_ipv6_loopback_and_serves_metrics():
    server = HealthServer(("::1", 0), {"nothing": lambda: None}).start()
    try:
        status, body = _get(f"http://[::1]:{server.port}/healthz")
        scraped, text = _get(f"http://[::1]:{server.port}/metrics")
    finally:
        server.stop()

    assert (status, json.loads(body)["status"]) == (200, "ok")
    assert scraped == 200
    assert list(text_string_to_metric_families(text.decode()))


@pytest.mark.parametrize(
    ("setting", "raw"),
    [(HEALTH_LISTEN, "9101"), (HEALTH_LISTEN, "0.0.0.0:99999"), (PROXY_HOPS, "-1")],
)
def test_bad_deployment_settings_name_the_variable_and_what_it_takes(setting, raw):
    with pytest.raises(InvalidSetting) as refused:
        setting.read({setting.name: raw})

    assert setting.name in str(refused.value)
    assert setting.allowed in str(refused.value)


def test_worker_health_is_off_unless_asked_for():
    assert HEALTH_LISTEN.read({}) is None
    assert HEALTH_LISTEN.read({HEALTH_LISTEN.name: "[::1]:0"}) == ("::1", 0)


def test_job_outcomes_are_the_job_answer_or_error():
    assert job_outcome(True, "finished") == "finished"
    assert job_outcome(True, "skipped") == "skipped"
    assert job_outcome(True, None) == "error"
    assert job_outcome(False, "finished") == "error"


def test_embedded_app_is_ready_with_its_database_alone(platform):
    alive = platform.client.get("/healthz")
    ready = platform.client.get("/readyz")

    assert alive.status_code == 200 and alive.json == {"status": "alive"}
    assert ready.status_code == 200
    assert ready.json == {"status": "ready", "checks": {"database": "ok"}}


def test_embedded_app_is_unready_when_its_database_is_gone(platform, tmp_path):
    platform.store.dispose()
    (tmp_path / "probeops.sqlite3").unlink()
    (tmp_path / "probeops.sqlite3").mkdir()  # no database can open here

    ready = platform.client.get("/readyz")

    assert ready.status_code == 503
    assert ready.json["status"] == "unready"
    assert ready.json["checks"]["database"] != "ok"


def test_metrics_count_measurements_and_durations_on_sqlite(platform):
    headers = platform.user("operator")
    answer = platform.client.post(
        "/api/v1/measurements",
        headers=headers,
        json={"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}},
    )
    platform.wait(headers, answer.headers["Location"])

    text = platform.client.get("/metrics").get_data(as_text=True)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }

    finished = (("diagnostic", "ping"), ("status", "finished"))
    assert samples[("probeops_measurements_total", finished)] == 1
    count = samples[
        ("probeops_measurement_duration_seconds_count", (("diagnostic", "ping"),))
    ]
    total = samples[
        ("probeops_measurement_duration_seconds_sum", (("diagnostic", "ping"),))
    ]
    assert count == 1 and 0 < total < 60
    assert samples[("probeops_dependency_up", (("dependency", "database"),))] == 1


def test_metrics_give_each_probe_its_last_heartbeat(platform):
    from probeops_store.models import Org
    from probeops_store.probe_models import Probe
    from sqlalchemy import select

    platform.user("admin", org="field")
    seen = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    with platform.store.session() as session:
        org = session.scalars(select(Org).where(Org.name == "field")).one()
        for name, last_seen_at in (("branch-1", seen), ("never", None)):
            session.add(
                Probe(
                    org_id=org.id,
                    name=name,
                    prefix=f"pop_{name}",
                    secret_hash="0" * 64,
                    last_seen_at=last_seen_at,
                )
            )

    text = platform.client.get("/metrics").get_data(as_text=True)
    family = next(
        family
        for family in text_string_to_metric_families(text)
        if family.name == "probeops_probe_last_heartbeat_timestamp_seconds"
    )

    assert [(s.labels["probe"], s.value) for s in family.samples] == [
        ("branch-1", seen.timestamp())
    ]

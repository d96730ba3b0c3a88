"""The platform behind NGINX with TLS, used only through https://127.0.0.1."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow


def _wait(read, done, timeout: float, what: str):
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        found = read()
        if done(found):
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}: {found}")


def _metrics(stack) -> dict[tuple[str, frozenset], float]:
    answer = stack.client.https("GET", "/metrics")
    assert answer.status == 200, answer.body
    text = answer.body.decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _finished_pings(metrics) -> float:
    labels = frozenset({"diagnostic": "ping", "status": "finished"}.items())
    return metrics.get(("probeops_measurements_total", labels), 0.0)


def _ping(stack, headers) -> dict:
    submitted = stack.client.https(
        "POST",
        "/api/v1/measurements",
        {"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}},
        headers,
    )
    assert submitted.status == 202, submitted.body
    location = submitted.headers["Location"]
    return _wait(
        lambda: stack.client.https("GET", location, headers=headers).json,
        lambda body: body["status"] in ("finished", "failed"),
        60,
        "the measurement to end",
    )


def test_plain_http_is_redirected_to_https_keeping_the_path(stack):
    answer = stack.client.http("GET", "/api/v1/diagnostics?x=1")

    assert answer.status == 301
    expected = f"https://127.0.0.1:{stack.client.https_port}/api/v1/diagnostics?x=1"
    assert answer.headers["Location"] == expected


def test_acme_challenge_is_answered_over_plain_http_for_certbot(stack):
    token = stack.acme_root / ".well-known" / "acme-challenge" / "token-123"
    token.write_text("token-123.thumbprint")

    answer = stack.client.http("GET", "/.well-known/acme-challenge/token-123")

    assert answer.status == 200
    assert answer.body == b"token-123.thumbprint"


def test_every_https_answer_carries_hsts_and_security_headers(stack):
    for path in ("/healthz", "/api/v1/diagnostics", "/no/such/route"):
        answer = stack.client.https("GET", path)

        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Server"] == "nginx"


def test_log_in_measure_and_read_the_result_through_nginx(stack):
    headers = stack.client.login()

    body = _ping(stack, headers)

    assert body["status"] == "finished"
    result = body["targets"][0]["result"]
    assert result["status"] == "finished"
    assert result["body"]["summary"]["sent"] == 1


@pytest.fixture
def stream_route(tmp_path) -> str:
    """The path of the live progress stream, when this web app has one."""
    from probeops_webapp.testing import embedded_platform

    platform = embedded_platform(tmp_path, PROBEOPS_CREATE_ADMIN="0")
    routes = [
        rule.rule
        for rule in platform.app.url_map.iter_rules()
        if rule.rule.endswith("/events") and "measurement_id" in rule.arguments
    ]
    platform.queue.close()
    platform.store.dispose()
    if not routes:
        pytest.skip("this web app offers no live progress stream")
    return routes[0]


def test_live_progress_streams_through_nginx_as_it_happens(stack, stream_route):
    headers = stack.client.login()
    submitted = stack.client.https(
        "POST",
        "/api/v1/measurements",
        {
            "diagnostic": "ping",
            "targets": ["127.0.0.1"],
            "options": {"count": 6, "interval": 0.5},
        },
        headers,
    )
    location = submitted.headers["Location"]
    stream = stream_route.replace("<measurement_id>", submitted.json["id"])

    events = stack.client.events(stream, headers)
    first = next(events)
    meanwhile = stack.client.https("GET", location, headers=headers).json
    rest = list(events)

    assert first[0] == "status" and first[1]["status"] in ("queued", "running")
    assert meanwhile["status"] in ("queued", "running")  # not held back by NGINX
    assert rest[-1][0] == "done"
    assert rest[-1][1]["status"] == "finished"


def test_static_assets_come_from_nginx_with_cache_headers(stack):
    (stack.static_root / "app.css").write_text("body { margin: 0 }\n")

    answer = stack.client.https("GET", "/static/app.css")
    missing = stack.client.https("GET", "/static/none.css")

    assert answer.status == 200
    assert answer.body == b"body { margin: 0 }\n"
    assert answer.headers["Content-Type"].startswith("text/css")
    assert answer.headers["Cache-Control"] == "max-age=604800"
    assert answer.headers["Expires"]
    assert missing.status == 404
    assert missing.headers["Content-Type"].startswith("text/html")  # not the API


def test_request_bodies_over_the_limit_are_refused_by_nginx(stack):
    answer = stack.client.https(
        "POST",
        "/api/v1/auth/login",
        b"x" * (2 * 1024 * 1024),
        {"Content-Type": "application/json"},
    )

    assert answer.status == 413


def test_login_limits_count_the_client_address_nginx_forwards(stack):
    wrong = {"email": "someone@deploy.example", "password": "not the password"}

    def attempt(source: str) -> int:
        answer = stack.client.https("POST", "/api/v1/auth/login", wrong, source=source)
        return answer.status

    tries = [attempt("127.0.0.3") for _ in range(6)]
    other_client = attempt("127.0.0.4")

    assert tries == [401] * 5 + [429]
    assert other_client == 401


def test_metrics_parse_as_prometheus_text_and_count_the_measurement(stack):
    headers = stack.client.login()
    before = _finished_pings(_metrics(stack))

    _ping(stack, headers)
    after = _metrics(stack)

    assert _finished_pings(after) == before + 1
    summary = frozenset({"diagnostic": "ping"}.items())
    assert after[("probeops_measurement_duration_seconds_count", summary)] >= 1
    submit = {"method": "POST", "route": "/api/v1/measurements", "status": "202"}
    assert after[("probeops_http_requests_total", frozenset(submit.items()))] >= 1
    queue = frozenset({"queue": "probeops-measurements"}.items())
    assert after[("probeops_queue_workers", queue)] >= 1
    assert after[("probeops_queue_depth", queue)] == 0


def test_worker_health_and_metrics_count_the_jobs_it_ran(stack):
    headers = stack.client.login()
    _ping(stack, headers)
    base = f"http://127.0.0.1:{stack.worker_health_port}"

    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:
        health = json.load(answer)
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:
        families = {
            family.name: family
            for family in text_string_to_metric_families(answer.read().decode())
        }

    assert health == {"status": "ok", "checks": {"redis": "ok", "database": "ok"}}
    finished = [
        sample.value
        for sample in families["probeops_worker_jobs"].samples
        if sample.labels == {"outcome": "finished"}
    ]
    assert finished and finished[0] >= 1


def test_metrics_through_nginx_are_refused_to_other_addresses(stack):
    refused = stack.client.https("GET", "/metrics", source="127.0.0.2")
    health = stack.client.https("GET", "/healthz", source="127.0.0.2")

    assert refused.status == 403
    assert health.status == 200


def test_readyz_turns_unready_while_redis_is_down_then_ready_again(stack):
    ready = stack.client.https("GET", "/readyz")

    stack.redis.stop()
    try:
        down = stack.client.https("GET", "/readyz")
        alive = stack.client.https("GET", "/healthz")
    finally:
        stack.redis.start()
    back = _wait(
        lambda: stack.client.https("GET", "/readyz"),
        lambda answer: answer.status == 200,
        30,
        "/readyz to be ready again",
    )

    assert ready.status == 200
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert down.status == 503
    assert down.json["status"] == "unready"
    assert down.json["checks"]["database"] == "ok"
    assert "ConnectionError" in down.json["checks"]["redis"]
    assert alive.status == 200
    assert back.json["status"] == "ready"

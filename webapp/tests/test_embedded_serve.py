"""`probeops serve` starts the whole platform a newcomer can use from curl."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from probeops_store import migrate

PROBEOPS = [str(Path(sys.executable).with_name("probeops"))]


def _environ(tmp_path) -> dict:
    return {
        **os.environ,
        "PROBEOPS_DATA_DIR": str(tmp_path),
        "PROBEOPS_LISTEN": "127.0.0.1:0",
        "PROBEOPS_PROFILE": "embedded",
    }


@pytest.fixture
def served(tmp_path):
    process = subprocess.Popen(
        [*PROBEOPS, "serve"],
        env=_environ(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = _banner(process)
    yield process, lines
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    process.stdout.close()


def _banner(process) -> list[str]:
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if line.lstrip().startswith("curl "):
            return lines
    raise AssertionError("probeops serve ended early:\n" + "\n".join(lines))


def _call(base: str, method: str, path: str, body=None, token=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, dict(answer.headers), json.loads(answer.read() or "null")


def test_serve_creates_an_admin_prints_how_to_log_in_and_runs_a_ping(served):
    _, lines = served
    text = "\n".join(lines)
    base = re.search(r"API on (http://127\.0\.0\.1:\d+)/api/v1", text).group(1)
    password = re.search(r"with password (\S+)", text).group(1)

    assert "demo target policy allows loopback" in text
    _, _, tokens = _call(
        base,
        "POST",
        "/api/v1/auth/login",
        {"email": "admin@probeops.local", "password": password},
    )
    token = tokens["access_token"]
    status, headers, _ = _call(
        base,
        "POST",
        "/api/v1/measurements",
        {"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}},
        token,
    )
    measurement = _poll(base, headers["Location"], token)

    assert status == 202
    assert measurement["status"] == "finished"
    assert measurement["targets"][0]["result"]["body"]["summary"]["received"] == 1


def _poll(base: str, location: str, token: str) -> dict:
    for _ in range(200):
        _, _, body = _call(base, "GET", location, token=token)
        if body["status"] in ("finished", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{location} did not finish")


def _probeops(tmp_path, *arguments: str, stdin: str = "", **environ):
    return subprocess.run(
        [*PROBEOPS, *arguments],
        input=stdin,
        env={**_environ(tmp_path), **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_users_create_reads_the_password_from_stdin(tmp_path):
    created = _probeops(
        tmp_path,
        "users",
        "create",
        "--email",
        "ops@example.org",
        "--password-stdin",
        "--role",
        "operator",
        "--org",
        "netops",
        stdin="a password long enough\n",
    )

    assert created.returncode == 0, created.stderr
    assert "created operator ops@example.org in org netops" in created.stdout


def test_users_create_refuses_a_short_password_with_exit_2(tmp_path):
    refused = _probeops(
        tmp_path,
        "users",
        "create",
        "--email",
        "ops@example.org",
        "--password-stdin",
        "--role",
        "viewer",
        stdin="short\n",
    )

    assert refused.returncode == 2
    assert "at least 12" in refused.stderr


def test_bad_setting_stops_serve_naming_the_variable(tmp_path):
    stopped = _probeops(tmp_path, "serve", PROBEOPS_PROFILE="cloud")

    assert stopped.returncode == 2
    assert "PROBEOPS_PROFILE" in stopped.stderr
    assert "embedded or production" in stopped.stderr


def test_db_upgrade_migrates_the_configured_database(tmp_path):
    upgraded = _probeops(tmp_path, "db", "upgrade")

    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at revision {migrate.head()}" in upgraded.stdout
    assert (tmp_path / "probeops.sqlite3").exists()


def test_serve_runs_measurements_a_previous_process_left_queued(tmp_path):
    from datetime import UTC, datetime, timedelta

    from probeops_store.models import Measurement, MeasurementTarget, Org
    from probeops_store.settings import load
    from probeops_webapp.serve import Server

    settings = load({**_environ(tmp_path), "PROBEOPS_REQUEUE_AFTER": "0.5"})
    server = Server(settings)
    with server.store.session() as session:
        org = Org(name="left-behind")
        session.add(org)
        session.flush()
        orphan = Measurement(
            org_id=org.id,
            diagnostic="ping",
            options={"count": 1},
            status="queued",
            time_limit=10.0,
            queued_at=datetime.now(UTC) - timedelta(minutes=5),
            targets=[MeasurementTarget(position=0, given="::1", address="::1")],
        )
        session.add(orphan)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with server.store.session() as session:
                status = session.get(Measurement, orphan.number).status
            if status == "finished":
                break
            time.sleep(0.1)
    finally:
        server.stop()

    assert status == "finished"


def test_second_start_keeps_the_admin_and_says_how_to_add_users(tmp_path):
    from probeops_store.settings import load
    from probeops_webapp.serve import Server, banner

    settings = load(_environ(tmp_path))
    first = Server(settings)
    first.stop()
    second = Server(settings)
    text = banner(settings, second.password, second.port)
    second.stop()

    assert first.password and second.password is None
    assert "users exist already" in text
    assert "probeops users create" in text

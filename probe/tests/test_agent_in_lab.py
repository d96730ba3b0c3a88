"""Agents in lab namespaces working for a platform in another namespace.

The API listens only inside the lab's client namespace; each agent runs in
a target namespace and reaches it over its veth link. Agents ping their
own namespace's loopback, which their target policy allows on purpose.
"""

import random
import secrets
import sys
import time

import pytest
from probeops_probe.labplatform import wait_for
from probeops_probe.testing import enrolment_token

pytestmark = [pytest.mark.lab, pytest.mark.slow]


def _tag() -> str:
    return "t" + secrets.token_hex(3)


def _enrolled(platform, admin, agent, name, *tags, extra=()):
    token = enrolment_token(platform.client, admin)
    return agent.enrol(token, name, *tags, extra=extra)


def _online(platform, admin, probe_ids):
    listed = platform.client.get("/api/v1/probes", headers=admin).json
    seen = {p["id"]: p for p in listed if p["status"] == "online" and p["diagnostics"]}
    return all(probe_id in seen for probe_id in probe_ids) and seen


def _submit(platform, admin, targets, tag, **options):
    answer = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={
            "diagnostic": "ping",
            "targets": targets,
            "options": {"count": 1, "deadline": 3, **options},
            "probes": {"tags": [tag]},
        },
    )
    assert answer.status_code == 202, answer.json
    return answer.json["id"]


def _parts(platform, admin, measurement_id):
    return platform.client.get(
        f"/api/v1/measurements/{measurement_id}/probes", headers=admin
    ).json


def _settled(platform, admin, measurement_id):
    parts = _parts(platform, admin, measurement_id)
    return all(part["status"] != "pending" for part in parts) and parts


def test_two_probes_enrol_report_and_measure_over_their_links(lab_platform, agents):
    _lab, platform, _server = lab_platform
    admin = platform.user("admin")
    tag = _tag()
    first, second = agents("t1"), agents("t2")
    ids = [
        _enrolled(platform, admin, first, "branch-1", tag, extra=["--country", "NL"]),
        _enrolled(platform, admin, second, "branch-2", tag),
    ]
    first.start()
    second.start()

    probes = wait_for(lambda: _online(platform, admin, ids), what="probes online")
    measurement = _submit(platform, admin, ["127.0.0.1"], tag)
    parts = wait_for(lambda: _settled(platform, admin, measurement), what="done")

    assert probes[ids[0]]["capabilities"]["raw_socket"] is True
    assert probes[ids[0]]["location"] == {"country": "NL"}
    assert probes[ids[0]]["tags"] == [tag]
    assert "ping" in probes[ids[0]]["diagnostics"]
    assert sorted(p["probe_name"] for p in parts) == ["branch-1", "branch-2"]
    assert [p["status"] for p in parts] == ["done", "done"]
    for part in parts:
        (result,) = part["results"]
        assert result["document"]["status"] == "finished"
        assert result["document"]["body"]["summary"]["received"] == 1
        assert result["since_sync_s"] is not None
        assert result["clock_skew"] is False


def test_a_stopped_probe_of_three_gets_offline_and_two_results_count(
    lab_platform, agents
):
    _lab, platform, _server = lab_platform
    admin = platform.user("admin")
    tag = _tag()
    made = [agents(node) for node in ("t1", "t2", "t3")]
    ids = [_enrolled(platform, admin, a, a.node, tag) for a in made]
    for agent in made:
        agent.start()
    wait_for(lambda: _online(platform, admin, ids), what="probes online")

    made[2].kill()
    measurement = _submit(platform, admin, ["127.0.0.1"], tag, deadline=1)
    parts = wait_for(
        lambda: _settled(platform, admin, measurement), timeout=40, what="settled"
    )

    statuses = {part["probe_name"]: part["status"] for part in parts}
    assert statuses == {"t1": "done", "t2": "done", "t3": "offline"}
    assert sum(len(part["results"]) for part in parts) == 2
    body = platform.client.get(
        f"/api/v1/measurements/{measurement}", headers=admin
    ).json
    assert body["status"] == "finished"


def _held(platform, probe_id) -> set[str]:
    from probeops_store.probe_models import ProbeResult
    from sqlalchemy import select

    with platform.store.session() as session:
        return set(
            session.scalars(
                select(ProbeResult.id).where(ProbeResult.probe_id == probe_id)
            )
        )


def test_kill_9_at_random_points_over_500_results_keeps_exactly_500(
    lab_platform, agents
):
    _lab, platform, _server = lab_platform
    admin = platform.user("admin")
    tag = _tag()
    agent = agents("t1")
    probe_id = _enrolled(platform, admin, agent, "crashy", tag)
    agent.start("--batch", "40")
    wait_for(lambda: _online(platform, admin, [probe_id]), what="probe online")
    measurements = [
        _submit(platform, admin, ["127.0.0.1"] * 100, tag, deadline=20)
        for _ in range(5)
    ]

    kills = 0
    rng = random.Random(7)
    while len(_held(platform, probe_id)) < 500 and kills < 60:
        time.sleep(rng.uniform(0.3, 1.5))
        agent.kill()
        kills += 1
        agent.start("--batch", "40")
    wait_for(lambda: len(_held(platform, probe_id)) >= 500, timeout=60)

    held = _held(platform, probe_id)
    jobs = [p for m in measurements for p in _parts(platform, admin, m)]
    expected = {
        f"{job['results'][0]['job_id']}-{n}" for job in jobs for n in range(100)
    }
    assert kills >= 3
    assert len(held) == 500
    assert held == expected
    assert all(job["status"] == "done" for job in jobs)


def test_results_made_while_the_api_is_down_are_backfilled_once(lab_platform, agents):
    _lab, platform, server = lab_platform
    admin = platform.user("admin")
    agent = agents("t2")
    probe_id = _enrolled(platform, admin, agent, "patient")
    _schedule(platform, admin, probe_ids=[probe_id])
    agent.start()
    wait_for(lambda: len(_held(platform, probe_id)) >= 3, what="first results")

    server.stop()
    down_at = time.time()
    time.sleep(1.5)
    wait_for(lambda: agent.outbox()["pending"] >= 5, what="results while down")
    up_at = time.time()
    server.start()
    wait_for(lambda: agent.outbox()["pending"] == 0, what="backfill")
    agent.stop()

    counters = agent.outbox()
    held = _held(platform, probe_id)
    assert len(held) == counters["committed"] == counters["sent"]
    assert counters["dropped_rows"] == 0
    during = _measured_between(platform, admin, probe_id, down_at, up_at)
    assert during >= 3


def _schedule(platform, admin, interval=0.2, **probes):
    answer = platform.client.post(
        "/api/v1/schedules",
        headers=admin,
        json={
            "diagnostic": "ping",
            "target": "127.0.0.1",
            "options": {"count": 1, "timeout": 1},
            "interval_s": interval,
            **probes,
        },
    )
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def _measured_between(platform, admin, probe_id, start, end) -> int:
    from datetime import datetime

    results = platform.client.get(
        f"/api/v1/probes/{probe_id}/results", headers=admin
    ).json
    moments = [datetime.fromisoformat(r["measured_at"]).timestamp() for r in results]
    return sum(start <= moment <= end for moment in moments)


def test_lease_expiry_stops_scheduled_checks_and_reenrolment_resumes_them(
    lab_platform, agents, monkeypatch
):
    _lab, platform, _server = lab_platform
    monkeypatch.setenv("PROBEOPS_PROBE_LEASE", "2")
    admin = platform.user("admin")
    tag = _tag()
    agent = agents("t3")
    probe_id = _enrolled(platform, admin, agent, "leased", tag)
    _schedule(platform, admin, interval=0.3, tags=[tag])
    agent.start()
    wait_for(lambda: len(_held(platform, probe_id)) >= 2, what="first results")

    platform.client.delete(f"/api/v1/probes/{probe_id}", headers=admin)
    time.sleep(3)
    stalled = agent.outbox()["committed"]
    time.sleep(1.5)
    assert agent.outbox()["committed"] == stalled

    agent.kill()
    renewed = _enrolled(platform, admin, agent, "leased-again", tag)
    agent.start()
    wait_for(lambda: len(_held(platform, renewed)) >= 2, what="resumed")
    assert renewed != probe_id


HEALTH = (
    "import json, sys, urllib.request, urllib.error\n"
    "try:\n"
    "    answer = urllib.request.urlopen(sys.argv[1], timeout=5)\n"
    "except urllib.error.HTTPError as error:\n"
    "    answer = error\n"
    "print(answer.status, answer.read().decode())\n"
)


def test_the_agent_health_endpoint_follows_its_credential(lab_platform, agents):
    lab, platform, _server = lab_platform
    admin = platform.user("admin")
    agent = agents("t3", "health")
    probe_id = _enrolled(platform, admin, agent, "health-1", _tag())
    agent.start("--health", "127.0.0.1:0")
    port = wait_for(lambda: _health_port(agent), what="health port in the log")
    url = f"http://127.0.0.1:{port}/healthz"

    def health():
        done = lab.exec("t3", [sys.executable, "-c", HEALTH, url])
        return done.stdout.split(" ", 1)

    wait_for(lambda: health()[0] == "200", what="healthy")
    platform.client.delete(f"/api/v1/probes/{probe_id}", headers=admin)
    status, body = wait_for(
        lambda: (answer := health())[0] == "503" and answer, what="unhealthy"
    )
    assert "refuses this probe's credential" in body


def _health_port(agent) -> int | None:
    for line in agent.log.read_text().splitlines():
        if line.startswith("probeops-probe: health on port "):
            return int(line.rsplit(" ", 1)[1])
    return None

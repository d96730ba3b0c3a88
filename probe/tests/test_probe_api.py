"""The probe endpoints: enrolment, heartbeats, jobs, uploads, revocation."""

import pytest
from probeops_probe.testing import bearer, enrol, enrolment_token, now_text, record

PING = {"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}}


def _probe(platform, admin, name="p1", **body) -> dict:
    token = enrolment_token(platform.client, admin, tags=["lab"])
    return enrol(platform.client, token, name, **body)


def _upload(client, probe, records, sent_at=None):
    return client.post(
        "/api/v1/agent/results",
        headers=bearer(probe["credential"]),
        json={"sent_at": sent_at or now_text(), "results": records},
    )


def test_an_enrolment_token_works_once(platform, admin):
    token = enrolment_token(platform.client, admin)

    enrol(platform.client, token, "first")
    again = platform.client.post(
        "/api/v1/agent/enrol", headers=bearer(token), json={"name": "second"}
    )

    assert again.status_code == 401
    assert "already used" in again.json["message"]


def test_only_admins_create_enrolment_tokens(platform):
    answer = platform.client.post(
        "/api/v1/probe-tokens", headers=platform.user("operator"), json={}
    )

    assert answer.status_code == 403


def test_token_lifetime_out_of_range_is_refused_naming_the_range(platform, admin):
    answer = platform.client.post(
        "/api/v1/probe-tokens", headers=admin, json={"minutes": 0}
    )

    assert answer.status_code == 422
    assert answer.json["errors"]["minutes"] == ["must be between 1 and 10080, got 0"]


def test_heartbeat_reports_the_probe_and_returns_its_schedule(platform, admin):
    probe = _probe(platform, admin, location={"country": "NL", "asn": 64500})
    schedule = platform.client.post(
        "/api/v1/schedules",
        headers=admin,
        json={**_check(), "tags": ["lab"]},
    )
    assert schedule.status_code == 201, schedule.json

    answer = platform.client.post(
        "/api/v1/agent/heartbeat",
        headers=bearer(probe["credential"]),
        json={
            "sent_at": now_text(),
            "version": "9.9",
            "diagnostics": ["ping"],
            "capabilities": {"raw_socket": True, "ipv4": True, "ipv6": False},
            "outbox": {"pending": 3, "dropped_rows": 1},
        },
    )

    assert answer.status_code == 200, answer.json
    assert [c["id"] for c in answer.json["schedule"]] == [schedule.json["id"]]
    assert answer.json["lease_seconds"] == 3600
    listed = platform.client.get("/api/v1/probes", headers=admin).json
    assert listed[0]["status"] == "online"
    assert listed[0]["version"] == "9.9"
    assert listed[0]["location"] == {"country": "NL", "asn": 64500}
    assert listed[0]["outbox"] == {"pending": 3, "dropped_rows": 1}
    assert listed[0]["tags"] == ["lab"]


def _check() -> dict:
    return {
        "diagnostic": "ping",
        "target": "127.0.0.1",
        "options": {"count": 1},
        "interval_s": 1,
    }


def test_a_schedule_without_probes_or_tags_is_refused(platform, admin):
    answer = platform.client.post("/api/v1/schedules", headers=admin, json=_check())

    assert answer.status_code == 422
    assert "probe_ids" in answer.json["errors"]


def test_each_result_id_is_stored_once_and_the_answer_says_which(platform, admin):
    probe = _probe(platform, admin)

    first = _upload(platform.client, probe, [record("a"), record("b")])
    second = _upload(platform.client, probe, [record("b"), record("c")])

    assert first.json == {"accepted": ["a", "b"], "duplicates": [], "rejected": []}
    assert second.json == {"accepted": ["c"], "duplicates": ["b"], "rejected": []}
    results = platform.client.get(
        f"/api/v1/probes/{probe['probe_id']}/results", headers=admin
    ).json
    assert sorted(r["id"] for r in results) == ["a", "b", "c"]


def test_a_result_sent_from_a_skewed_clock_is_flagged(platform, admin):
    probe = _probe(platform, admin)

    _upload(platform.client, probe, [record("late")], sent_at="2020-01-01T00:00:00Z")

    stored = platform.client.get(
        f"/api/v1/probes/{probe['probe_id']}/results", headers=admin
    ).json
    assert stored[0]["clock_skew"] is True


def test_a_probe_cannot_upload_for_another_probes_job(platform, admin):
    probe_a = _probe(platform, admin, "a")
    probe_b = _probe(platform, admin, "b")
    submitted = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={**PING, "probes": {"ids": [probe_b["probe_id"]]}},
    )
    assert submitted.status_code == 202, submitted.json
    job = platform.client.get(
        "/api/v1/agent/work", headers=bearer(probe_b["credential"])
    ).json["jobs"][0]

    answer = _upload(
        platform.client, probe_a, [record(f"{job['id']}-0", job_id=job["id"])]
    )

    assert answer.status_code == 403
    assert f"is not a job of probe {probe_a['probe_id']}" in answer.json["message"]


def test_a_revoked_probe_is_refused_at_once(platform, admin):
    probe = _probe(platform, admin)

    revoked = platform.client.delete(
        f"/api/v1/probes/{probe['probe_id']}", headers=admin
    )
    answer = platform.client.get(
        "/api/v1/agent/work", headers=bearer(probe["credential"])
    )

    assert revoked.status_code == 204
    assert answer.status_code == 401
    assert "revoked" in answer.json["message"]


@pytest.mark.parametrize("path", ["/api/v1/measurements", "/api/v1/probes"])
def test_probe_credentials_work_only_on_probe_routes(platform, admin, path):
    probe = _probe(platform, admin)

    answer = platform.client.get(path, headers=bearer(probe["credential"]))

    assert answer.status_code == 401


def test_user_tokens_are_refused_on_probe_routes(platform, admin):
    answer = platform.client.get("/api/v1/agent/work", headers=admin)

    assert answer.status_code == 401
    assert "probe credential" in answer.json["message"]


def test_a_silent_probe_gets_offline_and_the_measurement_finishes(platform, admin):
    quiet = _probe(platform, admin, "quiet")
    busy = _probe(platform, admin, "busy")
    submitted = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={**PING, "options": {"count": 1, "deadline": 1}, "probes": {}},
    )
    job = platform.client.get(
        "/api/v1/agent/work", headers=bearer(busy["credential"])
    ).json["jobs"][0]
    _upload(platform.client, busy, [record(f"{job['id']}-0", job_id=job["id"])])

    parts = _parts_after_deadline(platform, admin, submitted.json["id"])

    assert {p["probe_name"]: p["status"] for p in parts} == {
        "quiet": "offline",
        "busy": "done",
    }
    assert [len(p["results"]) for p in parts] == [0, 1]
    assert quiet["probe_id"] in {p["probe_id"] for p in parts}
    measurement = platform.client.get(
        f"/api/v1/measurements/{submitted.json['id']}", headers=admin
    ).json
    assert measurement["status"] == "finished"


def _parts_after_deadline(platform, admin, measurement_id, timeout=20):
    import time

    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        parts = platform.client.get(
            f"/api/v1/measurements/{measurement_id}/probes", headers=admin
        ).json
        if all(part["status"] != "pending" for part in parts):
            return sorted(parts, key=lambda part: len(part["results"]))
        time.sleep(0.2)
    raise AssertionError(f"parts still pending after {timeout}s: {parts}")


def test_a_measurement_with_no_matching_probe_is_refused(platform, admin):
    answer = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={**PING, "probes": {"tags": ["nowhere"]}},
    )

    assert answer.status_code == 422
    assert "no online probe" in answer.json["message"]


def test_results_of_a_job_deleted_with_its_measurement_are_rejected(platform, admin):
    probe = _probe(platform, admin)

    answer = _upload(
        platform.client,
        probe,
        [record("kept"), record("gone-0", job_id="f" * 32)],
    )

    assert answer.status_code == 200
    assert answer.json == {
        "accepted": ["kept"],
        "duplicates": [],
        "rejected": ["gone-0"],
    }


def test_a_heartbeat_may_rename_retag_and_relocate_keeping_token_tags(platform, admin):
    probe = _probe(platform, admin, "old-name")

    answer = platform.client.post(
        "/api/v1/agent/heartbeat",
        headers=bearer(probe["credential"]),
        json={
            "sent_at": now_text(),
            "name": "new-name",
            "tags": ["dc"],
            "location": {"city": "Utrecht"},
        },
    )

    assert answer.status_code == 200, answer.json
    (listed,) = platform.client.get("/api/v1/probes", headers=admin).json
    assert listed["name"] == "new-name"
    assert listed["tags"] == ["dc", "lab"]
    assert listed["location"] == {"city": "Utrecht"}


def test_a_dns_query_name_is_handed_to_probes_as_given_and_servers_checked(
    platform, admin
):
    probe = _probe(platform, admin, "resolver-view")
    submitted = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={
            "diagnostic": "dns",
            "targets": ["Private.Lab.Test."],
            "options": {"server": ["127.0.0.1:5353"]},
            "probes": {},
        },
    )
    assert submitted.status_code == 202, submitted.json
    job = platform.client.get(
        "/api/v1/agent/work", headers=bearer(probe["credential"])
    ).json["jobs"][0]
    assert job["targets"] == ["Private.Lab.Test."]

    forbidden = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={
            "diagnostic": "dns",
            "targets": ["www.lab.test"],
            "options": {"server": ["10.0.0.53"]},
            "probes": {},
        },
    )
    assert forbidden.status_code == 422
    assert forbidden.json["code"] == "target_forbidden"

"""Submitting, following and listing measurements through the API."""

import pytest
from probeops.plugins import get_registry
from probeops_store.models import Measurement
from probeops_webapp.testing import embedded_platform
from sqlalchemy import func, select


def _count(platform) -> int:
    with platform.store.session() as session:
        return session.scalar(select(func.count(Measurement.number)))


def _submit(platform, headers, targets, diagnostic="ping", **options):
    return platform.client.post(
        "/api/v1/measurements",
        headers=headers,
        json={"diagnostic": diagnostic, "targets": targets, "options": options},
    )


def test_ping_of_loopback_is_queued_run_and_returned(platform):
    key = platform.api_key(
        platform.user("operator"), ["measurements:read", "measurements:write"]
    )

    accepted = _submit(platform, key, ["127.0.0.1", "::1"], count=1)
    done = platform.wait(key, accepted.headers["Location"])

    assert accepted.status_code == 202
    assert accepted.json["status"] == "queued"
    assert accepted.headers["Location"] == f"/api/v1/measurements/{accepted.json['id']}"
    assert done["status"] == "finished"
    results = [target["result"] for target in done["targets"]]
    assert [r["target"] for r in results] == ["127.0.0.1", "::1"]
    assert all(r["status"] == "finished" for r in results)
    assert all(r["body"]["summary"]["received"] == 1 for r in results)


def test_hostname_is_pinned_once_and_the_pinned_address_measured(platform):
    headers = platform.user("operator")

    accepted = _submit(platform, headers, ["loop.lab.test"], count=1, family=4)
    done = platform.wait(headers, accepted.headers["Location"])

    target = done["targets"][0]
    assert target["address"] == "127.0.0.1"
    assert target["result"]["target"] == "loop.lab.test"
    assert target["result"]["address"] == "127.0.0.1"
    assert target["result"]["status"] == "finished"


def test_name_that_does_not_exist_is_a_resolver_result_not_an_error(platform):
    headers = platform.user("operator")

    accepted = _submit(platform, headers, ["missing.lab.test"], count=1)
    done = platform.wait(headers, accepted.headers["Location"])

    result = done["targets"][0]["result"]
    assert done["status"] == "finished"
    assert result["status"] == "failed"
    assert result["failure_source"] == "resolver"
    assert "NXDOMAIN" in result["error"]


@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("10.0.0.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("2002:7f00:1::", "6to4"),
        ("private.lab.test", "private.lab.test resolves to it"),
        ("mixed.lab.test", "192.168.7.7"),
        ("metadata.lab.test", "cloud metadata"),
    ],
)
def test_forbidden_target_is_refused_and_nothing_is_queued(platform, target, rule):
    headers = platform.user("operator")

    answer = _submit(platform, headers, ["127.0.0.1", target], count=1)

    assert answer.status_code == 422
    assert answer.json["code"] == "target_forbidden"
    assert rule in answer.json["message"]
    assert platform.queue.submitted == []
    assert _count(platform) == 0


@pytest.mark.parametrize("target", ["::ffff:127.0.0.1", "::7f00:1"])
def test_ipv4_written_inside_ipv6_is_refused_naming_the_ipv4(platform, target):
    answer = _submit(platform, platform.user("operator"), [target], count=1)

    assert answer.status_code == 422
    assert answer.json["code"] == "invalid_target"
    assert "give the IPv4 address 127.0.0.1" in answer.json["message"]
    assert platform.queue.submitted == []


def test_bad_options_get_422_naming_each_field(platform):
    answer = _submit(
        platform, platform.user("operator"), ["127.0.0.1"], count=0, colour="red"
    )

    assert answer.status_code == 422
    assert answer.json["code"] == "invalid_options"
    assert set(answer.json["errors"]) == {"options.count", "options.colour"}
    assert "got 0" in answer.json["errors"]["options.count"][0]
    assert _count(platform) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targets": ["127.0.0.1"]}, "diagnostic"),
        ({"diagnostic": "ping", "targets": []}, "targets"),
        ({"diagnostic": "ping", "targets": ["127.0.0.1"] * 101}, "targets"),
        ({"diagnostic": "ping", "targets": "127.0.0.1"}, "targets"),
        ({"diagnostic": "ping", "targets": ["127.0.0.1"], "options": []}, "options"),
    ],
)
def test_malformed_body_gets_422_naming_the_field(platform, body, field):
    answer = platform.client.post(
        "/api/v1/measurements", headers=platform.user("operator"), json=body
    )

    assert answer.status_code == 422
    assert field in answer.json["errors"]


def test_unknown_diagnostic_gets_422_listing_the_installed_ones(platform):
    answer = _submit(platform, platform.user("operator"), ["127.0.0.1"], "pong")

    assert answer.status_code == 422
    assert answer.json["code"] == "unknown_diagnostic"
    assert "ping" in answer.json["message"]


def test_malformed_target_gets_422_naming_it(platform):
    answer = _submit(platform, platform.user("operator"), ["127.1"], count=1)

    assert answer.status_code == 422
    assert answer.json["code"] == "invalid_target"
    assert "127.1" in answer.json["message"]


def test_unknown_measurement_gets_404(platform):
    answer = platform.client.get(
        "/api/v1/measurements/nope", headers=platform.user("viewer")
    )

    assert answer.status_code == 404


def test_listing_filters_and_pages_with_a_cursor(platform):
    headers = platform.user("operator")
    ids = [
        _submit(platform, headers, [t], count=1).json["id"]
        for t in ("127.0.0.1", "127.0.0.2", "::1")
    ]
    for measurement_id in ids:
        platform.wait(headers, f"/api/v1/measurements/{measurement_id}")

    first = platform.client.get("/api/v1/measurements?limit=2", headers=headers).json
    second = platform.client.get(
        f"/api/v1/measurements?limit=2&cursor={first['next_cursor']}", headers=headers
    ).json
    by_target = platform.client.get(
        "/api/v1/measurements?target=::1", headers=headers
    ).json
    finished = platform.client.get(
        "/api/v1/measurements?status=finished&diagnostic=ping", headers=headers
    ).json
    future = platform.client.get(
        "/api/v1/measurements?since=2999-01-01T00:00:00Z", headers=headers
    ).json

    assert [m["id"] for m in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert [m["id"] for m in by_target["items"]] == [ids[2]]
    assert len(finished["items"]) == 3
    assert future["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("status=done", "status"),
        ("cursor=xyz", "cursor"),
        ("since=yesterday", "since"),
    ],
)
def test_bad_listing_query_gets_422_naming_the_parameter(platform, query, field):
    answer = platform.client.get(
        f"/api/v1/measurements?{query}", headers=platform.user("viewer")
    )

    assert answer.status_code == 422
    assert field in answer.json["errors"]


@pytest.mark.parametrize("diagnostic", sorted(get_registry().diagnostics))
def test_every_installed_diagnostic_runs_through_the_api(platform, diagnostic):
    headers = platform.user("operator")

    accepted = _submit(platform, headers, ["127.0.0.1"], diagnostic)
    done = platform.wait(headers, accepted.headers["Location"], timeout=90)

    assert accepted.status_code == 202
    assert done["status"] == "finished", done["error"]
    result = done["targets"][0]["result"]
    assert result["diagnostic"] == diagnostic
    assert result["target"] == "127.0.0.1"
    assert result["status"] in ("finished", "failed", "timeout")


def test_deadline_beyond_the_job_timeout_is_refused_naming_the_limit(platform):
    answer = _submit(platform, platform.user("operator"), ["127.0.0.1"], deadline=1000)

    assert answer.status_code == 422
    message = answer.json["errors"]["options.deadline"][0]
    assert "PROBEOPS_JOB_TIMEOUT=300" in message and "got 1000" in message
    assert platform.queue.submitted == []


def test_long_default_deadline_is_cut_to_fit_the_job_timeout(tmp_path):
    platform = embedded_platform(tmp_path, PROBEOPS_JOB_TIMEOUT="4")
    headers = platform.user("operator")

    answer = _submit(platform, headers, ["127.0.0.1"], count=1000, interval=0.5)
    done = platform.wait(headers, answer.headers["Location"])

    assert answer.status_code == 202
    assert answer.json["options"] == {"count": 1000, "interval": 0.5, "deadline": 2.0}
    assert done["status"] == "finished"
    assert done["targets"][0]["result"]["body"]["summary"]["sent"] < 10
    platform.queue.close()

"""The probes pages of the web UI, on the API's own functions."""

import re
import time

from probeops_probe.testing import bearer, enrol, enrolment_token, record
from probeops_webapp import accounts
from probeops_webapp.testing import PASSWORD


def _browser(platform, role="admin", email="pages@alpha.example"):
    accounts.create_user(platform.store, email, PASSWORD, role, "alpha")
    client = platform.app.test_client()
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.data[:300]
    return client


def test_the_probes_page_lists_status_tags_and_capabilities(platform, admin):
    probe = enrol(
        platform.client,
        enrolment_token(platform.client, admin, tags=["eu"]),
        "ams-office",
        capabilities={"raw_socket": True, "ipv6": False},
    )
    browser = _browser(platform)

    page = browser.get("/probes").get_data(as_text=True)

    row = re.search(rf'<tr data-probe="{probe["probe_id"]}">(.*?)</tr>', page, re.S)
    assert "ams-office" in row.group(1)
    assert 'class="status online"' in row.group(1)
    assert "eu" in row.group(1) and "raw_socket" in row.group(1)
    assert "ipv6" not in row.group(1)


def test_an_admin_creates_an_enrolment_token_from_the_page(platform):
    browser = _browser(platform)
    form = browser.get("/probes").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)

    answer = browser.post(
        "/probes/tokens", data={"csrf_token": csrf, "minutes": "30", "tags": "eu"}
    )

    assert answer.status_code == 201
    token = re.search(r'value="(poe_[^"]+)"', answer.get_data(as_text=True))
    enrolled = enrol(platform.client, token.group(1), "from-the-page")
    assert enrolled["credential"].startswith("pop_")


def test_a_viewer_sees_no_token_form(platform):
    browser = _browser(platform, role="viewer", email="viewer@alpha.example")

    page = browser.get("/probes").get_data(as_text=True)

    assert "New enrolment token" not in page


def test_a_probes_page_shows_its_latest_results(platform, admin):
    probe = enrol(platform.client, enrolment_token(platform.client, admin), "p")
    platform.client.post(
        "/api/v1/agent/results",
        headers=bearer(probe["credential"]),
        json={"sent_at": record("x")["measured_at"], "results": [record("r-1")]},
    )
    browser = _browser(platform)

    page = browser.get(f"/probes/{probe['probe_id']}").get_data(as_text=True)

    assert '<tr data-result="r-1">' in page
    assert "127.0.0.1" in page and "finished" in page


def test_the_measurement_page_shows_each_probes_part(platform, admin, monkeypatch):
    monkeypatch.setenv("PROBEOPS_PROBE_GRACE", "0.01")
    talking = enrol(platform.client, enrolment_token(platform.client, admin), "talk")
    enrol(platform.client, enrolment_token(platform.client, admin), "silent")
    submitted = platform.client.post(
        "/api/v1/measurements",
        headers=admin,
        json={
            "diagnostic": "ping",
            "targets": ["127.0.0.1"],
            "options": {"count": 1, "deadline": 0.5},
            "probes": {},
        },
    ).json
    job = platform.client.get(
        "/api/v1/agent/work", headers=bearer(talking["credential"])
    ).json["jobs"][0]
    document = {"target": "127.0.0.1", "status": "finished", "body": {}}
    platform.client.post(
        "/api/v1/agent/results",
        headers=bearer(talking["credential"]),
        json={
            "sent_at": record("x")["measured_at"],
            "results": [record(f"{job['id']}-0", job_id=job["id"], document=document)],
        },
    )
    time.sleep(3)
    browser = _browser(platform)

    page = browser.get(f"/measurements/{submitted['id']}").get_data(as_text=True)

    parts = re.findall(r'<section class="probe-part".*?</section>', page, re.S)
    by_probe = {re.search(r"Probe (\w+)", part).group(1): part for part in parts}
    assert sorted(by_probe) == ["silent", "talk"]
    assert "127.0.0.1" in by_probe["talk"]
    assert "did not report" in by_probe["silent"]


def _csrf(browser, path):
    page = browser.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_operator_adds_and_stops_a_scheduled_check(platform):
    browser = _browser(platform, role="operator", email="op@alpha.example")
    form = {
        "csrf_token": _csrf(browser, "/schedules"),
        "diagnostic": "ping",
        "target": "192.0.2.10",
        "options": '{"count": 2}',
        "interval_s": "60",
        "tags": "eu office",
    }

    added = browser.post("/schedules/new", data=form)
    page = browser.get("/schedules").get_data(as_text=True)
    schedule_id = re.search(r'data-schedule="(\w+)"', page).group(1)
    stopped = browser.post(
        f"/schedules/{schedule_id}/stop",
        data={"csrf_token": _csrf(browser, "/schedules")},
    )

    assert added.status_code == 302
    assert "192.0.2.10" in page and "eu, office" in page
    assert stopped.status_code == 302
    assert "No scheduled checks." in browser.get("/schedules").get_data(as_text=True)


def test_a_bad_option_is_shown_beside_the_form_naming_the_range(platform):
    browser = _browser(platform, role="operator", email="op2@alpha.example")
    form = {
        "csrf_token": _csrf(browser, "/schedules"),
        "diagnostic": "ping",
        "target": "192.0.2.10",
        "options": '{"count": 0}',
        "interval_s": "60",
        "tags": "eu",
    }

    answer = browser.post("/schedules/new", data=form)

    assert answer.status_code == 422
    assert "must be between 1 and 100000, got 0" in answer.get_data(as_text=True)


def test_a_viewer_cannot_add_a_scheduled_check(platform):
    browser = _browser(platform, role="viewer", email="v2@alpha.example")

    page = browser.get("/schedules").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)

    assert "New scheduled check" not in page
    answer = browser.post(
        "/schedules/new", data={"csrf_token": csrf.group(1), "target": "192.0.2.1"}
    )
    assert answer.status_code == 403
    assert "needs the role operator" in answer.get_data(as_text=True)

"""DNS through the API: query names are data, servers are destinations."""

import dataclasses

import pytest
from probeops import engine
from probeops.plugins import get_registry
from probeops.policy import TargetPolicy
from probeops_store.testing import free_port
from probeops_webapp.testing import embedded_platform

pytestmark = pytest.mark.skipif(
    "dns" not in get_registry().diagnostics, reason="needs the dns plugin"
)
ANSWER_FIELDS = ("question", "kind", "rcode", "flags", "answer", "authority")


def _submit(platform, headers, targets, **options):
    return platform.client.post(
        "/api/v1/measurements",
        headers=headers,
        json={"diagnostic": "dns", "targets": targets, "options": options},
    )


@pytest.fixture(scope="module")
def dns_lab():
    from probeops_dns.lab import dns_lab

    with dns_lab() as lab:
        yield lab


def test_dns_answer_through_the_api_equals_the_diagnostic_for_the_name(
    tmp_path, dns_lab
):
    platform = embedded_platform(tmp_path, PROBEOPS_TARGET_ALLOWLIST="127.0.0.0/8")
    headers = platform.user("operator")
    options = {"server": [dns_lab.server("zones")], "retries": 0}

    accepted = _submit(platform, headers, ["www.plain.lab"], **options)
    done = platform.wait(headers, accepted.headers["Location"])
    direct = engine.measure(get_registry(), "dns", ["www.plain.lab"], options)[0]
    platform.queue.close()

    assert accepted.status_code == 202, accepted.json
    target = done["targets"][0]
    assert target["address"] is None
    body = target["result"]["body"]
    assert "192.0.2.10" in str(body["answer"])
    for name in ANSWER_FIELDS:
        assert body[name] == direct.body[name], name


def test_dns_for_a_name_asks_for_its_records_not_the_ptr_of_its_address(platform):
    headers = platform.user("operator")

    accepted = _submit(platform, headers, ["loop.lab.test"], type="A")
    done = platform.wait(headers, accepted.headers["Location"])

    body = done["targets"][0]["result"]["body"]
    assert body["question"] == {"name": "loop.lab.test.", "type": "A", "class": "IN"}
    assert "127.0.0.1" in str(body["answer"])


def test_dns_name_of_a_forbidden_address_is_asked_not_refused(platform):
    headers = platform.user("operator")

    accepted = _submit(platform, headers, ["private.lab.test"])
    done = platform.wait(headers, accepted.headers["Location"])

    assert accepted.status_code == 202
    assert "10.0.0.5" in str(done["targets"][0]["result"]["body"]["answer"])


@pytest.mark.parametrize("option", ["server", "root_hints"])
def test_dns_server_the_policy_refuses_is_refused_and_nothing_queued(platform, option):
    settings = platform.app.extensions["probeops_settings"]
    refusing = dataclasses.replace(settings, policy=TargetPolicy())
    platform.app.extensions["probeops_settings"] = refusing
    server = f"127.0.0.1:{free_port()}"

    answer = _submit(
        platform, platform.user("operator"), ["lab.test"], **{option: [server]}
    )

    assert answer.status_code == 422
    assert answer.json["code"] == "target_forbidden"
    assert "127.0.0.1 is refused" in answer.json["message"]
    assert f"loopback; given as a server in options.{option}" in answer.json["message"]
    assert platform.queue.submitted == []


def test_dns_server_given_by_name_is_refused_naming_the_value(platform):
    answer = _submit(
        platform, platform.user("operator"), ["lab.test"], server=["loop.lab.test:53"]
    )

    assert answer.status_code == 422
    message = answer.json["errors"]["options.server"][0]
    assert "'loop.lab.test:53'" in message and "ADDR:PORT" in message
    assert platform.queue.submitted == []

"""The probe checks every address, literal or resolved, before measuring."""

import pytest
from probeops.plugins import get_registry
from probeops_probe.checks import run_check
from probeops_webapp.testing import LabDNS


@pytest.fixture
def lab_dns(monkeypatch):
    server = LabDNS()
    server.start()
    monkeypatch.setenv("PROBEOPS_RESOLVER", f"127.0.0.1:{server.port}")
    yield server
    server.stop()


def _run(targets, ids=None):
    return run_check(
        get_registry(),
        "ping",
        targets,
        {"count": 1},
        ids or [f"r{n}" for n in range(len(targets))],
        {"job_id": None},
    )


def test_a_name_resolving_to_a_refused_address_is_not_measured(lab_dns, monkeypatch):
    monkeypatch.setenv("PROBEOPS_PROBE_ALLOWLIST", "none")

    (record,) = _run(["loop.lab.test"])

    assert record["document"]["status"] == "failed"
    assert record["document"]["failure_source"] == "internal"
    assert "loopback" in record["document"]["error"]


def test_an_allowed_name_is_measured_and_keeps_the_id_given(lab_dns, monkeypatch):
    monkeypatch.setenv("PROBEOPS_PROBE_ALLOWLIST", "127.0.0.0/8")

    (record,) = _run(["loop.lab.test"], ids=["job-0"])

    assert record["id"] == "job-0"
    assert record["target"] == "loop.lab.test"
    assert record["document"]["status"] == "finished"
    assert record["document"]["address"] == "127.0.0.1"

"""Fixtures: an embedded platform (SQLite) and helpers to act as probes."""

import pytest
from probeops.lab.fixtures import make_lab, make_module_lab  # noqa: F401
from probeops_webapp.testing import embedded_platform


@pytest.fixture
def platform(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBEOPS_PROBE_GRACE", "1")
    platform = embedded_platform(tmp_path, PROBEOPS_LOGIN_LIMIT="1000/minute")
    yield platform
    platform.queue.close()
    platform.store.dispose()


@pytest.fixture
def admin(platform):
    return platform.user("admin")


@pytest.fixture(scope="module")
def lab_platform(make_module_lab, tmp_path_factory):  # noqa: F811
    """Three probe namespaces (t1..t3), each linked to the API's (client)."""
    from probeops_probe.labplatform import LabServer

    lab = make_module_lab("chain", routers=0, targets=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROBEOPS_PROBE_ALLOWLIST", "127.0.0.0/8")
        patch.setenv("PROBEOPS_PROBE_GRACE", "2")
        platform = embedded_platform(
            tmp_path_factory.mktemp("platform"), PROBEOPS_LOGIN_LIMIT="1000/minute"
        )
        server = LabServer(lab, platform.app).start()
        yield lab, platform, server
        server.stop()
        platform.queue.close()
        platform.store.dispose()


@pytest.fixture
def agents(lab_platform, tmp_path):
    """Make agents in lab nodes; every one is stopped after the test."""
    from probeops_probe.labplatform import LabAgent

    lab, _platform, server = lab_platform
    made = []

    def make(node: str, name: str = "") -> LabAgent:
        agent = LabAgent(lab, node, tmp_path / (name or node), server.url_for(node))
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.kill()

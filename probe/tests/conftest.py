"""Fixtures: an embedded platform (SQLite) and helpers to act as probes."""

import pytest
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

"""Fixtures shared by the ping tests: labs, and running ping in-process."""

from __future__ import annotations

import os

import pytest
from probeops.engine import measure
from probeops.lab.fixtures import make_lab, make_module_lab  # noqa: F401
from probeops.plugins import load_registry


@pytest.fixture(scope="session")
def registry():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROBEOPS_PLUGINS", "probeops-ping")
        return load_registry()


@pytest.fixture
def ping(registry):
    """Run the ping diagnostic in this process: ``ping(targets, **options)``."""

    def run(targets, **options):
        return measure(registry, "ping", list(targets), options)

    return run


@pytest.fixture(autouse=True)
def _needs_root(monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("these tests send ICMP through raw sockets: run as root")
    # Commands started by these tests load only the plugin under test.
    monkeypatch.setenv("PROBEOPS_PLUGINS", "probeops-ping")

"""Fixtures of the DNS plugin's tests: the lab, and a way to run queries."""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import pytest
from probeops.engine import measure
from probeops.plugins import load_registry
from probeops_dns.lab import dns_lab

# The helpers beside this file (dns_digtool, dns_responder) are imported by
# name; pytest's importlib mode does not put this directory on the path.
sys.path.insert(0, str(Path(__file__).parent))

_next_address = itertools.count(10)


@pytest.fixture(scope="session")
def lab():
    """The DNS lab, started once for the whole session."""
    for binary in ("knotd", "unbound", "dig"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} is missing: run scripts/system-packages.sh")
    with dns_lab() as running:
        yield running


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture
def dns_run(registry):
    """Run the dns diagnostic through the engine; return its one result."""

    def run(name: str, **options):
        return measure(registry, "dns", [name], options)[0]

    return run


@pytest.fixture
def spare_address(lab):
    """A loopback address of the lab's subnet that no lab server uses."""
    subnet = lab.addresses.root.rsplit(".", 1)[0]
    return f"{subnet}.{next(_next_address)}"

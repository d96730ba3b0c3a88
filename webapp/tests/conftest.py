"""Fixtures: a lab DNS server on loopback and an embedded platform."""

import pytest
from probeops_webapp.testing import LabDNS, embedded_platform


@pytest.fixture(scope="package", autouse=True)
def lab_dns():
    """Every hostname in these tests is resolved by our own server."""
    server = LabDNS()
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROBEOPS_RESOLVER", f"127.0.0.1:{server.port}")
        patch.setenv("PROBEOPS_RESOLVER_TIMEOUT", "2")
        yield server
    server.stop()


@pytest.fixture
def platform(tmp_path):
    platform = embedded_platform(tmp_path, PROBEOPS_LOGIN_LIMIT="1000/minute")
    yield platform
    platform.queue.close()
    platform.store.dispose()

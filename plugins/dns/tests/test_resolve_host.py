"""Host names of every diagnostic resolve through the plugin's resolver."""

from __future__ import annotations

import pytest
from probeops.errors import ResolveError


@pytest.fixture
def lab_resolver(lab, monkeypatch):
    monkeypatch.setenv("PROBEOPS_RESOLVER", lab.server("recursive"))
    return lab


def _plugin_only(registry):
    """The hook as the DNS plugin alone answers it."""
    others = [
        plugin
        for name, plugin in registry.manager.list_name_plugin()
        if not name.startswith("probeops-dns")
    ]
    return registry.manager.subset_hook_caller("probeops_resolve_host", others)


def test_the_plugin_answers_before_the_core_resolver(registry):
    impls = registry.hook.probeops_resolve_host.get_hookimpls()

    # pluggy calls the last implementation first; the core one is trylast.
    names = [impl.plugin_name for impl in impls]
    assert names[0] == "probeops.resolver"
    assert names[-1] == "probeops-dns:dns"


def test_a_name_resolves_to_a_private_address_through_the_lab(lab_resolver, registry):
    resolve = _plugin_only(registry)

    assert resolve(hostname="private.plain.lab", family=None) == [
        "10.20.30.40",
        "fd00::40",
    ]
    assert resolve(hostname="private.plain.lab", family=6) == ["fd00::40"]


def test_a_cname_chain_resolves_to_the_final_address(lab_resolver, registry):
    resolve = _plugin_only(registry)

    assert resolve(hostname="alias.plain.lab", family=4) == ["192.0.2.10"]


def test_a_missing_name_raises_resolve_error(lab_resolver, registry):
    resolve = _plugin_only(registry)

    with pytest.raises(ResolveError, match="NXDOMAIN"):
        resolve(hostname="nope.plain.lab", family=4)


def test_a_server_given_by_name_is_found_through_the_resolver(lab_resolver, dns_run):
    result = dns_run("www.plain.lab", server=["ns.plain.lab"], nsid=True)

    assert result.body["server"] == lab_resolver.addresses.zones
    assert result.body["nsid"] == "lab-zones"


def test_without_a_server_the_configured_resolver_is_asked(lab_resolver, dns_run):
    result = dns_run("www.plain.lab")

    assert result.body["server"] == lab_resolver.addresses.recursive
    assert result.body["kind"] == "answer"


def test_the_system_setting_leaves_host_names_to_the_core(registry, monkeypatch):
    monkeypatch.setenv("PROBEOPS_RESOLVER", "system")

    assert _plugin_only(registry)(hostname="localhost", family=4) is None

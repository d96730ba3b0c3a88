"""A diagnostic whose targets are names, not hosts, gets them unresolved."""

from __future__ import annotations

import marshmallow
import pluggy

from probeops import Diagnostic, Outcome, hookimpl, hookspecs
from probeops.engine import measure
from probeops.hooks import PROJECT
from probeops.plugins import Registry


class NoOptions(marshmallow.Schema):
    pass


class CountingResolver:
    """Answers every host name, remembering which it was asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def probeops_resolve_host(self, hostname, family):
        self.asked.append(hostname)
        return ["127.0.0.1"]


def _registry(resolves_targets: bool) -> tuple[Registry, CountingResolver, list]:
    seen: list = []

    def run(request):
        seen.extend(request.targets)
        return [Outcome(body={"name": t.host}) for t in request.targets]

    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    resolver = CountingResolver()
    manager.register(resolver)
    registry = Registry(manager)
    registry.diagnostics["names"] = Diagnostic(
        name="names",
        version="1",
        summary="echoes names",
        options_schema=NoOptions,
        run=run,
        resolves_targets=resolves_targets,
    )
    return registry, resolver, seen


def test_names_reach_a_non_resolving_diagnostic_without_an_address():
    registry, resolver, seen = _registry(resolves_targets=False)

    results = measure(registry, "names", ["www.example.test", "127.0.0.1"], {})

    assert resolver.asked == []
    assert [(t.host, t.address) for t in seen] == [
        ("www.example.test", None),
        ("127.0.0.1", None),
    ]
    assert [r.body["name"] for r in results] == ["www.example.test", "127.0.0.1"]
    assert [r.address for r in results] == [None, None]


def test_hostnames_are_still_resolved_for_other_diagnostics():
    registry, resolver, seen = _registry(resolves_targets=True)

    measure(registry, "names", ["www.example.test"], {})

    assert resolver.asked == ["www.example.test"]
    assert seen[0].address == "127.0.0.1"

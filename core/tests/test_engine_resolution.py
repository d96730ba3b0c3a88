"""Hostnames resolve at once, within the deadline; broken plugins cost one target."""

from __future__ import annotations

import threading
import time

import marshmallow
import pluggy
import pytest

from probeops import Diagnostic, Outcome, hookimpl, hookspecs
from probeops.engine import measure
from probeops.errors import InvalidTarget, TargetForbidden
from probeops.hooks import PROJECT
from probeops.options import deadline_field, family_field
from probeops.plugins import Registry


class Options(marshmallow.Schema):
    deadline = deadline_field()
    family = family_field()


class LabResolver:
    """Answers names after a delay; 'boom' names raise like a broken plugin."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.at_once = 0
        self._busy = 0
        self._lock = threading.Lock()

    @hookimpl
    def probeops_resolve_host(self, hostname, family):
        with self._lock:
            self._busy += 1
            self.at_once = max(self.at_once, self._busy)
        time.sleep(self.delay)
        with self._lock:
            self._busy -= 1
        if hostname.startswith("boom"):
            raise RuntimeError("resolver exploded")
        return ["::1" if family == 6 else "127.0.0.1"]


class Checker:
    @hookimpl
    def probeops_check_target(self, target, diagnostic):
        if target.given == "forbidden.test":
            raise TargetForbidden("forbidden.test is not allowed here")
        if target.given == "crash.test":
            raise ValueError("policy plugin bug")


def _registry(resolver: LabResolver) -> Registry:
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(resolver)
    manager.register(Checker())
    registry = Registry(manager)
    registry.diagnostics["echo"] = Diagnostic(
        name="echo",
        version="1",
        summary="echoes addresses",
        options_schema=Options,
        run=lambda request: [Outcome(body={"a": t.address}) for t in request.targets],
    )
    return registry


def test_names_resolve_concurrently():
    resolver = LabResolver(delay=0.2)
    names = [f"host{n}.test" for n in range(8)]
    began = time.monotonic()
    results = measure(_registry(resolver), "echo", names, {})
    assert all(r.answered and r.address == "127.0.0.1" for r in results)
    assert resolver.at_once > 1
    assert time.monotonic() - began < 8 * 0.2


def test_a_slow_resolver_cannot_hold_the_run_past_its_deadline():
    resolver = LabResolver(delay=3.0)
    results = measure(
        _registry(resolver), "echo", ["slow.test", "127.0.0.1"], {"deadline": 0.3}
    )
    slow, literal = results
    assert slow.failure_source == "resolver"
    assert "no answer before the deadline" in slow.error
    assert literal.answered and literal.body == {"a": "127.0.0.1"}


def test_a_resolver_plugin_that_raises_fails_only_its_target_as_internal():
    results = measure(_registry(LabResolver(0)), "echo", ["boom.test", "ok.test"], {})
    assert results[0].failure_source == "internal"
    assert "resolver exploded" in results[0].error
    assert results[1].answered


def test_a_policy_plugin_that_raises_fails_only_its_target_as_internal():
    results = measure(_registry(LabResolver(0)), "echo", ["crash.test", "ok.test"], {})
    assert results[0].failure_source == "internal"
    assert results[1].answered


def test_a_refusal_stops_the_whole_request():
    with pytest.raises(TargetForbidden):
        measure(_registry(LabResolver(0)), "echo", ["ok.test", "forbidden.test"], {})


def test_a_family_switch_contradicting_a_literal_is_bad_input():
    with pytest.raises(InvalidTarget, match="not an IPv6 address, but -6"):
        measure(_registry(LabResolver(0)), "echo", ["127.0.0.1"], {"family": 6})


def test_the_given_spelling_is_kept_after_resolution():
    [result] = measure(_registry(LabResolver(0)), "echo", ["Host.Test."], {"family": 6})
    assert (result.target, result.address) == ("Host.Test.", "::1")

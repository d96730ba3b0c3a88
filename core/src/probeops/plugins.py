"""Loading plugins from the ``probeops`` entry-point group.

Built-in diagnostics are found here exactly as third-party ones are. A plugin
that fails to import is reported and skipped; two plugins claiming one
diagnostic name stop start-up.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field, replace
from importlib import metadata
from types import ModuleType

import pluggy

from probeops import hookspecs, resolver
from probeops.diagnostic import Diagnostic
from probeops.errors import DuplicateDiagnostic, UnknownDiagnostic
from probeops.hooks import PROJECT
from probeops.settings import PLUGINS, TRACE_HOOKS, InvalidSetting

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "probeops"


@dataclass(frozen=True)
class LoadFailure:
    """A plugin that could not be loaded, and why."""

    distribution: str
    entry_point: str
    error: str


@dataclass
class Registry:
    """The loaded plugins and the diagnostics they provide."""

    manager: pluggy.PluginManager
    diagnostics: dict[str, Diagnostic] = field(default_factory=dict)
    failures: list[LoadFailure] = field(default_factory=list)

    @property
    def hook(self) -> pluggy.HookRelay:
        return self.manager.hook

    def diagnostic(self, name: str) -> Diagnostic:
        """Return the diagnostic called ``name`` or raise naming the choices."""
        try:
            return self.diagnostics[name]
        except KeyError:
            choices = ", ".join(sorted(self.diagnostics)) or "none installed"
            raise UnknownDiagnostic(
                f"unknown diagnostic {name!r}; installed: {choices}"
            ) from None


def load_registry() -> Registry:
    """Load every allowed plugin and collect its diagnostics."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(resolver, name="probeops.resolver")
    if TRACE_HOOKS.read():
        _trace(manager)

    registry = Registry(manager)
    distributions = _register_entry_points(registry)
    manager.check_pending()
    _collect_diagnostics(registry, distributions)
    return registry


_cached: Registry | None = None


def get_registry() -> Registry:
    """Return the process-wide registry, loading it on first use."""
    global _cached
    if _cached is None:
        _cached = load_registry()
    return _cached


def _register_entry_points(registry: Registry) -> dict[str, str]:
    """Register each allowed entry point; return plugin name -> distribution."""
    allowed = PLUGINS.read()
    wanted = None if allowed is None else _canonical_set(allowed)
    owners: dict[str, str] = {}
    entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    _check_wanted(wanted, {_distribution_name(point) for point in entry_points})
    for entry_point in entry_points:
        distribution = _distribution_name(entry_point)
        if wanted is not None and distribution not in wanted:
            continue
        module = _load(registry, entry_point, distribution)
        if module is not None:
            name = f"{distribution}:{entry_point.name}"
            registry.manager.register(module, name=name)
            owners[name] = distribution
    return owners


def _check_wanted(wanted: set[str] | None, installed: set[str]) -> None:
    """A name in PROBEOPS_PLUGINS that nothing provides is a typo: say so."""
    missing = sorted((wanted or set()) - installed)
    if missing:
        raise InvalidSetting(
            f"PROBEOPS_PLUGINS names {', '.join(missing)}, which no installed "
            f"distribution provides; allowed: '*' or any of "
            f"{', '.join(sorted(installed))}"
        )


def _canonical_set(names: frozenset[str]) -> set[str]:
    return {canonical_name(name) for name in names}


def _load(
    registry: Registry, entry_point: metadata.EntryPoint, distribution: str
) -> ModuleType | None:
    try:
        return entry_point.load()
    except (Exception, SystemExit) as error:  # one broken plugin spares the rest
        failure = LoadFailure(distribution, entry_point.name, f"{error!r}")
        registry.failures.append(failure)
        log.warning(
            "plugin %s (%s) failed to load: %r", distribution, entry_point, error
        )
        return None


def _collect_diagnostics(registry: Registry, owners: dict[str, str]) -> None:
    caller = registry.hook.probeops_diagnostics
    for impl in caller.get_hookimpls():
        distribution = owners.get(impl.plugin_name, impl.plugin_name)
        for diagnostic in _declared(registry, impl, distribution):
            _add(registry, replace(diagnostic, distribution=distribution))


def _declared(registry: Registry, impl, distribution: str) -> list[Diagnostic]:
    """The plugin's diagnostics, or none (reported) when its hook misbehaves."""
    try:
        declared = list(impl.function() or ())
        if all(isinstance(item, Diagnostic) for item in declared):
            return declared
        error = "probeops_diagnostics() must return a list of probeops.Diagnostic"
    except Exception as raised:
        error = f"probeops_diagnostics() raised {raised!r}"
    registry.failures.append(LoadFailure(distribution, impl.plugin_name, error))
    log.warning("plugin %s is skipped: %s", distribution, error)
    registry.manager.unregister(impl.plugin)
    return []


def _add(registry: Registry, diagnostic: Diagnostic) -> None:
    existing = registry.diagnostics.get(diagnostic.name)
    if existing is not None:
        raise DuplicateDiagnostic(
            f"diagnostic {diagnostic.name!r} is provided by both "
            f"{existing.distribution} and {diagnostic.distribution}; "
            "uninstall one or restrict loading with PROBEOPS_PLUGINS"
        )
    registry.diagnostics[diagnostic.name] = diagnostic


def _distribution_name(entry_point: metadata.EntryPoint) -> str:
    dist = entry_point.dist
    return canonical_name(dist.name if dist is not None else entry_point.module)


def canonical_name(name: str) -> str:
    """Normalise a distribution name as packaging tools compare them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _trace(manager: pluggy.PluginManager) -> None:
    manager.trace.root.setwriter(sys.stderr.write)
    manager.enable_tracing()

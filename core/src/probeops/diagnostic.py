"""What a diagnostic declares, and the request and outcome it deals in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import marshmallow

from probeops.result import FailureSource, Result, Status
from probeops.targets import Target


@dataclass(frozen=True)
class Requirements:
    """What a diagnostic needs from the host it runs on."""

    raw_socket: bool = False
    """The diagnostic cannot run at all without raw sockets."""

    binaries: tuple[str, ...] = ()
    """Executables that must be on ``PATH``."""


@dataclass(frozen=True)
class Request:
    """A validated request, handed to :attr:`Diagnostic.run`."""

    targets: tuple[Target, ...]
    """Resolved targets, each with an address."""

    options: dict[str, Any]
    """Options as loaded by the diagnostic's options schema."""

    deadline: float
    """``time.monotonic()`` value by which every target must be done."""

    progress: Callable[[Any], None] | None = None
    """Called with diagnostic-specific progress; ``None`` when nobody looks."""


@dataclass
class Outcome:
    """What a diagnostic found for one target."""

    body: dict[str, Any]
    status: Status = Status.FINISHED
    failure_source: FailureSource | None = None
    error: str | None = None
    duration_ms: float | None = None
    """Time spent on this target; the whole run's when left ``None``."""


def deferred(target: str) -> Callable[..., Any]:
    """A callable that imports ``"module:function"`` on its first call.

    Plugins declare their diagnostics with it so that loading a plugin for
    its options schema never imports its measuring code (and what that
    imports).
    """
    module_name, _, attribute = target.partition(":")
    loaded: list[Callable[..., Any]] = []

    def call(*arguments: Any, **keywords: Any) -> Any:
        if not loaded:
            import importlib

            module = importlib.import_module(module_name)
            loaded.append(getattr(module, attribute))
        return loaded[0](*arguments, **keywords)

    call.__qualname__ = call.__name__ = f"deferred({target})"
    return call


Runner = Callable[[Request], Sequence[Outcome]]
Renderer = Callable[[Sequence[Result]], str]


@dataclass(frozen=True)
class Diagnostic:
    """A measurement a plugin offers, such as ping or traceroute."""

    name: str
    version: str
    summary: str
    options_schema: type[marshmallow.Schema]
    run: Runner
    """Measure every target of the request; one outcome per target, in order."""

    result_schema_version: int = 1
    requires: Requirements = field(default_factory=Requirements)
    render: Renderer | None = None
    """Human text for a list of results, as the CLI prints them."""

    render_progress: Callable[[Any], str | None] | None = None
    """One status line from a progress event, for a terminal."""

    default_deadline: Callable[[dict[str, Any]], float] = lambda options: 60.0
    """Seconds a run may take when the options set no ``deadline``."""

    resolves_targets: bool = True
    """Whether hostname targets are resolved before :attr:`run`; a diagnostic
    whose target is data, such as a DNS query name, gets them unresolved."""

    distribution: str = "unknown"
    """The distribution that provides it; filled in at load time."""

    def load_options(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate raw options, raising ``InvalidOptions`` naming each field."""
        from probeops.errors import InvalidOptions

        try:
            return self.options_schema().load(raw)
        except marshmallow.ValidationError as error:
            raise InvalidOptions(_flatten(error.messages)) from None


_PLAINER = {
    "Special numeric values (nan or infinity) are not permitted.": (
        "must be a finite number"
    ),
}


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into ``field -> [message]``."""
    if isinstance(messages, list):
        return {prefix or "options": [_PLAINER.get(str(m), str(m)) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(_flatten(value, name))
    return flat

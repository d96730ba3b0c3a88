"""Settings read from ``PROBEOPS_*`` environment variables, in one place.

Each :class:`Setting` has a default and a help string, so the settings page
of the docs can be generated from the code. A bad value fails loudly with the
variable's name and what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from probeops.errors import BadInput

T = TypeVar("T")


class InvalidSetting(BadInput):
    """An environment variable holds a value ProbeOps cannot use."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable, its parser and its documentation."""

    name: str
    default: str
    parse: Callable[[str], T]
    help: str
    allowed: str

    def read(self, environ: Mapping[str, str] | None = None) -> T:
        """Parse the variable, or the default when it is unset or empty."""
        environ = os.environ if environ is None else environ
        raw = environ.get(self.name, "").strip() or self.default
        try:
            return self.parse(raw)
        except (ValueError, TypeError) as error:
            raise InvalidSetting(
                f"{self.name}={raw!r} is not valid ({error}); allowed: {self.allowed}"
            ) from None


REGISTRY: dict[str, Setting[Any]] = {}


def setting(
    name: str, default: str, parse: Callable[[str], T], help: str, allowed: str
) -> Setting[T]:
    """Declare a setting and record it for the generated documentation."""
    declared = Setting(name, default, parse, help, allowed)
    REGISTRY[name] = declared
    return declared


def parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("not a boolean")


def parse_name_list(raw: str) -> frozenset[str] | None:
    """Parse a comma-separated list; ``*`` means no restriction."""
    if raw == "*":
        return None
    names = frozenset(part.strip() for part in raw.split(",") if part.strip())
    if not names:
        raise ValueError("empty list")
    return names


PLUGINS = setting(
    "PROBEOPS_PLUGINS",
    "*",
    parse_name_list,
    "Plugin distributions to load, comma separated; '*' loads every one.",
    "'*' or distribution names such as probeops-ping,probeops-dns",
)

TRACE_HOOKS = setting(
    "PROBEOPS_TRACE_HOOKS",
    "0",
    parse_bool,
    "Log every hook call and its result to standard error.",
    "1/true/yes/on or 0/false/no/off",
)

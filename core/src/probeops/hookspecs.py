"""Every hook a ProbeOps plugin may implement, grouped by lifecycle.

A plugin is a module named by an entry point of the ``probeops`` group. It
implements any of these hooks with :data:`probeops.hookimpl`. The page
``docs/hooks.md`` documents each one; a test keeps the two in step.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from probeops.hooks import hookspec

if TYPE_CHECKING:
    from probeops.diagnostic import Diagnostic
    from probeops.result import Result
    from probeops.targets import Target


# -- Registration: once, when the plugin manager loads the plugins ----------


@hookspec
def probeops_diagnostics() -> list[Diagnostic]:
    """Return the diagnostics this plugin provides.

    Called once after every plugin is loaded. The answers of all plugins are
    concatenated; two diagnostics with one name stop start-up with an error
    naming both distributions.
    """


@hookspec
def probeops_cli_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add sub-commands to the ``probeops`` command line.

    Called once when the CLI builds its parser. Each implementation adds its
    own parsers to ``subparsers`` and sets a ``handler`` default: a callable
    taking the parsed arguments and returning the exit code. Every plugin is
    called; command names must not collide.
    """


# -- Targets: before anything is sent ---------------------------------------


@hookspec(firstresult=True)
def probeops_resolve_host(hostname: str, family: int | None) -> list[str] | None:
    """Resolve ``hostname`` to IP address texts, preferred first.

    Called once per hostname target, before its measurement starts.
    ``family`` is 4, 6 or ``None`` for either. The first plugin that returns a
    list wins; return ``None`` to let the next one answer. The core answers
    last, through the resolver configured by ``PROBEOPS_RESOLVER``. Raise
    :class:`probeops.errors.ResolveError` when the name does not exist or the
    resolver fails; an empty list means no address of that family.
    """


@hookspec
def probeops_check_target(target: Target, diagnostic: str) -> None:
    """Refuse a resolved target by raising ``TargetForbidden``.

    Called for every target once its address is known, before any packet is
    sent to it. Every plugin is called; one refusal is enough. Return nothing
    to allow.
    """


# -- Results: after each target is measured ---------------------------------


@hookspec
def probeops_result_ready(result: Result) -> None:
    """Look at or annotate a finished result before it is handed out.

    Called once per result, in plugin registration order, after the result
    envelope is complete. Implementations may add keys to
    ``result.annotations``; they must not change the measured body.
    """

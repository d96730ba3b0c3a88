"""ProbeOps diagnostics engine.

The engine knows no diagnostic by name: every diagnostic, built-in or not,
arrives through the ``probeops`` entry-point group and the hooks declared in
:mod:`probeops.hookspecs`.
"""

from probeops.diagnostic import Diagnostic, Outcome, Request, Requirements, deferred
from probeops.errors import ProbeOpsError
from probeops.hooks import hookimpl
from probeops.result import FailureSource, Result, Status
from probeops.targets import Target

__all__ = [
    "Diagnostic",
    "FailureSource",
    "Outcome",
    "ProbeOpsError",
    "Request",
    "Requirements",
    "Result",
    "Status",
    "Target",
    "deferred",
    "hookimpl",
]

"""Entry point of the DNS plugin."""

from probeops import hookimpl


@hookimpl
def probeops_diagnostics():
    return []

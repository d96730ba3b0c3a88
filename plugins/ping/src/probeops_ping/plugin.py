"""Entry point of the ping plugin."""

from probeops import hookimpl


@hookimpl
def probeops_diagnostics():
    return []

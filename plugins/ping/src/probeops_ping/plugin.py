"""Entry point of the ping plugin: declares the ``ping`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, hookimpl

from probeops_ping import __version__
from probeops_ping.options import PingOptions, default_deadline


def _run(request):
    from probeops_ping.measure import run

    return run(request)


def _render(results):
    from probeops_ping.render import render

    return render(results)


def _render_progress(event):
    from probeops_ping.render import render_progress

    return render_progress(event)


PING = Diagnostic(
    name="ping",
    version=__version__,
    summary="ICMP echo: reachability, loss and round-trip times",
    options_schema=PingOptions,
    run=_run,
    result_schema_version=1,
    requires=Requirements(raw_socket=False),
    render=_render,
    render_progress=_render_progress,
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [PING]

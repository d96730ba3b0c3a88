"""Entry point of the traceroute plugin: declares the ``traceroute`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, hookimpl

from probeops_traceroute import __version__
from probeops_traceroute.options import TracerouteOptions, default_deadline


def _run(request):
    from probeops_traceroute.measure import run

    return run(request)


def _render(results):
    from probeops_traceroute.render import render

    return render(results)


def _render_progress(event):
    from probeops_traceroute.render import render_progress

    return render_progress(event)


TRACEROUTE = Diagnostic(
    name="traceroute",
    version=__version__,
    summary="the path to a target, hop by hop (ICMP, UDP or TCP; Paris or classic)",
    options_schema=TracerouteOptions,
    run=_run,
    result_schema_version=1,
    requires=Requirements(raw_socket=True),
    render=_render,
    render_progress=_render_progress,
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [TRACEROUTE]

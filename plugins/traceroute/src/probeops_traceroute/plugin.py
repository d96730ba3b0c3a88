"""Entry point of the traceroute plugin: declares the ``traceroute`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, deferred, hookimpl

from probeops_traceroute import __version__
from probeops_traceroute.options import TracerouteOptions, default_deadline

TRACEROUTE = Diagnostic(
    name="traceroute",
    version=__version__,
    summary="the path to a target, hop by hop (ICMP, UDP or TCP; Paris or classic)",
    options_schema=TracerouteOptions,
    run=deferred("probeops_traceroute.measure:run"),
    result_schema_version=1,
    requires=Requirements(raw_socket=True),
    render=deferred("probeops_traceroute.render:render"),
    render_progress=deferred("probeops_traceroute.render:render_progress"),
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [TRACEROUTE]

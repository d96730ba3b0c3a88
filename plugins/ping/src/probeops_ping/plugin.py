"""Entry point of the ping plugin: declares the ``ping`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, deferred, hookimpl

from probeops_ping import __version__
from probeops_ping.options import PingOptions, default_deadline

PING = Diagnostic(
    name="ping",
    version=__version__,
    summary="ICMP echo: reachability, loss and round-trip times",
    options_schema=PingOptions,
    run=deferred("probeops_ping.measure:run"),
    result_schema_version=1,
    requires=Requirements(raw_socket=False),
    render=deferred("probeops_ping.render:render"),
    render_progress=deferred("probeops_ping.render:render_progress"),
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [PING]

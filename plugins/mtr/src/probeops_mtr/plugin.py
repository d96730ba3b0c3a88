"""Entry point of the MTR plugin: declares the ``mtr`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, deferred, hookimpl

from probeops_mtr import __version__
from probeops_mtr.options import MtrOptions, default_deadline

MTR = Diagnostic(
    name="mtr",
    version=__version__,
    summary="loss, latency and jitter at every hop, probed in repeated cycles",
    options_schema=MtrOptions,
    run=deferred("probeops_mtr.measure:run"),
    result_schema_version=1,
    requires=Requirements(raw_socket=True),
    render=deferred("probeops_mtr.render:render"),
    render_progress=deferred("probeops_mtr.render:render_progress"),
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [MTR]

"""Entry point of the MTR plugin: declares the ``mtr`` diagnostic."""

from __future__ import annotations

from probeops import Diagnostic, Requirements, hookimpl

from probeops_mtr import __version__
from probeops_mtr.options import MtrOptions, default_deadline


def _run(request):
    from probeops_mtr.measure import run

    return run(request)


def _render(results):
    from probeops_mtr.render import render

    return render(results)


def _render_progress(event):
    from probeops_mtr.render import render_progress

    return render_progress(event)


MTR = Diagnostic(
    name="mtr",
    version=__version__,
    summary="loss, latency and jitter at every hop, probed in repeated cycles",
    options_schema=MtrOptions,
    run=_run,
    result_schema_version=1,
    requires=Requirements(raw_socket=True),
    render=_render,
    render_progress=_render_progress,
    default_deadline=default_deadline,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [MTR]

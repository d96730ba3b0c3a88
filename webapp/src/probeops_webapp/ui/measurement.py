"""The page of one measurement: progress, then a view per diagnostic."""

from __future__ import annotations

from flask import render_template
from jinja2 import TemplateNotFound
from probeops_store.models import MeasurementStatus, Role

from probeops_webapp.access import allow
from probeops_webapp.resources import measurements, probes
from probeops_webapp.ui import charts
from probeops_webapp.ui.blueprint import bp
from probeops_webapp.ui.live import progress_of

VIEWS = "ui/views/{}.html"
DOCUMENT_VIEW = "ui/views/document.html"


@bp.route("/measurements/<measurement_id>")
@allow(Role.VIEWER, keys=False)
def measurement(measurement_id: str):
    """Status while it runs; each target's result once it has one."""
    found = measurements.find(measurement_id)
    results = [target.result for target in found.targets if target.result]
    return render_template(
        "ui/measurement.html",
        measurement=found,
        progress=progress_of(found),
        running=not MeasurementStatus(found.status).terminal,
        view=view_template(found.diagnostic),
        results=results,
        charts=charts.for_results(found.diagnostic, results),
        parts=probes.probe_parts(measurement_id),
    )


def view_template(diagnostic: str) -> str:
    """The diagnostic's own view, or the readable result document."""
    from flask import current_app

    name = VIEWS.format(diagnostic)
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return DOCUMENT_VIEW
    return name

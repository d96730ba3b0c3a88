"""History of the org's measurements, and the latency timeline of a target."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, render_template, request
from probeops_store.models import MeasurementStatus, Role

from probeops_webapp.access import allow
from probeops_webapp.errors import InvalidRequest
from probeops_webapp.resources import measurements
from probeops_webapp.ui import charts
from probeops_webapp.ui.blueprint import bp

FILTERS = ("diagnostic", "target", "status", "since", "until", "limit", "cursor")
TIMELINE_RUNS = 100


@bp.route("/history")
@allow(Role.VIEWER, keys=False)
def history():
    """Measurements newest first, filtered as the API filters them."""
    sent = {
        name: request.args[name].strip()
        for name in FILTERS
        if request.args.get(name, "").strip()
    }
    errors: dict = {}
    page = {"items": [], "next_cursor": None}
    try:
        page = measurements.page(_query(sent))
    except ma.ValidationError as error:
        errors = error.messages
    except InvalidRequest as error:
        errors = error.errors or {"cursor": [str(error)]}
    status = 422 if errors else 200
    return _page(sent, errors, page), status


def _query(sent: dict) -> dict:
    """Load the filters with the API's schema; times without a zone are UTC."""
    raw = dict(sent)
    for name in ("since", "until"):
        if name in raw and not _has_zone(raw[name]):
            raw[name] += "+00:00"
    return measurements.ListQuerySchema().load(raw)


def _has_zone(text: str) -> bool:
    return text.endswith("Z") or "+" in text[10:] or text[10:].count("-") > 0


def _page(sent: dict, errors: dict, page: dict) -> str:
    following = {k: v for k, v in sent.items() if k != "cursor"}
    return render_template(
        "ui/history.html",
        filters=sent,
        errors=errors,
        items=page["items"],
        next_cursor=page["next_cursor"],
        following=following,
        statuses=[status.value for status in MeasurementStatus],
        diagnostics=sorted(current_app.extensions["probeops_registry"].diagnostics),
    )


@bp.route("/targets/<path:target>")
@allow(Role.VIEWER, keys=False)
def timeline(target: str):
    """Ping latency of one target over its recent measurements."""
    query = {"target": target, "diagnostic": "ping", "limit": TIMELINE_RUNS}
    items = measurements.page(query)["items"]
    chart = charts.timeline(items, target)
    return render_template("ui/timeline.html", target=target, chart=chart)

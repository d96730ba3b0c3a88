"""Probes: their status, a probe's recent results, enrolment tokens."""

from __future__ import annotations

import marshmallow as ma
from flask import render_template, request
from probeops_store.models import Role

from probeops_webapp.access import allow
from probeops_webapp.resources import probes
from probeops_webapp.ui.blueprint import bp


@bp.route("/probes", methods=["GET"])
@allow(Role.VIEWER, keys=False)
def probe_list():
    """Every probe of the org: online or offline, last seen, capabilities."""
    return _page({}, None)


@bp.route("/probes/tokens", methods=["POST"])
@allow(Role.ADMIN, keys=False)
def probe_token():
    """A one-time enrolment token, shown once on the probes page."""
    sent = {"tags": request.form.get("tags", "").split()}
    if request.form.get("minutes", "").strip():
        sent["minutes"] = request.form["minutes"].strip()
    try:
        created = probes.issue_enrolment_token(probes.NewTokenSchema().load(sent))
    except ma.ValidationError as error:
        return _page(error.messages, None), 422
    return _page({}, created), 201


def _page(errors: dict, created: dict | None) -> str:
    return render_template(
        "ui/probes.html",
        probes=probes.org_probes(),
        errors=errors,
        created=created,
    )


@bp.route("/probes/<probe_id>", methods=["GET"])
@allow(Role.VIEWER, keys=False)
def probe_page(probe_id: str):
    """One probe and its latest results."""
    probe, results = probes.recent_results(probe_id)
    return render_template("ui/probe.html", probe=probe, results=results)

"""Scheduled checks: list, add and stop the checks probes repeat."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import redirect, render_template, request, url_for
from probeops.errors import InvalidOptions, InvalidTarget, UnknownDiagnostic
from probeops_store.models import Role

from probeops_webapp.access import allow
from probeops_webapp.errors import InvalidRequest
from probeops_webapp.resources import schedules
from probeops_webapp.ui.blueprint import bp


@bp.route("/schedules", methods=["GET"])
@allow(Role.VIEWER, keys=False)
def schedule_list():
    """The org's scheduled checks, and a form for a new one."""
    return _page({}, {})


@bp.route("/schedules/new", methods=["POST"])
@allow(Role.OPERATOR, keys=False)
def new_schedule():
    """Add a check from the form; the form again, with errors, if refused."""
    form = request.form
    sent = {
        "diagnostic": form.get("diagnostic", "").strip(),
        "target": form.get("target", "").strip(),
        "interval_s": form.get("interval_s", "").strip(),
        "jitter_s": form.get("jitter_s", "").strip() or "0",
        "tags": form.get("tags", "").split(),
        "probe_ids": form.get("probe_ids", "").split(),
    }
    try:
        sent["options"] = json.loads(form.get("options", "").strip() or "{}")
        schedules.add_schedule(schedules.NewScheduleSchema().load(sent))
    except ValueError as error:
        return _page({"options": [f"not a JSON object: {error}"]}, sent), 422
    except ma.ValidationError as error:
        return _page(error.messages, sent), 422
    except InvalidRequest as error:
        return _page(error.errors, sent), 422
    except (InvalidOptions, InvalidTarget, UnknownDiagnostic) as error:
        return _page({_field_of(error): [str(error)]}, sent), 422
    return redirect(url_for("ui.schedule_list"))


@bp.route("/schedules/<schedule_id>/stop", methods=["POST"])
@allow(Role.OPERATOR, keys=False)
def stop_schedule(schedule_id: str):
    """Stop a check; probes drop it at their next heartbeat."""
    schedules.remove_schedule(schedule_id)
    return redirect(url_for("ui.schedule_list"))


_FIELDS = (
    (InvalidOptions, "options"),
    (InvalidTarget, "target"),
    (UnknownDiagnostic, "diagnostic"),
)


def _field_of(error: Exception) -> str:
    return next(field for kind, field in _FIELDS if isinstance(error, kind))


def _page(errors: dict, sent: dict) -> str:
    return render_template(
        "ui/schedules.html",
        schedules=schedules.org_schedules(),
        errors=errors,
        sent=sent,
    )

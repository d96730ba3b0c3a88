"""The dashboard and the run forms, one generated per diagnostic."""

from __future__ import annotations

from collections import Counter

import marshmallow as ma
from flask import current_app, redirect, render_template, request, url_for
from probeops.errors import (
    InvalidOptions,
    InvalidTarget,
    TargetForbidden,
    UnknownDiagnostic,
)
from probeops_store.models import MeasurementStatus, Role

from probeops_webapp.access import allow
from probeops_webapp.errors import InvalidRequest
from probeops_webapp.resources import measurements
from probeops_webapp.ui import forms
from probeops_webapp.ui.blueprint import bp

RECENT = 10
FORBIDDEN_HELP = (
    "This platform does not measure addresses inside private, loopback, "
    "link-local or cloud-metadata ranges unless its operator opened them "
    "with PROBEOPS_TARGET_ALLOWLIST."
)


@bp.route("/")
@allow(Role.VIEWER, keys=False)
def dashboard():
    """Recent measurements, counts by status and a quick-run box."""
    recent = measurements.page({"limit": 100})["items"]
    counts = Counter(item.status for item in recent)
    return render_template(
        "ui/dashboard.html",
        recent=recent[:RECENT],
        counts=[(status.value, counts[status.value]) for status in MeasurementStatus],
        counted=len(recent),
        diagnostics=_diagnostics(),
    )


@bp.route("/run", methods=["GET", "POST"])
@allow(Role.OPERATOR, keys=False)
def run():
    """Pick a diagnostic; the quick-run box posts here with defaults."""
    if request.method == "POST":
        return run_diagnostic(request.form.get("diagnostic", ""))
    return render_template("ui/run_index.html", diagnostics=_diagnostics())


@bp.route("/run/<name>", methods=["GET", "POST"])
@allow(Role.OPERATOR, keys=False)
def run_diagnostic(name: str):
    """The diagnostic's own form; a valid one is queued and followed."""
    diagnostic = _registry().diagnostic(name)
    inputs = forms.inputs_of(diagnostic.options_schema())
    if request.method == "GET":
        return _form(diagnostic, inputs, {}, {}, request.args.get("targets", ""))
    targets_text = request.form.get("targets", "")
    sent = forms.read_options(inputs, request.form)
    try:
        accepted = _submit(name, forms.split_targets(targets_text), sent)
    except _Refused as refused:
        values = {key: request.form.getlist(key)[-1] for key in request.form}
        page = _form(diagnostic, inputs, values, refused.errors, targets_text)
        return page, 422
    return redirect(url_for("ui.measurement", measurement_id=accepted.id))


class _Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


def _submit(name: str, targets: list[str], options: dict):
    """Queue through the API's own checks; refusals become field errors."""
    try:
        body = measurements.SubmitSchema().load(
            {"diagnostic": name, "targets": targets, "options": options}
        )
        return measurements.accept(body["diagnostic"], body["targets"], body["options"])
    except ma.ValidationError as error:
        raise _Refused(_flat(error.messages)) from None
    except InvalidOptions as error:
        raise _Refused({f"opt.{k}": v for k, v in error.errors.items()}) from None
    except TargetForbidden as error:
        raise _Refused({"targets": [str(error), FORBIDDEN_HELP]}) from None
    except (InvalidTarget, UnknownDiagnostic, InvalidRequest) as error:
        raise _Refused({"targets": [str(error)]}) from None


def _flat(messages: dict) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for name, problem in messages.items():
        if isinstance(problem, dict):
            problem = [f"{key}: {text}" for key, text in problem.items()]
        flat[name] = [str(text) for text in problem]
    return flat


def _form(diagnostic, inputs, values: dict, errors: dict, targets: str):
    return render_template(
        "ui/run.html",
        diagnostic=diagnostic,
        inputs=inputs,
        values=values,
        errors=errors,
        targets=targets,
    )


def _diagnostics() -> list:
    return sorted(_registry().diagnostics.values(), key=lambda d: d.name)


def _registry():
    return current_app.extensions["probeops_registry"]

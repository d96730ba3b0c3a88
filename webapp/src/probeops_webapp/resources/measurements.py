"""``/measurements``: submit a diagnostic run, follow it, list past ones."""

from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask import current_app, url_for
from flask_smorest import Blueprint
from probeops.diagnostic import Diagnostic
from probeops.errors import InvalidOptions
from probeops_store.models import (
    Measurement,
    MeasurementStatus,
    MeasurementTarget,
    Role,
)
from sqlalchemy import select

from probeops_webapp.access import allow, current_principal
from probeops_webapp.errors import InvalidRequest, NotFound
from probeops_webapp.pinning import PinnedTarget, pin_measurement
from probeops_webapp.resources.probes import ProbeChoiceSchema

blp = Blueprint(
    "measurements",
    __name__,
    url_prefix="/api/v1/measurements",
    description="Measurements",
)

MAX_TARGETS = 100
SLACK = 2.0
"""Seconds a job gets beyond the run's deadline, for start-up and storing."""
STATUS_CHOICE = ma.validate.OneOf(
    [status.value for status in MeasurementStatus],
    error="must be one of {choices}, got {input}",
)


class SubmitSchema(ma.Schema):
    diagnostic = ma.fields.String(
        required=True, metadata={"description": "A name from GET /diagnostics"}
    )
    targets = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=300)),
        required=True,
        validate=ma.validate.Length(
            min=1,
            max=MAX_TARGETS,
            error="give between {min} and {max} targets",
        ),
    )
    options = ma.fields.Dict(
        load_default=dict,
        metadata={"description": "Validated by the diagnostic's options schema"},
    )
    probes = ma.fields.Nested(
        ProbeChoiceSchema,
        load_default=None,
        metadata={"description": "Run on these probes instead of a worker"},
    )


class TargetSchema(ma.Schema):
    target = ma.fields.String(attribute="given")
    address = ma.fields.String(allow_none=True)
    result = ma.fields.Dict(
        allow_none=True, metadata={"description": "The result document, once measured"}
    )


class MeasurementSchema(ma.Schema):
    id = ma.fields.String()
    diagnostic = ma.fields.String()
    status = ma.fields.String(
        metadata={"description": "queued, running, finished, failed"}
    )
    options = ma.fields.Dict()
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)
    targets = ma.fields.List(ma.fields.Nested(TargetSchema))


class ListQuerySchema(ma.Schema):
    diagnostic = ma.fields.String()
    target = ma.fields.String(metadata={"description": "A target exactly as given"})
    status = ma.fields.String(validate=STATUS_CHOICE)
    since = ma.fields.AwareDateTime(metadata={"description": "Created at or after"})
    until = ma.fields.AwareDateTime(metadata={"description": "Created before"})
    limit = ma.fields.Integer(
        load_default=20,
        validate=ma.validate.Range(
            min=1, max=100, error="must be between {min} and {max}, got {input}"
        ),
    )
    cursor = ma.fields.String(metadata={"description": "next_cursor of the last page"})


class PageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MeasurementSchema))
    next_cursor = ma.fields.String(allow_none=True)


@blp.route("", methods=["POST"])
@allow(Role.OPERATOR, "measurements:write")
@blp.arguments(SubmitSchema)
@blp.response(202, MeasurementSchema)
def submit(body: dict):
    """Accept a measurement and queue it; follow it at the Location given."""
    if body["probes"] is not None:
        from probeops_webapp.fanout import accept_on_probes

        measurement = accept_on_probes(
            body["diagnostic"], body["targets"], body["options"], body["probes"]
        )
    else:
        measurement = accept(body["diagnostic"], body["targets"], body["options"])
    location = url_for("measurements.get_measurement", measurement_id=measurement.id)
    return measurement, 202, {"Location": location}


def accept(name: str, targets: list[str], raw: dict) -> Measurement:
    """Validate options, pin and check targets, store and queue; the new row."""
    registry = current_app.extensions["probeops_registry"]
    settings = current_app.extensions["probeops_settings"]
    diagnostic = registry.diagnostic(name)
    options = diagnostic.load_options(raw)
    time_limit, raw_options = _time_limit(
        diagnostic, options, raw, settings.job_timeout
    )
    pinned = pin_measurement(registry, settings.policy, diagnostic, targets, options)

    measurement = _accepted(diagnostic.name, raw_options, time_limit, pinned)
    with _store().session() as session:
        session.add(measurement)
    current_app.extensions["probeops_queue"].submit(measurement.id, time_limit)
    return measurement


def _accepted(
    diagnostic: str, options: dict, time_limit: float, pinned: list[PinnedTarget]
) -> Measurement:
    """The new row of an accepted measurement, owned by the caller's org."""
    principal = current_principal()
    targets = [
        MeasurementTarget(
            position=position,
            given=target.given,
            address=target.address,
            resolve_error=target.resolve_error,
        )
        for position, target in enumerate(pinned)
    ]
    return Measurement(
        org_id=principal.org_id,
        user_id=principal.user_id,
        diagnostic=diagnostic,
        options=options,
        status=MeasurementStatus.QUEUED.value,
        time_limit=time_limit,
        targets=targets,
    )


@blp.route("/<measurement_id>", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.response(200, MeasurementSchema)
def get_measurement(measurement_id: str):
    """A measurement's status and one result document per target."""
    return find(measurement_id)


def find(measurement_id: str) -> Measurement:
    """The caller's org's measurement, or ``NotFound``."""
    principal = current_principal()
    with _store().session() as session:
        found = session.scalars(
            select(Measurement)
            .where(Measurement.id == measurement_id)
            .where(Measurement.org_id == principal.org_id)
        ).first()
        if found is None:
            raise NotFound(f"there is no measurement {measurement_id}")
        return found


@blp.route("", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, PageSchema)
def list_measurements(query: dict):
    """Your org's measurements, newest first, a page at a time."""
    return page(query)


def page(query: dict) -> dict:
    """A page of the org's measurements for a loaded :class:`ListQuerySchema`
    query (``limit`` is required); ``{"items", "next_cursor"}``."""
    principal = current_principal()
    statement = _filtered(
        select(Measurement).where(Measurement.org_id == principal.org_id), query
    )
    with _store().session() as session:
        rows = session.scalars(statement.limit(query["limit"] + 1)).all()
    more = len(rows) > query["limit"]
    items = list(rows[: query["limit"]])
    return {"items": items, "next_cursor": _cursor(items[-1]) if more else None}


def _time_limit(
    diagnostic: Diagnostic, options: dict, raw: dict, most: int
) -> tuple[float, dict]:
    """Seconds the job may run, and the raw options to store.

    An explicit ``deadline`` beyond the platform's job timeout is refused; a
    diagnostic's longer default is cut to fit, through its ``deadline``
    option, so the run ends with results rather than being killed.
    """
    explicit = options.get("deadline")
    if explicit and explicit + SLACK > most:
        raise InvalidOptions(
            {
                "deadline": [
                    f"must be at most {most - SLACK:g} s on this platform "
                    f"(PROBEOPS_JOB_TIMEOUT={most}), got {explicit:g}"
                ]
            }
        )
    deadline = explicit or diagnostic.default_deadline(options)
    if deadline + SLACK > most and "deadline" in diagnostic.options_schema().fields:
        deadline = most - SLACK
        raw = {**raw, "deadline": deadline}
    return min(float(most), deadline + SLACK), raw


def _filtered(statement, query: dict):
    if "diagnostic" in query:
        statement = statement.where(Measurement.diagnostic == query["diagnostic"])
    if "status" in query:
        statement = statement.where(Measurement.status == query["status"])
    if "since" in query:
        statement = statement.where(Measurement.created_at >= query["since"])
    if "until" in query:
        statement = statement.where(Measurement.created_at < query["until"])
    if "target" in query:
        statement = statement.where(
            Measurement.targets.any(MeasurementTarget.given == query["target"])
        )
    if "cursor" in query:
        statement = statement.where(Measurement.number < _after(query["cursor"]))
    return statement.order_by(Measurement.number.desc())


def _cursor(last: Measurement) -> str:
    return base64.urlsafe_b64encode(f"m{last.number}".encode()).decode()


def _after(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith("m"):
            return int(text[1:])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidRequest(
        f"cursor {cursor!r} is not one this API gave out",
        {"cursor": ["use next_cursor from the previous page"]},
    )


def _store():
    return current_app.extensions["probeops_store"]

"""``/schedules``: checks that probes repeat on their own."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from probeops.targets import parse_target
from probeops_store.models import Role
from probeops_store.probe_models import Schedule
from sqlalchemy import select

from probeops_webapp.access import allow, current_principal
from probeops_webapp.errors import InvalidRequest, NotFound

blp = Blueprint(
    "schedules", __name__, url_prefix="/api/v1/schedules", description="Schedules"
)


class NewScheduleSchema(ma.Schema):
    diagnostic = ma.fields.String(required=True)
    target = ma.fields.String(required=True, validate=ma.validate.Length(max=300))
    options = ma.fields.Dict(load_default=dict)
    interval_s = ma.fields.Float(
        required=True,
        validate=ma.validate.Range(
            min=0.1, max=86400, error="must be between {min} and {max}, got {input}"
        ),
    )
    jitter_s = ma.fields.Float(
        load_default=0.0,
        validate=ma.validate.Range(
            min=0, max=86400, error="must be between {min} and {max}, got {input}"
        ),
    )
    probe_ids = ma.fields.List(ma.fields.String(), load_default=list)
    tags = ma.fields.List(ma.fields.String(), load_default=list)


class ScheduleSchema(NewScheduleSchema):
    id = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


@blp.route("", methods=["POST"])
@allow(Role.OPERATOR, "measurements:write")
@blp.arguments(NewScheduleSchema)
@blp.response(201, ScheduleSchema)
def create_schedule(body: dict):
    """A check probes repeat every interval (plus up to jitter seconds)."""
    return add_schedule(body)


def add_schedule(body: dict) -> Schedule:
    """Store a check from a loaded :class:`NewScheduleSchema` body."""
    registry = current_app.extensions["probeops_registry"]
    registry.diagnostic(body["diagnostic"]).load_options(body["options"])
    parse_target(body["target"])
    if not body["probe_ids"] and not body["tags"]:
        raise InvalidRequest(
            "name the probes to run the check",
            {"probe_ids": ["give probe_ids, tags or both"]},
        )
    row = Schedule(org_id=current_principal().org_id, **body)
    with _store().session() as session:
        session.add(row)
    return row


@blp.route("", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.response(200, ScheduleSchema(many=True))
def list_schedules():
    """The org's scheduled checks."""
    return org_schedules()


def org_schedules() -> list[Schedule]:
    """The caller's org's scheduled checks, oldest first."""
    with _store().session() as session:
        return list(
            session.scalars(
                select(Schedule)
                .where(Schedule.org_id == current_principal().org_id)
                .order_by(Schedule.created_at)
            )
        )


@blp.route("/<schedule_id>", methods=["DELETE"])
@allow(Role.OPERATOR, "measurements:write")
@blp.response(204)
def delete_schedule(schedule_id: str):
    """Stop a scheduled check; probes drop it at their next heartbeat."""
    remove_schedule(schedule_id)


def remove_schedule(schedule_id: str) -> None:
    """Delete the org's scheduled check, or raise ``NotFound``."""
    with _store().session() as session:
        row = session.get(Schedule, schedule_id)
        if row is None or row.org_id != current_principal().org_id:
            raise NotFound(f"there is no schedule {schedule_id}")
        session.delete(row)


def _store():
    return current_app.extensions["probeops_store"]

"""``/probes``, ``/probe-tokens``: probes as people see them.

Admins create one-time enrolment tokens and revoke probes; everyone in the
org sees each probe online or offline with its last heartbeat, and the
results a probe or a measurement's probes sent.
"""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from probeops_store import probe_work
from probeops_store.models import Measurement, Role, utcnow
from probeops_store.probe_models import (
    EnrolmentToken,
    Probe,
    ProbeJob,
    ProbeResult,
)
from sqlalchemy import select

from probeops_webapp import probe_settings
from probeops_webapp.access import allow, current_principal
from probeops_webapp.errors import NotFound
from probeops_webapp.probe_auth import ENROLMENT_MARK, new_secret

blp = Blueprint("probes", __name__, url_prefix="/api/v1", description="Probes")


class ProbeChoiceSchema(ma.Schema):
    """Which probes run a measurement: all of ids (if given), all tags."""

    ids = ma.fields.List(ma.fields.String(), load_default=list)
    tags = ma.fields.List(ma.fields.String(), load_default=list)
    limit = ma.fields.Integer(
        load_default=10,
        validate=ma.validate.Range(
            min=1, max=1000, error="must be between {min} and {max}, got {input}"
        ),
    )


class NewTokenSchema(ma.Schema):
    minutes = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(
            min=1, max=10080, error="must be between {min} and {max}, got {input}"
        ),
        metadata={"description": "Lifetime; PROBEOPS_PROBE_TOKEN_MINUTES if unset"},
    )
    tags = ma.fields.List(ma.fields.String(), load_default=list)


class TokenSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "Shown only in this answer"})
    prefix = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()


class ProbeSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String(metadata={"description": "online, offline, revoked"})
    tags = ma.fields.List(ma.fields.String())
    location = ma.fields.Dict()
    version = ma.fields.String()
    diagnostics = ma.fields.List(ma.fields.String())
    capabilities = ma.fields.Dict()
    outbox = ma.fields.Dict()
    clock_offset_s = ma.fields.Float(allow_none=True)
    last_seen_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class ResultSchema(ma.Schema):
    id = ma.fields.String()
    probe_id = ma.fields.String()
    job_id = ma.fields.String(allow_none=True)
    schedule_id = ma.fields.String(allow_none=True)
    diagnostic = ma.fields.String()
    target = ma.fields.String()
    document = ma.fields.Dict()
    measured_at = ma.fields.AwareDateTime()
    received_at = ma.fields.AwareDateTime()
    duration_ms = ma.fields.Float()
    since_sync_s = ma.fields.Float(allow_none=True)
    clock_skew = ma.fields.Boolean()


class ProbePartSchema(ma.Schema):
    probe_id = ma.fields.String()
    probe_name = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, done, offline"})
    results = ma.fields.List(ma.fields.Nested(ResultSchema))


@blp.route("/probe-tokens", methods=["POST"])
@allow(Role.ADMIN, "users:manage")
@blp.arguments(NewTokenSchema)
@blp.response(201, TokenSchema)
def create_token(body: dict):
    """A one-time enrolment token for a new probe; shown only here."""
    return issue_enrolment_token(body)


def issue_enrolment_token(body: dict) -> dict:
    """Make a token from a loaded :class:`NewTokenSchema` body."""
    principal = current_principal()
    minutes = body["minutes"] or probe_settings.ENROLMENT_MINUTES.read()
    text, prefix, stored_hash = new_secret(ENROLMENT_MARK)
    row = EnrolmentToken(
        org_id=principal.org_id,
        user_id=principal.user_id,
        prefix=prefix,
        secret_hash=stored_hash,
        tags=sorted(set(body["tags"])),
        expires_at=utcnow() + timedelta(minutes=minutes),
    )
    with _store().session() as session:
        session.add(row)
    return {"token": text, "prefix": prefix, "expires_at": row.expires_at}


@blp.route("/probes", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.response(200, ProbeSchema(many=True))
def list_probes():
    """The org's probes, each online or offline with its last heartbeat."""
    return org_probes()


def org_probes() -> list[dict]:
    """The caller's org's probes, by name, each with its status."""
    with _store().session() as session:
        rows = session.scalars(
            select(Probe)
            .where(Probe.org_id == current_principal().org_id)
            .order_by(Probe.name)
        ).all()
        return [_described(probe) for probe in rows]


def _described(probe: Probe) -> dict:
    fields = ProbeSchema().fields
    described = {name: getattr(probe, name, None) for name in fields}
    return {**described, "status": status_of(probe)}


def status_of(probe: Probe) -> str:
    """``revoked``, ``online`` (heard from lately) or ``offline``."""
    if probe.revoked_at is not None:
        return "revoked"
    quiet = timedelta(seconds=probe_settings.PROBE_OFFLINE_AFTER.read())
    if probe.last_seen_at is not None and utcnow() - probe.last_seen_at < quiet:
        return "online"
    return "offline"


@blp.route("/probes/<probe_id>", methods=["DELETE"])
@allow(Role.ADMIN, "users:manage")
@blp.response(204)
def revoke_probe(probe_id: str):
    """Revoke a probe's credential at once; its results are kept."""
    with _store().session() as session:
        probe = _own_probe(session, probe_id)
        probe.revoked_at = probe.revoked_at or utcnow()


@blp.route("/probes/<probe_id>/results", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.response(200, ResultSchema(many=True))
def probe_results(probe_id: str):
    """The probe's latest results, newest first (at most 100)."""
    return recent_results(probe_id)[1]


def recent_results(probe_id: str) -> tuple[dict, list[ProbeResult]]:
    """The org's probe, described, and its latest 100 results."""
    with _store().session() as session:
        probe = _described(_own_probe(session, probe_id))
        return probe, session.scalars(
            select(ProbeResult)
            .where(ProbeResult.probe_id == probe_id)
            .order_by(ProbeResult.received_at.desc(), ProbeResult.id)
            .limit(100)
        ).all()


def _own_probe(session, probe_id: str) -> Probe:
    probe = session.get(Probe, probe_id)
    if probe is None or probe.org_id != current_principal().org_id:
        raise NotFound(f"there is no probe {probe_id}")
    return probe


@blp.route("/measurements/<measurement_id>/probes", methods=["GET"])
@allow(Role.VIEWER, "measurements:read")
@blp.response(200, ProbePartSchema(many=True))
def measurement_probes(measurement_id: str):
    """Each probe's part of a measurement: its status and its results."""
    return probe_parts(measurement_id)


def probe_parts(measurement_id: str) -> list[dict]:
    """The parts of the org's measurement, one per probe (none if no probe
    was asked); parts past their deadline are marked offline first."""
    with _store().session() as session:
        probe_work.mark_offline(session)
    with _store().session() as session:
        measurement = _own_measurement(session, measurement_id)
        jobs = session.scalars(
            select(ProbeJob)
            .where(ProbeJob.measurement_number == measurement.number)
            .order_by(ProbeJob.created_at, ProbeJob.id)
        ).all()
        return [_part(session, job) for job in jobs]


def _own_measurement(session, measurement_id: str) -> Measurement:
    found = session.scalars(
        select(Measurement)
        .where(Measurement.id == measurement_id)
        .where(Measurement.org_id == current_principal().org_id)
    ).first()
    if found is None:
        raise NotFound(f"there is no measurement {measurement_id}")
    return found


def _part(session, job: ProbeJob) -> dict:
    results = session.scalars(
        select(ProbeResult)
        .where(ProbeResult.job_id == job.id)
        .order_by(ProbeResult.position)
    ).all()
    probe = session.get(Probe, job.probe_id)
    return {
        "probe_id": job.probe_id,
        "probe_name": probe.name,
        "status": job.status,
        "results": results,
    }


def _store():
    return current_app.extensions["probeops_store"]

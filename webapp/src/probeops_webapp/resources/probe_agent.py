"""``/agent``: the routes probe agents call to enrol, report and upload.

The agent opens no port: it enrols once, then sends heartbeats (which
renew the lease on its schedule), polls for jobs and uploads results in
batches. A result is stored once per probe and id, and the answer says
which ids were new and which were already held.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import marshmallow as ma
from flask import current_app, g
from flask_smorest import Blueprint
from probeops_store import probe_work
from probeops_store.models import Measurement, utcnow
from probeops_store.probe_models import EnrolmentToken, Probe, ProbeJob, Schedule
from sqlalchemy import select, update

from probeops_webapp import probe_settings
from probeops_webapp.errors import NotAuthenticated, PermissionDenied
from probeops_webapp.probe_auth import (
    PROBE_MARK,
    current_probe_id,
    enrolment_route,
    new_secret,
    probe_route,
)

log = logging.getLogger(__name__)

blp = Blueprint(
    "probe_agent", __name__, url_prefix="/api/v1/agent", description="Probe agents"
)

MAX_BATCH = 1000


class LocationSchema(ma.Schema):
    country = ma.fields.String(validate=ma.validate.Length(max=100))
    city = ma.fields.String(validate=ma.validate.Length(max=100))
    asn = ma.fields.Integer(validate=ma.validate.Range(min=0, max=4294967295))


class ReportSchema(ma.Schema):
    """What an agent says of itself at enrolment and with each heartbeat."""

    version = ma.fields.String(load_default="", validate=ma.validate.Length(max=50))
    diagnostics = ma.fields.List(ma.fields.String(), load_default=list)
    capabilities = ma.fields.Dict(
        load_default=dict,
        metadata={"description": "raw_socket, ipv4, ipv6: what the host allows"},
    )


class EnrolSchema(ReportSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=50)),
        load_default=list,
    )
    location = ma.fields.Nested(LocationSchema, load_default=dict)


class EnrolledSchema(ma.Schema):
    probe_id = ma.fields.String()
    credential = ma.fields.String(
        metadata={"description": "The probe's own credential; shown only here"}
    )


class HeartbeatSchema(ReportSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    tags = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=50)))
    location = ma.fields.Nested(LocationSchema)
    sent_at = ma.fields.AwareDateTime(
        required=True, metadata={"description": "The probe's wall clock"}
    )
    outbox = ma.fields.Dict(
        load_default=dict, metadata={"description": "pending and dropped counts"}
    )


class CheckSchema(ma.Schema):
    id = ma.fields.String()
    diagnostic = ma.fields.String()
    target = ma.fields.String()
    options = ma.fields.Dict()
    interval_s = ma.fields.Float()
    jitter_s = ma.fields.Float()


class BeatAnswerSchema(ma.Schema):
    server_time = ma.fields.AwareDateTime()
    lease_seconds = ma.fields.Float()
    schedule = ma.fields.List(ma.fields.Nested(CheckSchema))


class JobSchema(ma.Schema):
    id = ma.fields.String()
    measurement_id = ma.fields.String()
    diagnostic = ma.fields.String()
    targets = ma.fields.List(ma.fields.String())
    options = ma.fields.Dict()
    deadline_at = ma.fields.AwareDateTime()


class WorkSchema(ma.Schema):
    jobs = ma.fields.List(ma.fields.Nested(JobSchema))


class UploadedResultSchema(ma.Schema):
    id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    job_id = ma.fields.String(load_default=None)
    position = ma.fields.Integer(load_default=None)
    schedule_id = ma.fields.String(load_default=None)
    diagnostic = ma.fields.String(required=True)
    target = ma.fields.String(required=True, validate=ma.validate.Length(max=300))
    document = ma.fields.Dict(required=True)
    measured_at = ma.fields.AwareDateTime(required=True)
    duration_ms = ma.fields.Float(required=True)
    since_sync_s = ma.fields.Float(load_default=None)


class UploadSchema(ma.Schema):
    sent_at = ma.fields.AwareDateTime(required=True)
    results = ma.fields.List(
        ma.fields.Nested(UploadedResultSchema),
        required=True,
        validate=ma.validate.Length(
            max=MAX_BATCH, error="send at most {max} results in one batch"
        ),
    )


class UploadAnswerSchema(ma.Schema):
    accepted = ma.fields.List(ma.fields.String(), metadata={"description": "New"})
    duplicates = ma.fields.List(
        ma.fields.String(), metadata={"description": "Already held; not stored again"}
    )
    rejected = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "Of a job that no longer exists; never stored"},
    )


@blp.route("/enrol", methods=["POST"])
@enrolment_route
@blp.arguments(EnrolSchema)
@blp.response(201, EnrolledSchema)
def enrol(body: dict):
    """Trade a one-time enrolment token for the probe's own credential."""
    credential, prefix, stored_hash = new_secret(PROBE_MARK)
    with _store().session() as session:
        token = _consume(session, g.enrolment_token_id)
        probe = Probe(
            org_id=token.org_id,
            name=body["name"],
            tags=sorted(set(body["tags"]) | set(token.tags)),
            location=body["location"],
            prefix=prefix,
            secret_hash=stored_hash,
            last_seen_at=utcnow(),
            **_report(body),
        )
        session.add(probe)
        session.flush()
        token.probe_id = probe.id
    log.info("probe %s enrolled as %s", probe.id, probe.name)
    return {"probe_id": probe.id, "credential": credential}


def _consume(session, token_id: int) -> EnrolmentToken:
    """Mark the token used, once: a second trade of it is refused."""
    used = session.execute(
        update(EnrolmentToken)
        .where(EnrolmentToken.id == token_id)
        .where(EnrolmentToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise NotAuthenticated("the enrolment token was already used")
    return session.get(EnrolmentToken, token_id)


def _report(body: dict) -> dict:
    return {name: body[name] for name in ("version", "diagnostics", "capabilities")}


@blp.route("/heartbeat", methods=["POST"])
@probe_route
@blp.arguments(HeartbeatSchema)
@blp.response(200, BeatAnswerSchema)
def heartbeat(body: dict):
    """Report the probe's state; the answer renews its schedule's lease."""
    now = utcnow()
    with _store().session() as session:
        probe = session.get(Probe, current_probe_id())
        for name, value in _report(body).items():
            setattr(probe, name, value)
        _describe(session, probe, body)
        probe.outbox = body["outbox"]
        probe.clock_offset_s = (body["sent_at"] - now).total_seconds()
        checks = schedule_of(session, probe)
    return {
        "server_time": now,
        "lease_seconds": probe_settings.PROBE_LEASE.read(),
        "schedule": checks,
    }


def _describe(session, probe: Probe, body: dict) -> None:
    """Take the name, tags and location a heartbeat reports, if any; the
    tags of the probe's enrolment token are kept."""
    probe.name = body.get("name", probe.name)
    probe.location = body.get("location", probe.location)
    if "tags" in body:
        granted = session.scalars(
            select(EnrolmentToken.tags).where(EnrolmentToken.probe_id == probe.id)
        ).first()
        probe.tags = sorted(set(body["tags"]) | set(granted or ()))


def schedule_of(session, probe: Probe) -> list[Schedule]:
    """The org's scheduled checks naming this probe or all of its tags."""
    rows = session.scalars(
        select(Schedule).where(Schedule.org_id == probe.org_id).order_by(Schedule.id)
    )
    tags = set(probe.tags)
    return [
        row
        for row in rows
        if probe.id in row.probe_ids or (row.tags and set(row.tags) <= tags)
    ]


@blp.route("/work", methods=["GET"])
@probe_route
@blp.response(200, WorkSchema)
def work():
    """The probe's jobs still waiting for results, oldest first."""
    with _store().session() as session:
        jobs = probe_work.pending_jobs(session, current_probe_id())
        return {"jobs": [_job(session, job) for job in jobs]}


def _job(session, job: ProbeJob) -> dict:
    measurement = session.get(Measurement, job.measurement_number)
    return {
        "id": job.id,
        "measurement_id": measurement.id,
        "diagnostic": measurement.diagnostic,
        "targets": [target.given for target in measurement.targets],
        "options": measurement.options,
        "deadline_at": job.deadline_at,
    }


@blp.route("/results", methods=["POST"])
@probe_route
@blp.arguments(UploadSchema)
@blp.response(200, UploadAnswerSchema)
def upload(body: dict):
    """Store a batch of results, each id once; say which were new."""
    probe_id = current_probe_id()
    received = utcnow()
    offset = (body["sent_at"] - received).total_seconds()
    with _store().session() as session:
        probe = session.get(Probe, probe_id)
        jobs, known = _check_owned(session, probe, body["results"])
        jobs.add(None)
        kept = [r for r in body["results"] if r["job_id"] in jobs]
        rows = [_row(result, offset, received, known) for result in kept]
        accepted, duplicates = probe_work.store_results(session, probe_id, rows)
    rejected = [r["id"] for r in body["results"] if r["job_id"] not in jobs]
    return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}


def _check_owned(session, probe: Probe, results: list[dict]):
    """Refuse the batch if it names another probe's job or org's schedule.

    Returns the job ids that still exist and the schedule ids that still
    exist: results of a job since deleted (with its measurement) are
    rejected, results of a schedule since deleted are kept without it.
    """
    jobs = _owners(session, ProbeJob.id, ProbeJob.probe_id, results, "job_id")
    for job_id, owner in jobs.items():
        if owner not in (None, probe.id):
            raise PermissionDenied(f"job {job_id} is not a job of probe {probe.id}")
    schedules = _owners(session, Schedule.id, Schedule.org_id, results, "schedule_id")
    for schedule_id, org_id in schedules.items():
        if org_id not in (None, probe.org_id):
            raise PermissionDenied(f"schedule {schedule_id} belongs to another org")
    existing = {key for key, owner in jobs.items() if owner is not None}
    return existing, {key for key, org in schedules.items() if org is not None}


def _owners(session, key, owner, results: list[dict], field: str) -> dict:
    """Each id the results name in ``field``, with its owner (or ``None``)."""
    wanted = {result[field] for result in results if result[field]}
    found = dict(session.execute(select(key, owner).where(key.in_(wanted))).all())
    return {name: found.get(name) for name in wanted}


def _row(result: dict, offset: float, received: datetime, known: set[str]) -> dict:
    skew = abs(offset) > probe_settings.CLOCK_SKEW.read()
    schedule_id = result["schedule_id"] if result["schedule_id"] in known else None
    return {
        **result,
        "schedule_id": schedule_id,
        "clock_offset_s": offset,
        "clock_skew": skew,
        "received_at": received,
        "measured_at": result["measured_at"].astimezone(UTC),
    }


def _store():
    return current_app.extensions["probeops_store"]

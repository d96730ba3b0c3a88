"""Measurements run by probes: choose the probes, give each one a job.

A measurement submitted with ``probes: {ids, tags, limit}`` is not queued
for a worker: each chosen probe gets a job for every target, and the
measurement finishes once every job has its results or was marked
``offline`` after its deadline.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from probeops.policy import TargetPolicy
from probeops.targets import parse_target
from probeops_store import probe_work
from probeops_store.models import Measurement, MeasurementStatus, utcnow
from probeops_store.probe_models import Probe
from probeops_worker.destinations import check_destinations
from sqlalchemy import select

from probeops_webapp import probe_settings
from probeops_webapp.access import current_principal
from probeops_webapp.errors import InvalidRequest
from probeops_webapp.pinning import PinnedTarget, name_targets
from probeops_webapp.resources.measurements import _accepted, _time_limit
from probeops_webapp.resources.probes import status_of


def accept_on_probes(
    name: str, targets: list[str], raw: dict, wanted: dict
) -> Measurement:
    """Store a measurement for the chosen probes, one job per probe."""
    registry = current_app.extensions["probeops_registry"]
    settings = current_app.extensions["probeops_settings"]
    diagnostic = registry.diagnostic(name)
    options = diagnostic.load_options(raw)
    limit, raw_options = _time_limit(diagnostic, options, raw, settings.job_timeout)
    pinned = _pinned(diagnostic, settings.policy, targets, options)

    measurement = _accepted(diagnostic.name, raw_options, limit, pinned)
    measurement.status = MeasurementStatus.RUNNING.value
    measurement.started_at = utcnow()
    until = utcnow() + timedelta(seconds=limit + probe_settings.PROBE_GRACE.read())
    with current_app.extensions["probeops_store"].session() as session:
        probe_ids = _chosen(session, wanted)
        session.add(measurement)
        session.flush()
        probe_work.assign(session, measurement, probe_ids, until)
    return measurement


def _pinned(diagnostic, policy: TargetPolicy, targets: list[str], options: dict):
    """Hosts as each probe will check them; query names and servers as dns's."""
    check_destinations(diagnostic, options, policy)
    if not diagnostic.resolves_targets:
        return name_targets(targets)
    return [_checked(policy, text) for text in targets]


def _checked(policy: TargetPolicy, text: str) -> PinnedTarget:
    """A literal address must pass the policy here; a name, on the probe."""
    target = parse_target(text)
    if target.is_literal:
        policy.check(target.host)
        return PinnedTarget(target.given, target.host)
    return PinnedTarget(target.given, None)


def _chosen(session, wanted: dict) -> list[str]:
    """Ids of the org's online probes matching ``ids`` and ``tags``."""
    rows = session.scalars(
        select(Probe)
        .where(Probe.org_id == current_principal().org_id)
        .order_by(Probe.created_at, Probe.id)
    ).all()
    tags = set(wanted["tags"])
    chosen = [
        probe.id
        for probe in rows
        if status_of(probe) == "online"
        and (not wanted["ids"] or probe.id in wanted["ids"])
        and tags <= set(probe.tags)
    ][: wanted["limit"]]
    if not chosen:
        raise InvalidRequest(
            "no online probe matches the probes asked for",
            {
                "probes": [
                    f"no online probe has ids {wanted['ids']} and tags {sorted(tags)}"
                ]
            },
        )
    return chosen

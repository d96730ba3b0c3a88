"""Running one check on this probe and turning it into outbox records.

Every target passes the same target policy as on the platform before a
packet leaves; a refused or unmeasurable target becomes a failed result, so
a job always ends with one record per target.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from probeops import engine, hookimpl
from probeops.errors import ProbeOpsError
from probeops.plugins import Registry
from probeops.policy import TargetPolicy

from probeops_probe.settings import ALLOWLIST

log = logging.getLogger(__name__)


def policy() -> TargetPolicy:
    return TargetPolicy.from_cidrs(ALLOWLIST.read())


GUARD = "probeops-probe-policy"


class PolicyGuard:
    """Refuses every resolved target the probe's policy refuses."""

    @hookimpl
    def probeops_check_target(self, target, diagnostic: str) -> None:
        policy().check(target.address)


def guarded(registry: Registry) -> Registry:
    """The registry, with the target policy checked before any packet.

    Reads the policy once now, so a bad allowlist stops start-up.
    """
    policy()
    if not registry.manager.has_plugin(GUARD):
        registry.manager.register(PolicyGuard(), name=GUARD)
    return registry


def run_check(
    registry: Registry,
    diagnostic: str,
    targets: list[str],
    options: dict[str, Any],
    ids: list[str],
    context: dict[str, Any],
) -> list[dict[str, Any]]:
    """Measure ``targets``; one outbox record per target, named by ``ids``."""
    guarded(registry)
    measured_at = datetime.now(UTC)
    began = time.monotonic()
    documents = _documents(registry, diagnostic, targets, options)
    elapsed = (time.monotonic() - began) * 1000
    return [
        {
            "id": result_id,
            "position": position,
            "diagnostic": diagnostic,
            "target": target,
            "document": document,
            "measured_at": measured_at.isoformat(),
            "duration_ms": document.get("duration_ms", elapsed),
            **context,
        }
        for position, (result_id, target, document) in enumerate(
            zip(ids, targets, documents, strict=True)
        )
    ]


def fresh_ids(count: int) -> list[str]:
    return [uuid.uuid4().hex for _ in range(count)]


def _documents(registry, diagnostic, targets, options) -> list[dict[str, Any]]:
    try:
        results = engine.measure(registry, diagnostic, targets, options)
    except ProbeOpsError as error:
        log.warning("check %s on %s not measured: %s", diagnostic, targets, error)
        return [_failure(diagnostic, text, error) for text in targets]
    return [result.to_json() for result in results]


def _failure(diagnostic: str, target: str, error: Exception) -> dict[str, Any]:
    return {
        "diagnostic": diagnostic,
        "target": target,
        "address": None,
        "started_at": datetime.now(UTC).isoformat(),
        "duration_ms": 0.0,
        "status": "failed",
        "failure_source": "internal",
        "error": str(error),
        "body": {},
    }

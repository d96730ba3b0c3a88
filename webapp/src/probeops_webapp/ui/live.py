"""Live progress of a measurement as Server-Sent Events.

The stream sends the measurement's state whenever it changes and a final
``done`` event once it is finished or failed; the page then reloads to
show the results. Browsers without EventSource, or behind a proxy that
buffers the stream, poll the API's ``GET /api/v1/measurements/{id}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Response, stream_with_context
from probeops_store.models import Measurement, MeasurementStatus, Role

from probeops_webapp.access import allow
from probeops_webapp.resources import measurements
from probeops_webapp.ui.blueprint import bp

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 10.0
STREAM_SLACK = 30.0
"""Seconds the stream outlives the measurement's time limit."""


@bp.route("/measurements/<measurement_id>/events")
@allow(Role.VIEWER, keys=False)
def events(measurement_id: str):
    """Stream the measurement's progress until it ends."""
    first = measurements.find(measurement_id)
    stream = stream_with_context(_progress(measurement_id, first))
    return Response(
        stream,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def progress_of(measurement: Measurement) -> dict:
    """What the page shows while it waits: status, counts and times."""
    done = sum(1 for target in measurement.targets if target.result is not None)
    return {
        "status": measurement.status,
        "targets": len(measurement.targets),
        "measured": done,
        "time_limit": measurement.time_limit,
        "started_at": _iso(measurement.started_at),
        "finished_at": _iso(measurement.finished_at),
        "error": measurement.error,
    }


def _progress(measurement_id: str, measurement: Measurement) -> Iterator[str]:
    limit = time.monotonic() + measurement.time_limit + STREAM_SLACK
    last, beat = None, time.monotonic()
    while time.monotonic() < limit:
        state = progress_of(measurement)
        if state != last:
            yield _event("status", state)
            last, beat = state, time.monotonic()
        if MeasurementStatus(state["status"]).terminal:
            yield _event("done", state)
            return
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            yield ": still running\n\n"
            beat = time.monotonic()
        time.sleep(POLL_SECONDS)
        measurement = measurements.find(measurement_id)
    yield _event("timeout", last)


def _event(name: str, data: dict | None) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None

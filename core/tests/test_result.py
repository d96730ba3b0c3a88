"""The result envelope survives a JSON round trip unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from probeops.result import FailureSource, Result, Status


def _result(**changes) -> Result:
    fields = {
        "diagnostic": "ping",
        "diagnostic_version": "0.1.0",
        "schema_version": 1,
        "target": "localhost",
        "address": "127.0.0.1",
        "started_at": datetime(2026, 12, 3, 15, 0, 1, 250_000, tzinfo=UTC),
        "duration_ms": 1234.5,
        "status": Status.FAILED,
        "failure_source": FailureSource.TARGET,
        "error": "no reply; 3 sent, 0 received",
        "body": {"summary": {"sent": 3, "received": 0}, "packets": [{"seq": 1}]},
    }
    fields.update(changes)
    return Result(**fields)


def test_result_round_trips_through_json_text():
    original = _result()
    document = json.loads(original.dumps())
    assert Result.from_json(document) == original


def test_start_time_is_written_in_utc_with_a_z():
    document = _result().to_json()
    assert document["started_at"] == "2026-12-03T15:00:01.250000Z"


def test_enumerations_are_written_as_plain_strings():
    document = _result().to_json()
    assert (document["status"], document["failure_source"]) == ("failed", "target")


def test_a_finished_result_has_no_failure_source():
    result = _result(status=Status.FINISHED, failure_source=None, error=None)
    document = json.loads(result.dumps())
    assert document["failure_source"] is None
    assert Result.from_json(document).answered

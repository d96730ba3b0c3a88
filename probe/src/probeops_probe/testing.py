"""Helpers for tests of probes against a platform app (tokens, enrolment)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def enrolment_token(client, admin: dict, **body: Any) -> str:
    answer = client.post("/api/v1/probe-tokens", headers=admin, json=body)
    assert answer.status_code == 201, answer.json
    return answer.json["token"]


def enrol(client, token: str, name: str, **body: Any) -> dict:
    answer = client.post(
        "/api/v1/agent/enrol",
        headers={"Authorization": f"Bearer {token}"},
        json={"name": name, **body},
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def bearer(credential: str) -> dict:
    return {"Authorization": f"Bearer {credential}"}


def record(result_id: str, **extra: Any) -> dict:
    """An upload record as the agent sends it."""
    return {
        "id": result_id,
        "diagnostic": "ping",
        "target": "127.0.0.1",
        "document": {"status": "finished"},
        "measured_at": now_text(),
        "duration_ms": 1.0,
        **extra,
    }


def now_text() -> str:
    return datetime.now(UTC).isoformat()

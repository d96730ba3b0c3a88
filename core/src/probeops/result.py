"""The result envelope every diagnostic's measurement is wrapped in.

A result is one target measured by one diagnostic. The envelope carries what
every consumer needs (who measured what, when, and how it ended); the
diagnostic's own findings live in :attr:`Result.body`.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


class Status(enum.StrEnum):
    """How a measurement ended."""

    FINISHED = "finished"
    FAILED = "failed"
    TIMEOUT = "timeout"


class FailureSource(enum.StrEnum):
    """Who is to blame when a measurement did not finish."""

    TARGET = "target"
    RESOLVER = "resolver"
    INTERNAL = "internal"


@dataclass
class Result:
    """One target measured by one diagnostic."""

    diagnostic: str
    diagnostic_version: str
    schema_version: int
    target: str
    address: str | None
    started_at: datetime
    duration_ms: float
    status: Status
    failure_source: FailureSource | None = None
    error: str | None = None
    body: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        """Whether the target answered the diagnostic."""
        return self.status is Status.FINISHED

    def to_json(self) -> dict[str, Any]:
        """The JSON document; ``body`` is shared, not copied."""
        document = {item.name: getattr(self, item.name) for item in fields(self)}
        document["started_at"] = _utc_text(self.started_at)
        document["status"] = self.status.value
        document["failure_source"] = (
            self.failure_source.value if self.failure_source else None
        )
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Result:
        fields = dict(document)
        fields["started_at"] = datetime.fromisoformat(fields["started_at"])
        fields["status"] = Status(fields["status"])
        source = fields.get("failure_source")
        fields["failure_source"] = FailureSource(source) if source else None
        return cls(**fields)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


def _utc_text(moment: datetime) -> str:
    """Format an aware UTC datetime as ISO 8601 with a ``Z`` suffix."""
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")

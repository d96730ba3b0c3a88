"""The ping diagnostic's options, validated the same way for CLI and API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

MAX_PAYLOAD = 65507
"""The largest ICMP payload an IPv4 datagram can carry (65535 - 20 - 8)."""

MIN_INTERVAL = 0.001


def _between(low: float, high: float) -> validate.Range:
    return validate.Range(
        min=low, max=high, error="must be between {min} and {max}, got {input}"
    )


class PingOptions(Schema):
    """Options of one ping run; the same for every target in it."""

    count = fields.Integer(
        load_default=3,
        validate=_between(1, 100_000),
        metadata={
            "flags": ["-c", "--count"],
            "description": "echo requests per target",
        },
    )
    interval = fields.Float(
        load_default=1.0,
        validate=_between(MIN_INTERVAL, 3600),
        metadata={
            "flags": ["-i", "--interval"],
            "description": "seconds between requests to one target",
        },
    )
    size = fields.Integer(
        load_default=56,
        validate=_between(0, MAX_PAYLOAD),
        metadata={"flags": ["-s", "--size"], "description": "payload bytes"},
    )
    ttl = fields.Integer(
        load_default=64,
        validate=_between(1, 255),
        metadata={
            "flags": ["-t", "--ttl"],
            "description": "IP time to live / hop limit",
        },
    )
    timeout = fields.Float(
        load_default=2.0,
        validate=_between(0.001, 60),
        metadata={
            "flags": ["-W", "--timeout"],
            "description": "seconds to wait for each reply",
        },
    )
    deadline = fields.Float(
        load_default=None,
        allow_none=True,
        validate=_between(0.001, 86_400),
        metadata={
            "flags": ["-w", "--deadline"],
            "description": "seconds after which the whole run stops",
        },
    )
    rate = fields.Float(
        load_default=1000.0,
        validate=_between(0, 1_000_000),
        metadata={
            "description": "packets per second over all targets; 0 for no limit",
        },
    )
    family = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([4, 6], error="must be 4 or 6, got {input}"),
        metadata={
            "switches": {"-4": 4, "-6": 6},
            "switches_only": True,
            "description": "address family for hostname targets",
        },
    )


def default_deadline(options: dict[str, Any]) -> float:
    """Long enough for every request and the last reply's wait, plus slack."""
    return options["count"] * options["interval"] + options["timeout"] + 5.0

"""The ping diagnostic's options, validated the same way for CLI and API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from probeops.options import between, deadline_field, family_field

MAX_PAYLOAD = 65507
"""The largest ICMP payload an IPv4 datagram can carry (65535 - 20 - 8)."""

MIN_INTERVAL = 0.001


class PingOptions(Schema):
    """Options of one ping run; the same for every target in it."""

    count = fields.Integer(
        load_default=3,
        validate=between(1, 100_000),
        metadata={
            "flags": ["-c", "--count"],
            "description": "echo requests per target",
        },
    )
    interval = fields.Float(
        load_default=1.0,
        validate=between(MIN_INTERVAL, 3600),
        metadata={
            "flags": ["-i", "--interval"],
            "description": "seconds between requests to one target",
        },
    )
    size = fields.Integer(
        load_default=56,
        validate=between(0, MAX_PAYLOAD),
        metadata={"flags": ["-s", "--size"], "description": "payload bytes"},
    )
    ttl = fields.Integer(
        load_default=64,
        validate=between(1, 255),
        metadata={
            "flags": ["-t", "--ttl"],
            "description": "IP time to live / hop limit",
        },
    )
    timeout = fields.Float(
        load_default=2.0,
        validate=between(0.001, 60),
        metadata={
            "flags": ["-W", "--timeout"],
            "description": "seconds to wait for each reply",
        },
    )
    deadline = deadline_field(["-w", "--deadline"])
    rate = fields.Float(
        load_default=1000.0,
        validate=between(0, 1_000_000),
        metadata={
            "description": "packets per second over all targets; 0 for no limit",
        },
    )
    family = family_field()


def default_deadline(options: dict[str, Any]) -> float:
    """Long enough for every request and the last reply's wait, plus slack."""
    return options["count"] * options["interval"] + options["timeout"] + 5.0

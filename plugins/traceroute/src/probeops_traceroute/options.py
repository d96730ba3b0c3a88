"""The traceroute diagnostic's options, validated the same way for CLI and API."""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from probeops.hopprobe.options import PathOptions
from probeops.options import between


class TracerouteOptions(PathOptions):
    """Options of one traceroute run; the same for every target in it."""

    queries = fields.Integer(
        load_default=3,
        validate=between(1, 10),
        metadata={"flags": ["-q", "--queries"], "description": "probes per hop"},
    )
    gap_limit = fields.Integer(
        load_default=5,
        validate=between(0, 255),
        metadata={
            "flags": ["-g", "--gap-limit"],
            "description": "stop after this many silent hops in a row; 0 never",
        },
    )
    in_flight = fields.Integer(
        load_default=16,
        validate=between(1, 255),
        metadata={
            "flags": ["-N", "--in-flight"],
            "description": "probes of one trace awaiting replies at once",
        },
    )
    names = fields.Boolean(
        load_default=False,
        metadata={
            "description": "look up hop names by reverse DNS through the "
            "configured resolver",
        },
    )


TARGETS_PROVIDED_FOR = 1024
"""The default deadline leaves room to pace this many targets' probes."""


def default_deadline(options: dict[str, Any]) -> float:
    """A safety net, not a duration: a trace ends by itself once its probes
    are answered or timed out. Room for one path's probes to time out in
    turns, for many targets' probes to leave at ``rate``, plus slack."""
    probes = options["max_ttl"] * options["queries"]
    rounds = -(-probes // options["in_flight"])
    pacing = TARGETS_PROVIDED_FOR * probes / options["rate"]
    return 30.0 + rounds * options["timeout"] + pacing

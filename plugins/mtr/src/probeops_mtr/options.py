"""The MTR diagnostic's options, validated the same way for CLI and API."""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from probeops.hopprobe.options import PathOptions, protocol_field
from probeops.options import between


class MtrOptions(PathOptions):
    """Options of one MTR run; the same for every target in it."""

    protocol = protocol_field("icmp")
    cycles = fields.Integer(
        load_default=10,
        validate=between(1, 100_000),
        metadata={"flags": ["-c", "--cycles"], "description": "probes per hop"},
    )
    interval = fields.Float(
        load_default=1.0,
        validate=between(0.01, 3600),
        metadata={
            "flags": ["-i", "--interval"],
            "description": "seconds between the starts of two cycles",
        },
    )


TARGETS_PROVIDED_FOR = 1024
"""The default deadline leaves room to pace this many targets' probes."""


def default_deadline(options: dict[str, Any]) -> float:
    """Every cycle, the last one's replies, room for many targets' probes to
    leave at ``rate``, and slack; a run ends by itself before that."""
    cycles, hops = options["cycles"], options["max_ttl"]
    pacing = cycles * TARGETS_PROVIDED_FOR * hops / options["rate"]
    return cycles * options["interval"] + options["timeout"] + pacing + 10.0

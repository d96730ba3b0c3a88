"""Options every path diagnostic shares, as a base options schema."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from probeops.hopprobe.probes import PROTOCOLS
from probeops.options import between, deadline_field, family_field

DEFAULT_PORT = {"udp": 33434, "tcp": 80, "icmp": 0}
SMALLEST_PROBE, LARGEST_PROBE = 50, 9000
"""Every probe fits IPv6, transport header and two steering bytes."""


def _ttl(default: int, flags: list[str], description: str) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=between(1, 255),
        metadata={"flags": flags, "description": description},
    )


def protocol_field(default: str) -> fields.String:
    """The probe protocol option, with ``-I``/``-U``/``-T`` switches."""
    return fields.String(
        load_default=default,
        validate=validate.OneOf(
            PROTOCOLS, error="must be one of {choices}, got {input!r}"
        ),
        metadata={
            "flags": ["-P", "--protocol"],
            "switches": {"-I": "icmp", "-U": "udp", "-T": "tcp"},
            "description": "probe protocol",
        },
    )


class PathOptions(Schema):
    """Protocol, ports, sizes, TTL range and pacing of path probes."""

    protocol = protocol_field("udp")
    port = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=between(1, 65535),
        metadata={
            "flags": ["-p", "--port"],
            "description": "destination port (UDP 33434, TCP 80 when not given)",
        },
    )
    size = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=between(SMALLEST_PROBE, LARGEST_PROBE),
        metadata={
            "flags": ["-s", "--size"],
            "description": "bytes per probe including the IP header "
            "(60 for IPv4, 80 for IPv6 when not given; TCP probes are bare SYNs)",
        },
    )
    first_ttl = _ttl(1, ["-f", "--first-ttl"], "TTL of the first hop probed")
    max_ttl = _ttl(30, ["-m", "--max-ttl"], "largest TTL probed")
    timeout = fields.Float(
        load_default=3.0,
        validate=between(0.001, 60),
        metadata={
            "flags": ["-W", "--timeout"],
            "description": "seconds to wait for each probe's reply",
        },
    )
    rate = fields.Float(
        load_default=1000.0,
        validate=between(1, 1_000_000),
        metadata={"description": "probes per second over all targets"},
    )
    paris = fields.Boolean(
        load_default=True,
        metadata={
            "description": "keep one flow identifier for every probe "
            "(--no-paris varies it like classic traceroute)",
        },
    )
    deadline = deadline_field()
    family = family_field()

    @validates_schema
    def _ttl_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        first, largest = data.get("first_ttl"), data.get("max_ttl")
        if first is not None and largest is not None and first > largest:
            raise ValidationError(
                f"must not exceed max_ttl ({largest}), got {first}", "first_ttl"
            )


def destination_port(options: dict[str, Any]) -> int:
    """The port probes go to: the option, or the protocol's usual one."""
    return options.get("port") or DEFAULT_PORT[options["protocol"]]

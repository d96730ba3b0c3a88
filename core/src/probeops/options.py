"""Option fields that mean the same in every diagnostic.

``family`` and ``deadline`` are read by the engine itself (to resolve
hostnames and to bound the run), so diagnostics declare them through these
helpers rather than each its own way.
"""

from __future__ import annotations

from marshmallow import fields, validate

RANGE_MESSAGE = "must be between {min} and {max}, got {input}"


def between(low: float, high: float) -> validate.Range:
    """A range check whose message names the bad value and the bounds."""
    return validate.Range(min=low, max=high, error=RANGE_MESSAGE)


def family_field() -> fields.Integer:
    """The ``family`` option: 4, 6 or either, with ``-4``/``-6`` switches."""
    return fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([4, 6], error="must be 4 or 6, got {input}"),
        metadata={
            "switches": {"-4": 4, "-6": 6},
            "switches_only": True,
            "description": "address family for hostname targets",
        },
    )


def deadline_field(flags: list[str] | None = None) -> fields.Float:
    """The ``deadline`` option: seconds after which the whole run stops."""
    metadata: dict = {"description": "seconds after which the whole run stops"}
    if flags:
        metadata["flags"] = flags
    return fields.Float(
        load_default=None,
        allow_none=True,
        validate=between(0.001, 86_400),
        metadata=metadata,
    )

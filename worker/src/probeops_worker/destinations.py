"""Server addresses that a diagnostic's options send packets to.

Some diagnostics take servers as options as well as targets: the dns
diagnostic's ``server`` and ``root_hints``. Such a field carries
``metadata={"destinations": True}`` and holds ``ADDR``, ``ADDR:PORT`` or
``[V6]:PORT`` texts. A shared platform accepts only IP literals there, so
that no name can resolve differently later, and every address must pass the
target policy: at the API when a measurement is accepted, and again on the
worker before it measures.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from probeops.diagnostic import Diagnostic
from probeops.errors import InvalidOptions
from probeops.policy import ForbiddenAddress, TargetPolicy

FORMS = "ADDR, ADDR:PORT or [V6]:PORT"


def destination_fields(diagnostic: Diagnostic) -> list[str]:
    """Names of the options whose values are server addresses."""
    fields = diagnostic.options_schema().fields
    return [
        name for name, field in fields.items() if field.metadata.get("destinations")
    ]


def check_destinations(
    diagnostic: Diagnostic, options: Mapping[str, Any], policy: TargetPolicy
) -> None:
    """Raise unless every server address in ``options`` passes ``policy``."""
    for name in destination_fields(diagnostic):
        for text in options.get(name) or ():
            _check(policy, name, text)


def _check(policy: TargetPolicy, name: str, text: str) -> None:
    address = destination_address(name, text)
    try:
        policy.check(address)
    except ForbiddenAddress as error:
        rule = f"{error.rule}; given as a server in options.{name}"
        raise ForbiddenAddress(error.address, rule) from None


def destination_address(name: str, text: str) -> str:
    """The IP literal of ``ADDR[:PORT]`` text; ``InvalidOptions`` otherwise."""
    host = text
    if text.startswith("["):
        host = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        host = text.partition(":")[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        message = f"{text!r} is not an IP address: write {FORMS} (names are refused)"
        raise InvalidOptions({name: [message]}) from None
    return host

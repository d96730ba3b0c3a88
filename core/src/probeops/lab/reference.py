"""Reading what reference tools print, to compare the lab with them.

Tests run ``traceroute`` and ``fping`` inside a lab and check what they saw
against what the lab was built to show; these are the parsers they share.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

HOP_LINE = re.compile(r"^\s*(\d+)\s+(.*)$")
FPING_LINE = re.compile(r"^\s*(\S+)\s*:\s*xmt/rcv/%loss = (\d+)/(\d+)/")


@dataclass(frozen=True)
class TracedHop:
    """One line of ``traceroute -n`` output."""

    distance: int
    replies: tuple[str | None, ...]
    """The address that answered each probe; ``None`` for a ``*``."""
    marks: tuple[str, ...] = ()
    """Annotations such as ``!H``, ``!N`` or ``!X``."""

    @property
    def addresses(self) -> set[str]:
        return {reply for reply in self.replies if reply is not None}


def traceroute_hops(output: str) -> list[TracedHop]:
    """Parse ``traceroute -n`` output into one :class:`TracedHop` per line."""
    hops = []
    for line in output.splitlines():
        found = HOP_LINE.match(line)
        if found:
            hops.append(_hop(int(found.group(1)), found.group(2).split()))
    return hops


def _hop(distance: int, tokens: list[str]) -> TracedHop:
    replies: list[str | None] = []
    marks: list[str] = []
    address = None
    for token in tokens:
        if token == "*":
            replies.append(None)
        elif token.startswith("!"):
            marks.append(token)
        elif _is_address(token):
            address = token
        elif token != "ms":
            replies.append(address)
    return TracedHop(distance, tuple(replies), tuple(marks))


def fping_loss(output: str) -> dict[str, float]:
    """Per target, the share of echo requests lost, from ``fping -c -q``."""
    losses = {}
    for line in output.splitlines():
        found = FPING_LINE.match(line)
        if found:
            sent, received = int(found.group(2)), int(found.group(3))
            losses[found.group(1)] = 1 - received / sent if sent else 1.0
    return losses


def _is_address(token: str) -> bool:
    try:
        ipaddress.ip_address(token)
    except ValueError:
        return False
    return True

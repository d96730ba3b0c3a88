"""Target parsing: one strict grammar for every diagnostic.

A target is an IPv4 literal in four decimal octets, an IPv6 literal, or an
ASCII hostname (an internationalised name is converted to punycode). The
historical shorthand forms that ``inet_aton`` accepts (``127.1``,
``0x7f.1``, ``2130706433``, ``0177.0.0.1``) are refused: they mean
different addresses to different tools.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, replace

from probeops.errors import InvalidTarget

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


@dataclass(frozen=True)
class Target:
    """A target as given, and once resolved, the address measured."""

    given: str
    host: str
    """The IP literal in canonical form, or the ASCII hostname."""

    is_literal: bool
    address: str | None = None
    family: int | None = None

    def resolved(self, address: str) -> Target:
        """Return a copy pinned to ``address``."""
        return replace(self, address=address, family=ip_family(address))


def ip_family(address: str) -> int:
    """Return 4 or 6 for an IP address text."""
    return 6 if ":" in address else 4


def parse_target(text: str) -> Target:
    """Parse one target, raising ``InvalidTarget`` that names the value."""
    _reject_unprintable(text)
    literal = _ip_literal(text)
    if literal is not None:
        return Target(given=text, host=literal, is_literal=True)
    return Target(given=text, host=_hostname(text), is_literal=False)


def parse_name(text: str) -> Target:
    """Parse a DNS name to ask about, which may be the root or a wildcard.

    Diagnostics that query names rather than reach hosts take these: ``.``,
    ``*.example.com`` and ``_sip._tcp.example.com`` are all fine, and an IP
    literal stays a literal (a reverse lookup).
    """
    _reject_unprintable(text)
    if text == ".":
        return Target(given=text, host=".", is_literal=False)
    literal = _ip_literal(text)
    if literal is not None:
        return Target(given=text, host=literal, is_literal=True)
    name = text[:-1] if text.endswith(".") else text
    wildcard = name.startswith("*.")
    rest = _hostname_labels(text, name[2:] if wildcard else name)
    return Target(given=text, host=f"*.{rest}" if wildcard else rest, is_literal=False)


def _reject_unprintable(text: str) -> None:
    if not text:
        raise InvalidTarget("empty target: give an IP address or a hostname")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidTarget(
            f"target {_shown(text)} contains whitespace or control characters"
        )
    if "/" in text:
        raise InvalidTarget(
            f"target {_shown(text)}: give a host name or an address, "
            "not a URL or a prefix"
        )


def _shown(text: str) -> str:
    """The value for an error message, cut short when it is very long."""
    return repr(text) if len(text) <= 80 else f"{text[:60]!r}... ({len(text)} chars)"


def _ip_literal(text: str) -> str | None:
    """Return the canonical IP text, or ``None`` when it is not a literal."""
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if ":" in candidate:
        return _ipv6_literal(text, candidate)
    if candidate == "0.0.0.0":
        raise InvalidTarget("target '0.0.0.0' is the unspecified address, not a host")
    try:
        # glibc's inet_pton takes exactly four decimal octets without leading
        # zeros, the one IPv4 form every tool reads alike.
        socket.inet_pton(socket.AF_INET, candidate)
    except OSError:
        return None
    return candidate


def _ipv6_literal(text: str, candidate: str) -> str:
    address, percent, scope = candidate.partition("%")
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        if candidate.count(":") == 1:
            raise InvalidTarget(
                f"target {_shown(text)}: targets take no port; give the host alone"
            ) from None
        raise InvalidTarget(
            f"target {_shown(text)} is not a valid IPv6 address"
        ) from None
    _reject_ipv4_in_disguise(text, parsed)
    if percent:
        return f"{parsed.compressed}%{_checked_scope(text, scope)}"
    if parsed.is_link_local:
        raise InvalidTarget(
            f"target {_shown(text)} is link-local and needs an interface, "
            "e.g. fe80::1%eth0"
        )
    return parsed.compressed


def _reject_ipv4_in_disguise(text: str, parsed: ipaddress.IPv6Address) -> None:
    """Refuse IPv6 forms that stand for an IPv4 address, and ``::``."""
    if parsed.is_unspecified:
        raise InvalidTarget(f"target {_shown(text)} is the unspecified address")
    embedded = ipaddress.IPv4Address(int(parsed) & 0xFFFFFFFF)
    if parsed.ipv4_mapped is not None:
        kind = "an IPv4-mapped"
    elif int(parsed) >> 32 == 0 and int(parsed) > 1:
        kind = "a deprecated IPv4-compatible"
    else:
        return
    raise InvalidTarget(
        f"target {_shown(text)} is {kind} IPv6 address; "
        f"give the IPv4 address {embedded} itself"
    )


def _checked_scope(text: str, scope: str) -> str:
    """The zone of a scoped address must name an interface of this host."""
    try:
        if scope.isdigit():
            socket.if_indextoname(int(scope))
        else:
            socket.if_nametoindex(scope)
    except (OSError, ValueError, OverflowError):
        names = ", ".join(name for _, name in socket.if_nameindex())
        raise InvalidTarget(
            f"target {_shown(text)}: {scope!r} is not an interface here; "
            f"interfaces: {names}"
        ) from None
    return scope


def _hostname(text: str) -> str:
    name = text[:-1] if text.endswith(".") else text
    ascii_name = _to_ascii(text, name)
    if all(_NUMERIC_LABEL.match(label) for label in ascii_name.split(".")):
        raise InvalidTarget(
            f"target {_shown(text)} is not a valid IPv4 address: "
            "write four decimal octets without leading zeros, e.g. 127.0.0.1"
        )
    checked = _hostname_labels(text, name)
    if checked.rsplit(".", 1)[-1].isdigit():
        raise InvalidTarget(
            f"target {_shown(text)}: the last label cannot be all digits"
        )
    return checked


def _hostname_labels(text: str, name: str) -> str:
    """Check length and label syntax; return the ASCII form of ``name``."""
    ascii_name = _to_ascii(text, name)
    labels = ascii_name.split(".")
    if len(ascii_name) > MAX_NAME_LENGTH:
        raise InvalidTarget(
            f"target {_shown(text)} is {len(ascii_name)} characters long; "
            f"a hostname has at most {MAX_NAME_LENGTH}"
        )
    for label in labels:
        _check_label(text, label)
    return ascii_name


def _check_label(text: str, label: str) -> None:
    if not label:
        raise InvalidTarget(f"target {_shown(text)} has an empty label")
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidTarget(
            f"target {_shown(text)} has a label of {len(label)} characters; "
            f"the limit is {MAX_LABEL_LENGTH}"
        )
    if not _LABEL.match(label):
        raise InvalidTarget(
            f"target {_shown(text)}: label {label!r} may hold only letters, digits, "
            "'-' and '_', and cannot start or end with '-'"
        )


def _to_ascii(text: str, name: str) -> str:
    """Lower-case the name and convert any non-ASCII label to punycode."""
    if name.isascii():
        return name.lower()
    import idna

    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidTarget(
            f"target {_shown(text)} is not a valid internationalised name: {error}"
        ) from None

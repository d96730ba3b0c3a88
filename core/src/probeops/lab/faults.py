"""Fault knobs as nftables rule text, one table per address family.

Each knob renders rules for a node's ``probeops_faults`` tables; nothing here
touches the system. Rules only add up; removing the tables clears them all.
"""

from __future__ import annotations

import ipaddress

from probeops.lab.errors import InvalidLab

TABLE = "probeops_faults"
TABLE_FAMILIES = {4: "ip", 6: "ip6"}
ICMP = {4: "icmp", 6: "icmpv6"}
CHAINS = {
    "prerouting": "type filter hook prerouting priority raw;",
    "input": "type filter hook input priority filter;",
    "forward": "type filter hook forward priority filter;",
    "output": "type filter hook output priority filter;",
}
ICMP_ERRORS = {
    4: "destination-unreachable, time-exceeded, parameter-problem",
    6: "destination-unreachable, packet-too-big, time-exceeded, parameter-problem",
}
NEIGHBOUR_DISCOVERY = (
    "nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert"
)
REJECT_CODES = {
    "net-unreachable": {4: "net-unreachable", 6: "no-route"},
    "host-unreachable": {4: "host-unreachable", 6: "addr-unreachable"},
    "port-unreachable": {4: "port-unreachable", 6: "port-unreachable"},
    "admin-prohibited": {4: "admin-prohibited", 6: "admin-prohibited"},
    "no-route": {4: "net-unreachable", 6: "no-route"},
    "addr-unreachable": {4: "host-unreachable", 6: "addr-unreachable"},
}

Rule = tuple[int, str, str]
"""``(family, chain, rule text)``."""


def ruleset(rules: list[Rule]) -> str:
    """The ``nft -f`` text that declares the tables and adds ``rules``."""
    lines = [_table(family) for family in TABLE_FAMILIES]
    for family, chain, text in rules:
        lines.append(f"add rule {TABLE_FAMILIES[family]} {TABLE} {chain} {text}")
    return "\n".join(lines) + "\n"


def removal() -> str:
    """The ``nft -f`` text that removes every fault table, present or not."""
    lines = []
    for family in TABLE_FAMILIES.values():
        lines += [f"table {family} {TABLE}", f"delete table {family} {TABLE}"]
    return "\n".join(lines) + "\n"


def _table(family: int) -> str:
    chains = "".join(f"  chain {name} {{ {hook} }}\n" for name, hook in CHAINS.items())
    return f"table {TABLE_FAMILIES[family]} {TABLE} {{\n{chains}}}"


def silence() -> list[Rule]:
    """Drop the node's own ICMP time-exceeded messages."""
    return [(f, "output", f"{ICMP[f]} type time-exceeded drop") for f in (4, 6)]


def rate_limit(per_second: int, burst: int) -> list[Rule]:
    """Drop the node's own ICMP errors beyond a token bucket."""
    _check_range("per_second", per_second, 1, 1_000_000)
    _check_range("burst", burst, 1, 1_000_000)
    limit = f"limit rate over {per_second}/second burst {burst} packets drop"
    return [
        (f, "output", f"{ICMP[f]} type {{ {ICMP_ERRORS[f]} }} {limit}") for f in (4, 6)
    ]


def loss(percent: float) -> list[Rule]:
    """Drop a random share of the packets arriving at the node."""
    _check_range("percent", percent, 0, 100)
    basis_points = round(percent * 100)
    # numgen yields 0-9999 and nft refuses a comparison with 10000 itself.
    drop = (
        "drop"
        if basis_points >= 10_000
        else f"numgen random mod 10000 < {basis_points} drop"
    )
    keep_discovery = f"icmpv6 type {{ {NEIGHBOUR_DISCOVERY} }} accept"
    return [
        (4, "prerouting", drop),
        (6, "prerouting", keep_discovery),
        (6, "prerouting", drop),
    ]


def reject(address: str, code: str) -> list[Rule]:
    """Answer packets for ``address`` with an ICMP unreachable of ``code``."""
    family = address_family(address)
    if code not in REJECT_CODES:
        allowed = ", ".join(REJECT_CODES)
        raise InvalidLab(f"unknown reject code {code!r}; allowed: {allowed}")
    match = f"{_ip(family)} daddr {address}"
    verdict = f"reject with {ICMP[family]} type {REJECT_CODES[code][family]}"
    return [(family, chain, f"{match} {verdict}") for chain in ("forward", "input")]


def duplicate_replies(gateways: dict[int, tuple[str, str]]) -> list[Rule]:
    """Send every echo reply twice, the copy straight to the given gateway."""
    rules = []
    for family, (gateway, device) in gateways.items():
        copy = f'dup to {gateway} device "{device}"'
        rules.append((family, "output", f"{ICMP[family]} type echo-reply {copy}"))
    return rules


def rewrite_reply_source(target: str, new_source: str) -> list[Rule]:
    """Give echo replies from ``target`` another source address, statelessly."""
    family = address_family(target)
    if address_family(new_source) != family:
        raise InvalidLab(
            f"new source {new_source!r} is not of the same family as {target!r}"
        )
    ip = _ip(family)
    match = f"{ip} saddr {target} {ICMP[family]} type echo-reply"
    return [(family, "prerouting", f"{match} notrack {ip} saddr set {new_source}")]


def address_family(address: str) -> int:
    """4 or 6 for an IP address; :class:`InvalidLab` for anything else."""
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        raise InvalidLab(f"{address!r} is not an IPv4 or IPv6 address") from None


def _ip(family: int) -> str:
    return "ip" if family == 4 else "ip6"


def _check_range(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidLab(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise InvalidLab(f"{name} must be between {low} and {high}, got {value}")

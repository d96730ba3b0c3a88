"""The target policy: which addresses a shared deployment may measure.

Every address that is not plainly a public unicast address is refused by
default: loopback, private, link-local, CGNAT, multicast, reserved and
documentation ranges and cloud metadata endpoints. An IPv4 address hidden
inside an IPv6 form (IPv4-mapped, IPv4-compatible, 6to4, NAT64) is judged as
the IPv4 address it stands for. A deployment opens ranges on purpose with an
allowlist of CIDRs, matched against the address exactly as given.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from probeops.errors import TargetForbidden

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForbiddenAddress(TargetForbidden):
    """The address lies in a range this deployment does not measure."""

    def __init__(self, address: str, rule: str, hint: str = "") -> None:
        self.address = address
        self.rule = rule
        super().__init__(
            f"target address {address} is refused by the target policy: {rule}{hint}"
        )


def _networks(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# Checked in order: the first rule that matches names the refusal, so the
# narrow ranges (metadata) come before the wide ones (link-local).
IPV4_RULES: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = (
    (
        "cloud metadata",
        _networks("169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32"),
    ),
    ("this network", _networks("0.0.0.0/8")),
    ("loopback", _networks("127.0.0.0/8")),
    ("private", _networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
    ("CGNAT shared address space", _networks("100.64.0.0/10")),
    ("link-local", _networks("169.254.0.0/16")),
    ("documentation", _networks("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")),
    ("benchmarking", _networks("198.18.0.0/15")),
    ("IETF protocol assignments", _networks("192.0.0.0/24")),
    ("deprecated 6to4 relay anycast", _networks("192.88.99.0/24")),
    ("multicast", _networks("224.0.0.0/4")),
    ("reserved", _networks("240.0.0.0/4")),
)

IPV6_RULES: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = (
    ("cloud metadata", _networks("fd00:ec2::254/128")),
    ("unspecified", _networks("::/128")),
    ("loopback", _networks("::1/128")),
    ("private (unique local)", _networks("fc00::/7")),
    ("private (local-use NAT64)", _networks("64:ff9b:1::/48")),
    ("link-local", _networks("fe80::/10")),
    ("deprecated site-local", _networks("fec0::/10")),
    ("multicast", _networks("ff00::/8")),
    ("documentation", _networks("2001:db8::/32", "3fff::/20")),
    (
        "IETF protocol assignments (Teredo, benchmarking, ORCHID)",
        _networks("2001::/23"),
    ),
    ("discard-only", _networks("100::/64")),
    ("deprecated IPv4-compatible", _networks("::/96")),
)

GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(
    address: ipaddress.IPv6Address,
) -> tuple[str, ipaddress.IPv4Address] | None:
    """Return the form's name and the IPv4 address an IPv6 address stands for."""
    for form, extract in _EMBEDDINGS:
        inner = extract(address)
        if inner is not None:
            return form, inner
    return None


def _mapped(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return address.ipv4_mapped


def _sixtofour(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return address.sixtofour


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _compatible(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


_EMBEDDINGS: tuple[
    tuple[str, Callable[[ipaddress.IPv6Address], ipaddress.IPv4Address | None]], ...
] = (
    ("IPv4-mapped", _mapped),
    ("6to4", _sixtofour),
    ("NAT64", _nat64),
    ("IPv4-compatible", _compatible),
)


@dataclass(frozen=True)
class TargetPolicy:
    """Refuses non-public addresses unless an allowlisted CIDR opens them."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> TargetPolicy:
        """Build a policy, raising ``ValueError`` naming a bad CIDR."""
        networks = []
        for cidr in cidrs:
            try:
                networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{cidr.strip()!r} is not a CIDR") from None
        return cls(tuple(networks))

    def check(self, address: str) -> None:
        """Raise ``ForbiddenAddress`` naming the rule when ``address`` is refused."""
        parsed = _parse(address)
        if any(parsed in network for network in self.allow):
            return
        rule = refusal_rule(parsed)
        if rule is not None:
            raise ForbiddenAddress(address, rule, self._hint())

    def check_all(self, addresses: Iterable[str]) -> None:
        """Check every address; the first refusal is raised."""
        for address in addresses:
            self.check(address)

    def _hint(self) -> str:
        if not self.allow:
            return " (no ranges are allowlisted)"
        opened = ", ".join(str(network) for network in self.allow)
        return f" (allowlisted: {opened})"


def refusal_rule(address: IPAddress) -> str | None:
    """Name the rule that refuses ``address``, or ``None`` for a public one."""
    if address.version == 4:
        return _match(address, IPV4_RULES)
    embedded = embedded_ipv4(address)
    if embedded is not None:
        form, inner = embedded
        rule = _match(inner, IPV4_RULES)
        if rule is not None:
            return f"{rule} ({inner} hidden in {form} form)"
    rule = _match(address, IPV6_RULES)
    if rule is None and address not in GLOBAL_UNICAST and embedded is None:
        return "reserved (outside global unicast 2000::/3)"
    return rule


def _match(
    address: IPAddress, rules: tuple[tuple[str, tuple[IPNetwork, ...]], ...]
) -> str | None:
    for rule, networks in rules:
        if any(address in network for network in networks):
            return rule
    return None


def _parse(address: str) -> IPAddress:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise ForbiddenAddress(address, "not an IP address") from None

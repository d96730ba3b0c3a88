"""Which DNS servers a query goes to, and how server values are written."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from probeops.errors import InvalidTarget, ResolveError
from probeops.resolver import RESOLVER, NameServer
from probeops.targets import parse_target

SERVER_FORMS = "ADDR, ADDR:PORT, [V6]:PORT or a host name"
HINT_FORMS = "ADDR, ADDR:PORT or [V6]:PORT, e.g. 127.53.1.1:53"


@dataclass
class Servers:
    """The servers to ask, and the server names that had no address."""

    usable: list[NameServer]
    unresolved: list[str] = field(default_factory=list)


def configured_servers() -> list[NameServer]:
    """The servers of ``PROBEOPS_RESOLVER``; ``system`` reads resolv.conf."""
    servers = RESOLVER.read()
    if servers is not None:
        return list(servers)
    return _resolv_conf_servers()


def _resolv_conf_servers() -> list[NameServer]:
    import dns.resolver

    from probeops_dns.errors import NoNameServer

    try:
        system = dns.resolver.Resolver(configure=True)
    except dns.resolver.NoResolverConfiguration:
        raise NoNameServer(
            "no DNS server: /etc/resolv.conf names none and PROBEOPS_RESOLVER "
            "is 'system'; give --server or set PROBEOPS_RESOLVER"
        ) from None
    return [NameServer(str(address), 53) for address in system.nameservers]


def chosen_servers(texts: list[str] | None, port: int) -> Servers:
    """Parse ``--server`` values; names resolve through the configured servers."""
    if not texts:
        return Servers(configured_servers())
    chosen = Servers([])
    for text in texts:
        host, port_given = split_server(text)
        try:
            chosen.usable.extend(_addresses(host, port_given or port))
        except ResolveError as error:
            chosen.unresolved.append(f"server {text!r}: {error}")
    return chosen


def _addresses(host: str, port: int) -> list[NameServer]:
    target = parse_target(host)
    if target.is_literal:
        return [NameServer(target.host, port)]
    from probeops_dns.resolve import resolve_host

    addresses = resolve_host(host, None)
    if not addresses:
        raise ResolveError(f"{host!r} has no A or AAAA records")
    return [NameServer(address, port) for address in addresses]


def root_hint(text: str, default_port: int = 53) -> NameServer:
    """Parse one ``--root-hint``: an address, with or without a port."""
    host, port = split_server(text)
    target = parse_target(host)
    if not target.is_literal:
        raise ValueError(f"{host!r} is not an IP address")
    return NameServer(target.host, port or default_port)


def split_server(text: str) -> tuple[str, int | None]:
    """Split ``ADDR``, ``ADDR:PORT``, ``[V6]:PORT`` or a host name.

    Raises ``ValueError`` with the reason when ``text`` is none of these.
    """
    host, port_text = _split_port(text)
    if not host:
        raise ValueError("the address is empty")
    try:
        target = parse_target(host)
    except InvalidTarget as error:
        raise ValueError(str(error).removeprefix("target ")) from None
    if target.is_literal:
        _check_scope(target.host)
    return host, _port(port_text)


def _split_port(text: str) -> tuple[str, str | None]:
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError("the '[' is not closed")
        if ":" not in host:
            raise ValueError("brackets hold IPv6 addresses only")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{rest!r} after ']' is not ':PORT'")
        return host, rest[1:] if rest else None
    if text.count(":") == 1:
        host, port_text = text.split(":")
        return host, port_text
    return text, None


def _port(port_text: str | None) -> int | None:
    if port_text is None:
        return None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"port {port_text!r} must be between 1 and 65535")
    return int(port_text)


def _check_scope(address: str) -> None:
    plain, percent, _ = address.partition("%")
    if percent and not ipaddress.IPv6Address(plain).is_link_local:
        raise ValueError("an interface (%...) belongs only to fe80:: addresses")

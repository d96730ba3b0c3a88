"""Which DNS servers a query goes to."""

from __future__ import annotations

import ipaddress

from probeops.errors import BadInput
from probeops.resolver import RESOLVER, NameServer

SERVER_FORMS = "ADDR, ADDR:PORT, [V6]:PORT or a host name"


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


def chosen_servers(texts: list[str] | None, port: int) -> list[NameServer]:
    """Parse ``--server`` values; names resolve through the configured servers."""
    if not texts:
        return configured_servers()
    servers: list[NameServer] = []
    for text in texts:
        servers.extend(_server(text, port))
    return servers


def _server(text: str, default_port: int) -> list[NameServer]:
    host, port = _split_port(text, default_port)
    try:
        ipaddress.ip_address(host)
        return [NameServer(host, port)]
    except ValueError:
        pass
    from probeops_dns.resolve import resolve_host

    addresses = resolve_host(host, None)
    if not addresses:
        raise BadInput(f"server {text!r} has no address")
    return [NameServer(address, port) for address in addresses]


def _split_port(text: str, default_port: int) -> tuple[str, int]:
    host, port_text = text, ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise BadInput(
            f"server {text!r}: port {port_text!r} must be between 1 and 65535; "
            f"write {SERVER_FORMS}"
        )
    return host, int(port_text)

"""Reverse DNS for hop addresses, through the configured resolver."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable

from probeops.resolver import RESOLVER, RESOLVER_TIMEOUT, NameServer, dns_resolver

log = logging.getLogger(__name__)


def hop_names(addresses: Iterable[str]) -> dict[str, str]:
    """Map each address that has a PTR name to that name."""
    servers = RESOLVER.read()
    names = {}
    for address in dict.fromkeys(addresses):
        name = _lookup(address, servers)
        if name:
            names[address] = name
    return names


def _lookup(address: str, servers: tuple[NameServer, ...] | None) -> str | None:
    if servers is None:
        try:
            return socket.gethostbyaddr(address)[0]
        except OSError:
            return None
    return _ask(address, servers, RESOLVER_TIMEOUT.read())


def _ask(address: str, servers: tuple[NameServer, ...], timeout: float) -> str | None:
    import dns.exception
    import dns.reversename

    resolver = dns_resolver(servers, timeout)
    try:
        answer = resolver.resolve(dns.reversename.from_address(address), "PTR")
    except dns.exception.DNSException as error:
        log.debug("no name for %s: %s", address, error)
        return None
    return answer[0].target.to_text(omit_final_dot=True)

"""The resolver hostname targets go through, unless a plugin answers first.

``PROBEOPS_RESOLVER`` is ``system`` (the host's ``getaddrinfo``) or a list of
name servers, ``ADDR[:PORT]`` with IPv6 in brackets, queried directly with
dnspython. Tests always name a server they run.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from probeops.errors import ResolveError
from probeops.hooks import hookimpl
from probeops.settings import parse_seconds, setting


@dataclass(frozen=True)
class NameServer:
    """A DNS server address and port."""

    address: str
    port: int = 53

    @classmethod
    def from_text(cls, text: str) -> NameServer:
        """Parse ``ADDR``, ``ADDR:PORT`` or ``[V6]:PORT``."""
        host, port = text, "53"
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = rest.removeprefix(":") or "53"
        elif text.count(":") == 1:
            host, port = text.split(":")
        ipaddress.ip_address(host)
        number = int(port)
        if not 0 < number < 65536:
            raise ValueError(f"port {number} is outside 1-65535")
        return cls(host, number)


def parse_resolver(raw: str) -> tuple[NameServer, ...] | None:
    if raw == "system":
        return None
    return tuple(NameServer.from_text(part.strip()) for part in raw.split(","))


RESOLVER = setting(
    "PROBEOPS_RESOLVER",
    "system",
    parse_resolver,
    "Where hostname targets are resolved: the host's resolver or DNS servers.",
    "'system' or ADDR[:PORT] list, e.g. 127.0.0.1:5353,[::1]:53",
)

RESOLVER_TIMEOUT = setting(
    "PROBEOPS_RESOLVER_TIMEOUT",
    "5",
    parse_seconds,
    "Seconds to wait for the resolver before a hostname target fails.",
    "a positive number of seconds",
)


def resolve(hostname: str, family: int | None) -> list[str]:
    """Resolve through the configured resolver, preferred address first."""
    servers = RESOLVER.read()
    if servers is None:
        return _system_resolve(hostname, family)
    return _dns_resolve(hostname, family, servers, RESOLVER_TIMEOUT.read())


def _system_resolve(hostname: str, family: int | None) -> list[str]:
    wanted = {4: socket.AF_INET, 6: socket.AF_INET6}.get(family, socket.AF_UNSPEC)
    try:
        infos = socket.getaddrinfo(hostname, None, wanted, socket.SOCK_RAW)
    except socket.gaierror as error:
        raise ResolveError(f"cannot resolve {hostname!r}: {error.strerror}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def dns_resolver(servers: tuple[NameServer, ...], timeout: float):
    """A dnspython resolver asking exactly ``servers``, nothing from the host."""
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.address for server in servers]
    resolver.nameserver_ports = {server.address: server.port for server in servers}
    resolver.lifetime = timeout
    return resolver


def _dns_resolve(
    hostname: str, family: int | None, servers: tuple[NameServer, ...], timeout: float
) -> list[str]:
    import dns.exception
    import dns.resolver

    resolver = dns_resolver(servers, timeout)
    types = {4: ["A"], 6: ["AAAA"]}.get(family, ["A", "AAAA"])
    addresses: list[str] = []
    for rdtype in types:
        try:
            answer = resolver.resolve(hostname + ".", rdtype, search=False)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN) as error:
            if isinstance(error, dns.resolver.NXDOMAIN):
                raise ResolveError(f"{hostname!r} does not exist (NXDOMAIN)") from None
            continue
        except dns.exception.DNSException as error:
            raise ResolveError(f"cannot resolve {hostname!r}: {error}") from None
        addresses.extend(record.address for record in answer)
    return addresses


@hookimpl(trylast=True)
def probeops_resolve_host(hostname: str, family: int | None) -> list[str]:
    return resolve(hostname, family)

"""The DNS plugin's ``PROBEOPS_DNS_*`` settings."""

from __future__ import annotations

from probeops.resolver import NameServer
from probeops.settings import setting

IANA_ROOT_HINTS = (
    "198.41.0.4,170.247.170.2,192.33.4.12,199.7.91.13,192.203.230.10,"
    "192.5.5.241,192.112.36.4,198.97.190.53,192.36.148.17,192.58.128.30,"
    "193.0.14.129,199.7.83.42,202.12.27.33"
)

IANA_ROOT_ANCHOR = (
    ". DS 20326 8 2 "
    "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d; "
    ". DS 38696 8 2 "
    "683d2d0acb8c9b712a1948b27f741219298d0a450d612c483af444a4c0fb2b16"
)
"""The DS records of the IANA root KSKs of 2017 and 2024."""


def parse_servers(raw: str) -> tuple[NameServer, ...]:
    """Parse a comma-separated ``ADDR[:PORT]`` list."""
    return tuple(NameServer.from_text(part.strip()) for part in raw.split(","))


def parse_anchor(raw: str) -> str:
    """Check that ``raw`` holds DS or DNSKEY records of the root."""
    from probeops_dns.anchor import anchor_records

    anchor_records(raw)
    return raw


ROOT_HINTS = setting(
    "PROBEOPS_DNS_ROOT_HINTS",
    IANA_ROOT_HINTS,
    parse_servers,
    "Root servers a DNS trace starts from (the IANA root servers by default).",
    "ADDR[:PORT] list, e.g. 127.53.1.1:53",
)

TRUST_ANCHOR = setting(
    "PROBEOPS_DNS_TRUST_ANCHOR",
    IANA_ROOT_ANCHOR,
    parse_anchor,
    "DNSSEC trust anchor: DS or DNSKEY records of the root, ';' between two.",
    "master-file text such as '. DS 20326 8 2 e06d...'",
)

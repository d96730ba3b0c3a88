"""Host name resolution for every diagnostic, through the plugin's own code.

The same servers as the DNS diagnostic's default (``PROBEOPS_RESOLVER``)
answer; CNAME chains are followed within each answer.
"""

from __future__ import annotations

import time

from probeops.errors import ResolveError
from probeops.resolver import RESOLVER_TIMEOUT

RESOLVE_OPTIONS = {
    "qclass": "IN",
    "transport": "udp",
    "retries": 1,
    "recursion_desired": True,
    "dnssec_ok": False,
    "dnssec": False,
    "checking_disabled": False,
    "edns": True,
    "payload": 1232,
    "nsid": False,
}


def resolve_host(hostname: str, family: int | None) -> list[str]:
    """Return the addresses of ``hostname``, IPv4 first when either will do."""
    from probeops_dns.servers import configured_servers

    servers = configured_servers()
    types = {4: ["A"], 6: ["AAAA"]}.get(family, ["A", "AAAA"])
    addresses: list[str] = []
    for rdtype in types:
        addresses.extend(_addresses(hostname, rdtype, servers))
    return addresses


def _addresses(hostname: str, rdtype: str, servers) -> list[str]:
    from probeops_dns.message import Question, data_of
    from probeops_dns.outcome import classify
    from probeops_dns.query import ask

    timeout = RESOLVER_TIMEOUT.read()
    options = {**RESOLVE_OPTIONS, "type": rdtype, "timeout": timeout}
    question = Question.from_target(hostname.rstrip(".") + ".", False, options)
    asked = ask(question, servers, options, time.monotonic() + timeout)
    kind, error, _ = classify(asked, question)
    if kind == "nodata":
        return []
    if kind != "answer":
        raise ResolveError(f"cannot resolve {hostname!r}: {error}")
    return [record["rdata"] for record in data_of(asked.reply, question)]

"""Entry point of the DNS plugin: the ``dns`` diagnostic and name resolution."""

from __future__ import annotations

from probeops import Diagnostic, Outcome, Request, hookimpl

from probeops_dns.options import DnsOptions, default_deadline
from probeops_dns.render import render

VERSION = "0.1.0"


def run(request: Request) -> list[Outcome]:
    """Ask about every target; the target is the query name."""
    from probeops_dns.measure import measure_all, unresolved_server
    from probeops_dns.servers import chosen_servers

    options = request.options
    if options["dnssec"]:
        from probeops_dns.validate import trust_anchor

        trust_anchor(options)  # a bad PROBEOPS_DNS_TRUST_ANCHOR stops us here
    if options["trace"]:
        return measure_all(request.targets, options, [], request.deadline)
    servers = chosen_servers(options["server"], options["port"])
    if not servers.usable:
        return [
            unresolved_server(target, options, servers) for target in request.targets
        ]
    return measure_all(request.targets, options, servers.usable, request.deadline)


DNS = Diagnostic(
    name="dns",
    version=VERSION,
    summary="Ask DNS servers a question, trace it from the root, validate DNSSEC.",
    options_schema=DnsOptions,
    run=run,
    render=render,
    default_deadline=default_deadline,
    resolves_targets=False,
)


@hookimpl
def probeops_diagnostics() -> list[Diagnostic]:
    return [DNS]


@hookimpl
def probeops_resolve_host(hostname: str, family: int | None) -> list[str] | None:
    """Resolve other diagnostics' host names through this plugin's resolver.

    With ``PROBEOPS_RESOLVER=system`` the core's ``getaddrinfo`` answers
    instead, so that ``/etc/hosts`` and the host's name service order still
    apply to targets such as ``localhost``.
    """
    from probeops.resolver import RESOLVER

    if RESOLVER.read() is None:
        return None
    from probeops_dns.resolve import resolve_host

    return resolve_host(hostname, family)

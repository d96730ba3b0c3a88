"""Pinning targets before a measurement is accepted.

Each target is parsed strictly; a hostname is resolved once, here, and
every address it resolves to must pass the target policy. The worker then
measures the first address, never resolving the name again, so a DNS answer
that changes in between cannot smuggle in a forbidden address.

A diagnostic whose targets are query names (``resolves_targets`` false, such
as dns) gets them as given: a name is data there, so nothing is resolved and
the policy applies instead to the server addresses its options name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from probeops.diagnostic import Diagnostic
from probeops.errors import ResolveError
from probeops.plugins import Registry
from probeops.policy import ForbiddenAddress, TargetPolicy
from probeops.targets import parse_name, parse_target
from probeops_worker.destinations import check_destinations


@dataclass(frozen=True)
class PinnedTarget:
    """A target as given, the address to measure, or why there is none."""

    given: str
    address: str | None
    resolve_error: str | None = None


def pin_measurement(
    registry: Registry,
    policy: TargetPolicy,
    diagnostic: Diagnostic,
    texts: list[str],
    options: dict[str, Any],
) -> list[PinnedTarget]:
    """Check the options' servers, then pin targets or keep query names."""
    check_destinations(diagnostic, options, policy)
    if not diagnostic.resolves_targets:
        return name_targets(texts)
    return pin_targets(registry, policy, texts, options.get("family"))


def name_targets(texts: list[str]) -> list[PinnedTarget]:
    """Query names, parsed strictly and kept as given, with no address."""
    return [PinnedTarget(parse_name(text).given, None) for text in texts]


def pin_targets(
    registry: Registry, policy: TargetPolicy, texts: list[str], family: int | None
) -> list[PinnedTarget]:
    """Pin every target; raise on a bad or forbidden one, before any is kept."""
    parsed = [parse_target(text) for text in texts]
    return [_pin(registry, policy, target, family) for target in parsed]


def _pin(registry: Registry, policy: TargetPolicy, target, family: int | None):
    if target.is_literal:
        if family and target.resolved(target.host).family != family:
            return PinnedTarget(
                target.given, None, f"{target.given} is not an IPv{family} address"
            )
        policy.check(target.host)
        return PinnedTarget(target.given, target.host)
    try:
        addresses = registry.hook.probeops_resolve_host(
            hostname=target.host, family=family
        )
    except ResolveError as error:
        return PinnedTarget(target.given, None, str(error))
    if not addresses:
        wanted = f"IPv{family} " if family else ""
        return PinnedTarget(
            target.given, None, f"{target.given!r} has no {wanted}address"
        )
    try:
        policy.check_all(addresses)
    except ForbiddenAddress as error:
        rule = f"{error.rule}; {target.given} resolves to it"
        raise ForbiddenAddress(error.address, rule) from None
    return PinnedTarget(target.given, addresses[0])

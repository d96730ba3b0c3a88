"""Settings of the probe agent, read from ``PROBEOPS_*`` variables."""

from __future__ import annotations

from probeops.policy import TargetPolicy
from probeops.settings import setting


def _cidrs(raw: str) -> tuple[str, ...]:
    """The CIDRs of the value, each checked to be one."""
    if raw == "none":
        return ()
    cidrs = tuple(part.strip() for part in raw.split(",") if part.strip())
    TargetPolicy.from_cidrs(cidrs)
    return cidrs


ALLOWLIST = setting(
    "PROBEOPS_PROBE_ALLOWLIST",
    "none",
    _cidrs,
    "CIDRs the probe's target policy opens on purpose (loopback, lab or "
    "private ranges it should measure).",
    "'none' or comma separated CIDRs, e.g. 198.18.0.0/15,127.0.0.0/8",
)

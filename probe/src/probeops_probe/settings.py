"""Settings of the probe agent, read from ``PROBEOPS_*`` variables."""

from __future__ import annotations

from probeops.settings import setting


def _cidrs(raw: str) -> tuple[str, ...]:
    if raw == "none":
        return ()
    return tuple(part.strip() for part in raw.split(",") if part.strip())


ALLOWLIST = setting(
    "PROBEOPS_PROBE_ALLOWLIST",
    "none",
    _cidrs,
    "CIDRs the probe's target policy opens on purpose (loopback, lab or "
    "private ranges it should measure).",
    "'none' or comma separated CIDRs, e.g. 198.18.0.0/15,127.0.0.0/8",
)

"""Settings of the probe endpoints: leases, deadlines, token lifetimes."""

from __future__ import annotations

from probeops.settings import setting


def _seconds(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 7 * 86400:
        raise ValueError(f"{raw} is outside 0 to 604800")
    return value


PROBE_LEASE = setting(
    "PROBEOPS_PROBE_LEASE",
    "3600",
    _seconds,
    "Seconds a probe keeps running its cached schedule without reaching the "
    "API; each heartbeat renews the lease.",
    "seconds, more than 0 and at most 604800",
)
PROBE_GRACE = setting(
    "PROBEOPS_PROBE_GRACE",
    "30",
    _seconds,
    "Seconds a probe gets beyond a measurement's time limit to upload its "
    "part before that part is marked offline.",
    "seconds, more than 0 and at most 604800",
)
PROBE_OFFLINE_AFTER = setting(
    "PROBEOPS_PROBE_OFFLINE_AFTER",
    "90",
    _seconds,
    "Seconds without a heartbeat after which a probe is shown offline and "
    "no longer chosen for new measurements.",
    "seconds, more than 0 and at most 604800",
)
ENROLMENT_MINUTES = setting(
    "PROBEOPS_PROBE_TOKEN_MINUTES",
    "60",
    _seconds,
    "Default lifetime in minutes of a probe enrolment token.",
    "minutes, more than 0 and at most 604800",
)
CLOCK_SKEW = setting(
    "PROBEOPS_PROBE_CLOCK_SKEW",
    "5",
    _seconds,
    "Seconds of difference between a probe's clock and the server's beyond "
    "which its results are flagged clock_skew.",
    "seconds, more than 0 and at most 604800",
)

"""Per-hop MTR statistics: loss, latency, jitter, responders and changes."""

from __future__ import annotations

import statistics
from typing import Any

from probeops.hops import Hop

RATE_LIMIT_NOTE = (
    "loss at this hop does not carry on to later hops: "
    "likely ICMP rate limiting by this router, not packet loss"
)


def hop_statistics(hop: Hop) -> dict[str, Any]:
    """Counts and RTT figures of one hop over every cycle."""
    rtts = hop.rtts_ms
    unsent = sum(1 for probe in hop.probes if probe.unsent)
    sent = len(hop.probes) - unsent
    received = len(rtts)
    return {
        "distance": hop.distance,
        "responders": _responders(hop),
        "sent": sent,
        "unsent": unsent,
        "received": received,
        "loss_percent": round(100 * (sent - received) / sent, 1) if sent else 0.0,
        "last_ms": rtts[-1] if rtts else None,
        "avg_ms": _rounded(statistics.fmean(rtts)) if rtts else None,
        "best_ms": min(rtts, default=None),
        "worst_ms": max(rtts, default=None),
        "stdev_ms": _rounded(statistics.pstdev(rtts)) if rtts else None,
        "jitter_ms": _jitter(rtts),
        "responder_changes": responder_changes(hop),
        "notes": [],
    }


def path_statistics(hops: list[Hop]) -> list[dict[str, Any]]:
    """Statistics of every hop, with rate-limiting notes where loss stops."""
    rows = [hop_statistics(hop) for hop in hops]
    for row in rows:
        row["rate_limited"] = False
    for row in rows[:-1]:
        if row["loss_percent"] > rows[-1]["loss_percent"]:
            row["notes"].append(RATE_LIMIT_NOTE)
            row["rate_limited"] = True
    return rows


def responder_changes(hop: Hop) -> list[dict[str, Any]]:
    """Each cycle where the hop answered from another address than before."""
    changes = []
    previous = None
    for cycle, probe in enumerate(hop.probes):
        if probe.responder is None:
            continue
        if previous is not None and probe.responder != previous:
            changes.append({"cycle": cycle, "from": previous, "to": probe.responder})
        previous = probe.responder
    return changes


def _responders(hop: Hop) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for probe in hop.probes:
        if probe.responder is not None:
            counts[probe.responder] = counts.get(probe.responder, 0) + 1
    return [{"address": address, "replies": n} for address, n in counts.items()]


def _jitter(rtts: list[float]) -> float | None:
    """Mean difference between consecutive RTTs, as mtr's Javg."""
    if len(rtts) < 2:
        return None
    steps = [abs(b - a) for a, b in zip(rtts, rtts[1:], strict=False)]
    return _rounded(statistics.fmean(steps))


def _rounded(value: float) -> float:
    return round(value, 3)

"""Per-target statistics, computed the way ping and fping users expect.

``mdev`` is iputils ping's: the population standard deviation of the RTTs.
``jitter`` is the mean absolute difference between consecutive RTTs.
Percentiles interpolate linearly between the two nearest ranks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def summarize(
    rtts: Sequence[float],
    sent: int,
    duplicates: int,
    late: int,
    errors: int,
    foreign: int,
) -> dict[str, Any]:
    """Summarise one target's run; RTTs in milliseconds, in sending order."""
    received = len(rtts)
    summary: dict[str, Any] = {
        "sent": sent,
        "received": received,
        "duplicates": duplicates,
        "late": late,
        "errors": errors,
        "foreign_replies": foreign,
        "loss_pct": round(100.0 * (sent - received) / sent, 3) if sent else None,
    }
    summary.update(rtt_statistics(rtts))
    return summary


def rtt_statistics(rtts: Sequence[float]) -> dict[str, float | None]:
    """min/avg/max/mdev, jitter and p50/p95 of RTTs in milliseconds."""
    if not rtts:
        names = (
            "min_ms",
            "avg_ms",
            "max_ms",
            "mdev_ms",
            "jitter_ms",
            "p50_ms",
            "p95_ms",
        )
        return dict.fromkeys(names)
    mean = sum(rtts) / len(rtts)
    variance = max(0.0, sum(r * r for r in rtts) / len(rtts) - mean * mean)
    steps = [abs(b - a) for a, b in zip(rtts, rtts[1:], strict=False)]
    ordered = sorted(rtts)
    return {
        "min_ms": _round(ordered[0]),
        "avg_ms": _round(mean),
        "max_ms": _round(ordered[-1]),
        "mdev_ms": _round(math.sqrt(variance)),
        "jitter_ms": _round(sum(steps) / len(steps)) if steps else 0.0,
        "p50_ms": _round(percentile(ordered, 50)),
        "p95_ms": _round(percentile(ordered, 95)),
    }


def percentile(ordered: Sequence[float], rank: float) -> float:
    """The ``rank``-th percentile of sorted values, interpolated linearly."""
    position = (len(ordered) - 1) * rank / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float) -> float:
    return round(value, 3)

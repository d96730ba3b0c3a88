"""Chart data for the browser, as plain lists the chart script plots.

Each chart is ``{"kind", "title", "x", "series"}``: one x column and named
y columns with ``None`` where there is no value, which the script draws as
a gap. Lost packets get their own column, placed at the top of the chart.
"""

from __future__ import annotations

import statistics
from typing import Any


def for_results(diagnostic: str, results: list[dict]) -> list[dict]:
    """The charts of a measurement page; only ping has per-packet ones."""
    if diagnostic != "ping":
        return []
    return [ping_chart(result) for result in results if _packets(result)]


def _packets(result: dict) -> list[dict]:
    return (result.get("body") or {}).get("packets") or []


def ping_chart(result: dict) -> dict:
    """Round-trip time of each echo request, lost ones marked."""
    packets = _packets(result)
    rtts = [packet.get("rtt_ms") for packet in packets]
    ceiling = max([rtt for rtt in rtts if rtt is not None], default=1.0) * 1.1
    return {
        "kind": "ping",
        "title": f"{result['target']} ({result.get('address') or '-'})",
        "x": [packet["seq"] for packet in packets],
        "x_label": "echo request",
        "series": [
            {"label": "RTT ms", "values": rtts},
            {"label": "lost", "values": [_lost_mark(p, ceiling) for p in packets]},
        ],
    }


def _lost_mark(packet: dict, ceiling: float) -> float | None:
    return ceiling if packet.get("rtt_ms") is None else None


def timeline(items: list, target: str) -> dict:
    """Latency of ``target`` over time from many ping measurements.

    Like a smoke graph: the band between the fastest and slowest reply of
    each run, its median as a line, and the runs that lost packets marked
    with their loss percentage.
    """
    points = sorted(
        (point for item in items if (point := _run_point(item, target))),
        key=lambda point: point["time"],
    )
    return {
        "kind": "timeline",
        "title": f"{target}: latency over time",
        "x": [point["time"] for point in points],
        "x_label": "time",
        "series": [
            {"label": "min ms", "values": [p["min"] for p in points]},
            {"label": "median ms", "values": [p["median"] for p in points]},
            {"label": "max ms", "values": [p["max"] for p in points]},
            {"label": "loss %", "values": [p["loss"] for p in points]},
        ],
        "rows": points,
    }


def _run_point(item: Any, target: str) -> dict | None:
    result = next(
        (t.result for t in item.targets if t.given == target and t.result), None
    )
    if result is None or not _packets(result):
        return None
    rtts = [p["rtt_ms"] for p in _packets(result) if p.get("rtt_ms") is not None]
    summary = result["body"].get("summary", {})
    return {
        "time": item.created_at.timestamp(),
        "id": item.id,
        "min": min(rtts, default=None),
        "median": statistics.median(rtts) if rtts else None,
        "max": max(rtts, default=None),
        "loss": summary.get("loss_pct", 0.0),
        "sent": summary.get("sent", len(_packets(result))),
    }

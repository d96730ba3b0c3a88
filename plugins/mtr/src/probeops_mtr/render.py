"""MTR results as text, laid out like ``mtr --report``, and a live table."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

from probeops import Result

HEADING = "Loss%   Snt   Last   Avg  Best  Wrst StDev  Javg"
UP = "\033[{}A"
CLEAR_LINE = "\033[K"


def render(results: Sequence[Result]) -> str:
    """Text for the CLI: one report per target."""
    return "\n".join(render_one(result) for result in results)


def render_one(result: Result) -> str:
    if not result.body:
        return f"mtr: {result.target}: {result.error}"
    start = result.started_at.strftime("%Y-%m-%dT%H:%M:%S%z")
    lines = [f"Start: {start}", f"HOST: {socket.gethostname():<28}{HEADING}"]
    lines.extend(table_lines(result.body.get("hops", [])))
    if not result.answered and result.error:
        lines.append(f"# {result.error}")
    return "\n".join(lines)


def table_lines(hops: list[dict[str, Any]]) -> list[str]:
    """One row per hop, further responders and notes beneath it."""
    lines = []
    for hop in hops:
        lines.append(hop_row(hop))
        lines.extend(f"       `-- {r['address']}" for r in hop["responders"][1:])
        lines.extend(f"       ! {note}" for note in hop["notes"])
    return lines


def hop_row(hop: dict[str, Any]) -> str:
    responders = hop["responders"]
    host = responders[0]["address"] if responders else "???"
    if not hop["sent"] and hop.get("unsent"):
        host = "(not sent)"
    figures = [hop[k] or 0.0 for k in ("last_ms", "avg_ms", "best_ms", "worst_ms")]
    spread = [hop["stdev_ms"] or 0.0, hop["jitter_ms"] or 0.0]
    return (
        f"{hop['distance']:3d}.|-- {host:<25}{hop['loss_percent']:5.1f}%"
        f"{hop['sent']:6d}{figures[0]:7.1f}"
        + "".join(f"{value:6.1f}" for value in [*figures[1:], *spread])
    )


class LiveTable:
    """Redraws the table in place on a terminal, moving the cursor up."""

    def __init__(self) -> None:
        self.drawn = 0

    def __call__(self, event: dict[str, Any]) -> str:
        lines = [
            f"{event['destination']}  cycle {event['cycle']}/{event['cycles']}",
            " " * 34 + HEADING,
            *table_lines(event["hops"]),
        ]
        if event["cycle"] <= 1:
            self.drawn = 0
        text = (UP.format(self.drawn) if self.drawn else "") + "\r"
        text += "\n".join(line + CLEAR_LINE for line in lines)
        self.drawn = len(lines) - 1
        return text


render_progress = LiveTable()

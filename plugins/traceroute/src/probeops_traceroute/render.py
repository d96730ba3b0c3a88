"""Traceroute results as text, laid out like ``traceroute -n``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from probeops import Result


def render(results: Sequence[Result]) -> str:
    """Text for the CLI: one block per target, one line per hop."""
    return "\n".join(render_one(result) for result in results)


def render_one(result: Result) -> str:
    body = result.body
    if not body:
        return f"traceroute: {result.target}: {result.error}"
    lines = [_heading(result)]
    names = body.get("names") or {}
    lines.extend(hop_line(hop, names) for hop in body.get("hops", []))
    if not result.answered and result.error:
        lines.append(f"# {result.error}")
    return "\n".join(lines)


def _heading(result: Result) -> str:
    body = result.body
    address = body.get("destination") or result.address
    size = body.get("packet_size")
    size_text = f", {size} byte packets" if size else ""
    hops = body.get("max_ttl", "?")
    return f"traceroute to {result.target} ({address}), {hops} hops max{size_text}"


def hop_line(hop: dict[str, Any], names: dict[str, str]) -> str:
    """``N  addr  rtt ms  rtt ms !H`` with each address written once."""
    text = f"{hop['distance']:2d} "
    shown = None
    for probe in hop["probes"]:
        if probe.get("error"):
            text += f" (not sent: {probe['error']})"
            continue
        if probe["responder"] is None:
            text += " *"
            continue
        if probe["responder"] != shown:
            shown = probe["responder"]
            text += " " + _who(shown, names)
        text += f"  {probe['rtt_ms']:.3f} ms"
        if probe["flag"]:
            text += f" {probe['flag']}"
        text += _labels(probe)
    return text


def _who(address: str, names: dict[str, str]) -> str:
    name = names.get(address)
    return f"{name} ({address})" if name else address


def _labels(probe: dict[str, Any]) -> str:
    if not probe["mpls"]:
        return ""
    stack = ",".join(
        f"L={label['label']},E={label['traffic_class']},"
        f"S={int(label['bottom_of_stack'])},T={label['ttl']}"
        for label in probe["mpls"]
    )
    return f" <MPLS:{stack}>"


def render_progress(event: dict[str, Any]) -> str | None:
    """A one-line status for a terminal while traces run."""
    who = event["responder"] or "*"
    return f"{event['destination']}: hop {event['ttl']} {who}"

"""Human output: iputils ping's shape for one target, fping's for many."""

from __future__ import annotations

from collections.abc import Sequence

from probeops import Result


def render(results: Sequence[Result]) -> str:
    """Text for the CLI: per-packet lines for one target, a table for many."""
    if len(results) == 1:
        return _ping_style(results[0])
    lines = [_fping_line(result) for result in results]
    alive = sum(1 for result in results if result.answered)
    lines.append(f"{len(results)} targets: {alive} alive, {len(results) - alive} not")
    return "\n".join(lines)


def render_progress(event) -> str:
    return f"ping: {event.sent}/{event.total} sent, {event.received} received"


def _ping_style(result: Result) -> str:
    address = result.address or "?"
    if not result.body:
        return f"ping: {result.target}: {result.error}"
    size = result.body["payload_size"]
    header = 20 if ":" not in address else 40
    lines = [
        f"PING {result.target} ({address}) {size}({size + 8 + header}) bytes of data."
    ]
    lines += [_packet_line(address, packet) for packet in result.body["packets"]]
    lines.append("")
    lines.append(f"--- {result.target} ping statistics ---")
    lines.append(_totals(result))
    summary = result.body["summary"]
    if summary["received"]:
        lines.append(
            "rtt min/avg/max/mdev = "
            f"{summary['min_ms']:.3f}/{summary['avg_ms']:.3f}/"
            f"{summary['max_ms']:.3f}/{summary['mdev_ms']:.3f} ms, "
            f"jitter {summary['jitter_ms']:.3f} ms, "
            f"p50/p95 {summary['p50_ms']:.3f}/{summary['p95_ms']:.3f} ms"
        )
    return "\n".join(lines)


def _packet_line(address: str, packet: dict) -> str:
    seq = packet["seq"]
    if packet["status"] == "reply":
        line = (
            f"{packet['size']} bytes from {address}: icmp_seq={seq} "
            f"ttl={packet['ttl']} time={packet['rtt_ms']:.3f} ms"
        )
        return line + (
            f" (DUP! x{packet['duplicates']})" if packet["duplicates"] else ""
        )
    if packet["status"] == "error":
        error = packet["error"]
        sender = error.get("sender") or "local"
        return f"From {sender} icmp_seq={seq} {error['reason']}"
    late = packet["late_rtt_ms"]
    tail = f" (late reply after {late:.3f} ms)" if late is not None else ""
    foreign = packet["foreign_sources"]
    if foreign:
        tail += f" (reply from other address {', '.join(foreign)} ignored)"
    return f"no answer yet for icmp_seq={seq}{tail}"


def _totals(result: Result) -> str:
    summary = result.body["summary"]
    extras = ""
    if summary["duplicates"]:
        extras += f", +{summary['duplicates']} duplicates"
    if summary["errors"]:
        extras += f", +{summary['errors']} errors"
    if summary["late"]:
        extras += f", +{summary['late']} late"
    if result.body.get("interrupted"):
        extras += ", interrupted"
    elif result.body.get("deadline_reached"):
        extras += ", deadline reached"
    return (
        f"{summary['sent']} packets transmitted, {summary['received']} received"
        f"{extras}, {_loss(summary)} packet loss, "
        f"time {result.duration_ms:.0f}ms"
    )


def _fping_line(result: Result) -> str:
    if not result.body:
        return f"{result.target} : {result.error}"
    summary = result.body["summary"]
    line = (
        f"{result.target} : xmt/rcv/%loss = {summary['sent']}/"
        f"{summary['received']}/{_loss(summary)}"
    )
    if summary["received"]:
        line += (
            f", min/avg/max = {summary['min_ms']:.3f}/{summary['avg_ms']:.3f}/"
            f"{summary['max_ms']:.3f}"
        )
    if summary["duplicates"]:
        line += f" [{summary['duplicates']} dup]"
    if result.error and not summary["received"]:
        line += f" ({result.error})"
    return line


def _loss(summary: dict) -> str:
    """Loss as ping prints it; nothing was lost when nothing was sent."""
    return "-" if summary["loss_pct"] is None else f"{summary['loss_pct']:g}%"

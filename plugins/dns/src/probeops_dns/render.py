"""Human text for DNS results, shaped like dig's sections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from probeops.result import Result

SECTIONS = (
    ("answer", "ANSWER"),
    ("authority", "AUTHORITY"),
    ("additional", "ADDITIONAL"),
)


def render(results: Sequence[Result]) -> str:
    """Every result, one dig-like block each, blank lines between."""
    return "\n\n".join(render_one(result) for result in results)


def render_one(result: Result) -> str:
    body = result.body
    lines = [f"; <<>> probeops dns <<>> {result.target}"]
    if result.error:
        lines.append(f";; {result.status.value}: {result.error}")
    lines.extend(_trace_lines(body.get("trace")))
    if body.get("rcode") is not None:
        lines.extend(_header_lines(body))
        lines.extend(_section_lines(body))
    lines.extend(_dnssec_lines(body.get("dnssec")))
    lines.extend(_footer_lines(body))
    return "\n".join(lines)


def _header_lines(body: dict[str, Any]) -> list[str]:
    counts = ", ".join(f"{title}: {len(body[key])}" for key, title in SECTIONS)
    lines = [
        f";; ->>HEADER<<- status: {body['rcode']}, id: {body['id']}",
        f";; flags: {' '.join(body['flags'])}; {counts}",
    ]
    if body["edns"] is not None:
        edns = body["edns"]
        flags = " ".join(edns["flags"])
        lines.append(
            f"; EDNS: version: {edns['version']}, flags: {flags}; "
            f"udp: {edns['payload']}"
        )
    if body.get("nsid"):
        lines.append(f"; NSID: {body['nsid']}")
    question = body["question"]
    lines += [
        "",
        ";; QUESTION SECTION:",
        f";{question['name']}\t\t{question['class']}\t{question['type']}",
    ]
    return lines


def _section_lines(body: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, title in SECTIONS:
        if body[key]:
            lines += ["", f";; {title} SECTION:"]
            lines += [record_line(record) for record in body[key]]
    return lines


def record_line(record: dict[str, Any]) -> str:
    """One record in master-file layout."""
    return (
        f"{record['name']}\t{record['ttl']}\t{record['class']}\t"
        f"{record['type']}\t{record['rdata']}"
    )


def _trace_lines(trace: list[dict[str, Any]] | None) -> list[str]:
    lines = []
    for step in trace or ():
        lines.append(
            f";; {step['zone']} via {step['server']}: {step['kind']}"
            f" in {step['query_time_ms']:.1f} ms"
        )
        lines += [record_line(record) for record in step.get("records", [])]
    return [*lines, ""] if lines else lines


def _dnssec_lines(dnssec: dict[str, Any] | None) -> list[str]:
    if dnssec is None:
        return []
    reason = f" ({dnssec['reason']})" if dnssec.get("reason") else ""
    return ["", f";; DNSSEC: {dnssec['status']}{reason}"]


def _footer_lines(body: dict[str, Any]) -> list[str]:
    transport = body["transport"].upper()
    if body.get("fallback"):
        transport += f", after a {body['fallback'].replace('_', ' ')} UDP answer"
    if body.get("edns_dropped"):
        transport += ", without EDNS after FORMERR"
    server = f"{body['server']}#{body['port']}" if body["server"] else "-"
    return [
        "",
        f";; Query time: {body['query_time_ms']:.3f} msec",
        f";; SERVER: {server} ({transport})",
        f";; ANSWERED BY: {body['responder'] or '-'}",
        f";; MSG SIZE  rcvd: {body['size']}",
    ]

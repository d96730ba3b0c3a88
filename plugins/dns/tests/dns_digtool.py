"""Asking ``dig`` the same question, and reading its answer as data."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import dns.rdata

STATUS = re.compile(r"status: ([A-Z]+)")


@dataclass(frozen=True)
class DigAnswer:
    rcode: str
    sections: dict[str, set[tuple]]


def dig(server: str, name: str, rdtype: str, *extra: str) -> DigAnswer:
    """Run dig against ``ADDR:PORT`` and parse its header and sections."""
    address, port = server.rsplit(":", 1)
    query = ["-x", name] if rdtype == "-x" else [name, rdtype]
    command = ["dig", f"@{address}", "-p", port, *query, "+tries=1", "+time=3"]
    output = subprocess.run(
        [*command, *extra], capture_output=True, text=True, check=True
    ).stdout
    return DigAnswer(STATUS.search(output).group(1), _sections(output))


def _sections(output: str) -> dict[str, set[tuple]]:
    sections: dict[str, set[tuple]] = {"answer": set(), "authority": set()}
    current = None
    for line in output.splitlines():
        heading = re.match(r";; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
        if heading:
            current = heading.group(1).lower()
            sections.setdefault(current, set())
        elif not line.strip():
            current = None
        elif current and not line.startswith(";"):
            sections[current].add(normalised(*line.split(None, 4)))
    return sections


def normalised(name, ttl, rdclass, rdtype, rdata, keep_ttl=True) -> tuple:
    """One record as a comparable tuple; rdata text in dnspython's form."""
    text = dns.rdata.from_text(rdclass, rdtype, rdata).to_text()
    return (name.lower(), int(ttl) if keep_ttl else None, rdclass, rdtype, text)


def ours(records: list[dict], keep_ttl=True) -> set[tuple]:
    return {
        normalised(r["name"], r["ttl"], r["class"], r["type"], r["rdata"], keep_ttl)
        for r in records
    }


def without_ttl(records: set[tuple]) -> set[tuple]:
    return {(name, None, *rest) for name, _, *rest in records}

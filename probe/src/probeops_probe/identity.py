"""The probe's identity and cached schedule, kept in its state directory."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from probeops_probe.errors import NotEnrolled

CREDENTIAL = "credential.json"
SCHEDULE = "schedule.json"


def save_json(path: Path, document: dict[str, Any]) -> None:
    """Write atomically, readable by the owner only."""
    temporary = path.with_suffix(".tmp")
    with open(
        os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w"
    ) as f:
        json.dump(document, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def load_credential(state: Path) -> dict[str, Any]:
    path = state / CREDENTIAL
    if not path.exists():
        raise NotEnrolled(f"no credential in {state}: run `probeops-probe enrol`")
    return json.loads(path.read_text())


def load_schedule(state: Path) -> dict[str, Any]:
    path = state / SCHEDULE
    if not path.exists():
        return {"lease_until": 0.0, "checks": []}
    return json.loads(path.read_text())


def capabilities() -> dict[str, bool]:
    """What this host allows: raw sockets and each address family."""
    return {
        "raw_socket": os.geteuid() == 0,
        "ipv4": _routes("/proc/net/route", 0),
        "ipv6": _routes("/proc/net/ipv6_route", -1),
        "system": platform.system().lower() == "linux",
    }


def _routes(path: str, column: int) -> bool:
    """Whether a route leaves through an interface other than loopback."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return False
    return any(
        line.split()[column] != "lo"
        for line in lines[1 if column == 0 else 0 :]
        if line.split()
    )

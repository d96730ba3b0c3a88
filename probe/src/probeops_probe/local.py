"""Checks from a local file, with no backend: results as JSON lines."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from probeops.plugins import Registry

from probeops_probe import checks
from probeops_probe.errors import BadConfig

FIELDS = ("diagnostic", "target", "interval_s")


def load_config(path: Path) -> list[dict[str, Any]]:
    """The checks of a JSON file ``{"checks": [{diagnostic, target, ...}]}``."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BadConfig(f"cannot read {path}: {error}") from None
    found = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(found, list) or not found:
        raise BadConfig(f"{path} needs a non-empty list under 'checks'")
    for number, check in enumerate(found):
        missing = [name for name in FIELDS if name not in check]
        if missing:
            raise BadConfig(
                f"check {number} in {path} lacks {', '.join(missing)}; "
                f"each check needs {', '.join(FIELDS)}"
            )
    return found


def run_local(
    registry: Registry,
    found: list[dict[str, Any]],
    output: TextIO,
    stop: threading.Event,
    rounds: int | None = None,
) -> int:
    """Run the checks on their intervals; how many results were written."""
    registry = checks.guarded(registry)
    due = [0.0] * len(found)
    runs = [0] * len(found)
    written = 0
    while not stop.is_set() and (rounds is None or min(runs) < rounds):
        for index, check in enumerate(found):
            if time.monotonic() >= due[index] and (
                rounds is None or runs[index] < rounds
            ):
                due[index] = time.monotonic() + check["interval_s"]
                runs[index] += 1
                written += _write(registry, check, output)
        stop.wait(0.05)
    return written


def _write(registry: Registry, check: dict[str, Any], output: TextIO) -> int:
    records = checks.run_check(
        registry,
        check["diagnostic"],
        [check["target"]],
        check.get("options", {}),
        checks.fresh_ids(1),
        {"job_id": None, "schedule_id": None},
    )
    for record in records:
        output.write(json.dumps(record) + "\n")
    output.flush()
    return len(records)

"""Lab records in ``/run/probeops-lab``: who owns a lab, and sweeping.

A record is written (exclusively, so names never collide) before a lab's
namespaces exist and removed after they are gone. A lab whose owning process
has died, and a ``po-`` namespace without a record, are leftovers.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from probeops.lab import netns
from probeops.lab.build import lab_of_namespace, teardown
from probeops.lab.errors import InvalidLab, LabError

log = logging.getLogger(__name__)

STATE_DIR = Path("/run/probeops-lab")
"""One JSON record per lab; every lab on the host must share it to sweep."""


@dataclass
class Owner:
    """The process a lab lives and dies with."""

    pid: int
    start: str

    @classmethod
    def current(cls) -> Owner:
        return cls(os.getpid(), _start_time(os.getpid()))

    def alive(self) -> bool:
        return _start_time(self.pid) == self.start


@dataclass
class Record:
    """What is stored about one lab."""

    name: str
    kind: str
    options: dict
    namespaces: dict[str, str]
    owner: Owner | None = None
    """``None`` for a lab kept after its command ended."""

    @classmethod
    def from_json(cls, data: dict) -> Record:
        owner = Owner(**data["owner"]) if data.get("owner") else None
        return cls(**{**data, "owner": owner})

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def stale(self) -> bool:
        return self.owner is not None and not self.owner.alive()


def path_of(name: str) -> Path:
    return STATE_DIR / f"{name}.json"


def claim(record: Record) -> None:
    """Write a new record whole; :class:`InvalidLab` if the name is taken."""
    path = path_of(record.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{record.name}.{os.getpid()}.draft")
    draft.write_text(json.dumps(record.to_json(), indent=2))
    try:
        os.link(draft, path)
    except FileExistsError:
        raise InvalidLab(f"a lab named {record.name!r} already exists") from None
    finally:
        draft.unlink()


def load(name: str) -> Record:
    """Read one record; :class:`InvalidLab` naming the known labs if absent."""
    try:
        return Record.from_json(json.loads(path_of(name).read_text()))
    except FileNotFoundError:
        known = ", ".join(r.name for r in records()) or "none"
        raise InvalidLab(f"no lab named {name!r}; labs: {known}") from None


def release(name: str) -> None:
    path_of(name).unlink(missing_ok=True)


def records() -> list[Record]:
    """Every readable record, by name."""
    found = []
    directory = STATE_DIR
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            found.append(Record.from_json(json.loads(path.read_text())))
        except (OSError, ValueError, TypeError, KeyError):
            log.warning("lab record %s is unreadable; ignored", path)
    return found


def remove(record: Record) -> None:
    """Delete a lab's namespaces, then its record."""
    teardown(list(record.namespaces.values()))
    release(record.name)


def orphan_namespaces() -> list[str]:
    """Lab namespaces whose lab has no record any more.

    Namespaces are listed before records are read: a record exists before
    its lab's first namespace, so a lab being built is never taken for one.
    """
    present = netns.namespaces()
    named = {record.name for record in records()}
    return [
        namespace
        for namespace in present
        if lab_of_namespace(namespace) not in (None, *named)
    ]


def sweep(kept_too: bool = False) -> list[str]:
    """Remove labs of dead owners (and kept labs if asked), and orphans.

    A lab that cannot be removed is logged and left; the names of the labs
    removed are returned.
    """
    removed = []
    for record in records():
        if record.stale or (kept_too and record.owner is None):
            if _removed_quietly(record.name, record.namespaces.values()):
                release(record.name)
                removed.append(record.name)
    orphans = orphan_namespaces()
    for lab in sorted({lab_of_namespace(name) for name in orphans}):
        mine = [name for name in orphans if lab_of_namespace(name) == lab]
        if _removed_quietly(lab, mine):
            removed.append(lab)
    return removed


def _removed_quietly(lab: str, namespaces) -> bool:
    try:
        teardown(list(namespaces))
    except LabError as error:
        log.warning("lab %s could not be removed: %s", lab, error)
        return False
    return True


def _start_time(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]

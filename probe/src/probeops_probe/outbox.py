"""The outbox: results committed to local SQLite before they count as done.

Each result is kept under its stable id until the API has said it holds
it. The outbox is bounded by rows, bytes and age; the oldest results go
first when a bound is passed, and every drop is counted so the agent can
report it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    size INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs_done (job_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
COUNTERS = (
    "committed",
    "sent",
    "rejected",
    "dropped_rows",
    "dropped_bytes",
    "dropped_age",
)


@dataclass(frozen=True)
class Bounds:
    """The most the outbox keeps before dropping its oldest results."""

    rows: int = 100_000
    bytes: int = 200_000_000
    age_s: float = 7 * 86400


class Outbox:
    """Results waiting for upload, in a SQLite file in WAL mode."""

    def __init__(self, path: Path, bounds: Bounds | None = None) -> None:
        self.bounds = bounds or Bounds()
        self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        for name in COUNTERS:
            self.db.execute("INSERT OR IGNORE INTO counters VALUES (?, 0)", (name,))

    def commit(self, records: Iterable[dict[str, Any]], job_id: str | None = None):
        """Keep ``records`` (and that ``job_id`` is done) in one transaction."""
        now = time.time()
        with self._transaction():
            added = 0
            for record in records:
                text = json.dumps(record, separators=(",", ":"))
                added += self.db.execute(
                    "INSERT OR IGNORE INTO results (id, record, size, created) "
                    "VALUES (?, ?, ?, ?)",
                    (record["id"], text, len(text), now),
                ).rowcount
            if job_id is not None:
                self.db.execute("INSERT OR IGNORE INTO jobs_done VALUES (?)", (job_id,))
            self._count("committed", added)
            self._enforce(now)

    def _enforce(self, now: float) -> None:
        rows, size = self.db.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM results"
        ).fetchone()
        if rows > self.bounds.rows:
            self._drop_oldest(rows - self.bounds.rows, "dropped_rows")
        size = self.db.execute("SELECT coalesce(sum(size), 0) FROM results").fetchone()
        excess = size[0] - self.bounds.bytes
        while excess > 0:
            freed = self._drop_oldest(1, "dropped_bytes")
            if not freed:
                break
            excess -= freed
        cutoff = now - self.bounds.age_s
        old = self.db.execute("DELETE FROM results WHERE created < ?", (cutoff,))
        self._count("dropped_age", old.rowcount)

    def _drop_oldest(self, count: int, counter: str) -> int:
        gone = self.db.execute(
            "SELECT seq, size FROM results ORDER BY seq LIMIT ?", (count,)
        ).fetchall()
        self.db.executemany(
            "DELETE FROM results WHERE seq = ?", [(s,) for s, _ in gone]
        )
        self._count(counter, len(gone))
        return sum(size for _, size in gone)

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """The oldest results not yet held by the API."""
        rows = self.db.execute(
            "SELECT record FROM results ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [json.loads(text) for (text,) in rows]

    def delivered(self, ids: Iterable[str], counter: str = "sent") -> None:
        """Forget results the API said it holds (or ``rejected``)."""
        ids = [(result_id,) for result_id in ids]
        with self._transaction():
            self.db.executemany("DELETE FROM results WHERE id = ?", ids)
            self._count(counter, len(ids))

    def job_done(self, job_id: str) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM jobs_done WHERE job_id = ?", (job_id,)
        ).fetchone()
        return found is not None

    def discard_jobs(self) -> int:
        """Drop results of jobs (they belong to a former identity)."""
        with self._transaction():
            gone = self.db.execute(
                "DELETE FROM results WHERE json_extract(record, '$.job_id') IS NOT NULL"
            ).rowcount
            self._count("dropped_rows", gone)
        return gone

    def stats(self) -> dict[str, int]:
        """Pending results and every counter."""
        counters = dict(self.db.execute("SELECT name, value FROM counters"))
        pending = self.db.execute("SELECT count(*) FROM results").fetchone()[0]
        return {"pending": pending, **counters}

    def _count(self, name: str, amount: int) -> None:
        if amount:
            self.db.execute(
                "UPDATE counters SET value = value + ? WHERE name = ?", (amount, name)
            )

    def _transaction(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *_exc) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")

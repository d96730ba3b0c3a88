"""Connections to the platform database, SQLite or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class Store:
    """One database: an engine and the sessions made from it."""

    def __init__(self, url: str, durable: bool = True) -> None:
        """Connect to ``url``.

        ``durable=False`` lets PostgreSQL acknowledge a commit before it
        reaches the disk: for writes that are safe to lose and repeat (a
        worker's claims and results), it saves a disk flush per commit.
        """
        self.url = url
        self.engine = _engine(url)
        if not durable and self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _relax_commits)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _relax_commits(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("SET synchronous_commit TO off")
    cursor.close()


def _tune_sqlite(connection, _record) -> None:
    """Let the API threads and the job threads share one SQLite file."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

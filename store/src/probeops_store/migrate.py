"""Alembic migrations, run from Python or ``probeops db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from probeops_store.database import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    with store.engine.begin() as connection:
        config = alembic_config(store)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(store: Store, revision: str = "base") -> None:
    """Take the database schema down to ``revision``."""
    with store.engine.begin() as connection:
        config = alembic_config(store)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current(store: Store) -> str | None:
    """The revision the database is at, ``None`` when never migrated."""
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def require_current(store: Store) -> None:
    """Raise ``SchemaOutOfDate`` unless the database is at the newest revision."""
    from probeops_store.errors import SchemaOutOfDate

    found, wanted = current(store), head()
    if found != wanted:
        raise SchemaOutOfDate(
            f"the database is at revision {found or 'base (empty)'}, this code "
            f"needs {wanted}: run `probeops db upgrade`"
        )

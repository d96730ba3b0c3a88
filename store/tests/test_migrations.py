"""Migrations build the schema the models describe, up and down."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.errors import SchemaOutOfDate
from probeops_store.models import Base
from sqlalchemy import inspect, text

TABLES = {
    "orgs",
    "users",
    "api_keys",
    "revoked_tokens",
    "measurements",
    "measurement_targets",
    "probes",
    "probe_enrolment_tokens",
    "probe_jobs",
    "probe_schedules",
    "probe_results",
}


def _tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names()) - {"alembic_version"}


def _drift(store: Store) -> list:
    with store.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def test_upgrade_from_empty_and_downgrade_on_postgresql(postgres_url):
    store = Store(postgres_url)
    assert migrate.current(store) is None

    migrate.upgrade(store)
    assert migrate.current(store) == migrate.head()
    assert _tables(store) == TABLES
    assert _drift(store) == []

    migrate.downgrade(store, "base")
    assert migrate.current(store) is None
    assert _tables(store) == set()
    store.dispose()


def test_upgrade_and_downgrade_on_sqlite(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'platform.sqlite3'}")

    migrate.upgrade(store)
    assert _tables(store) == TABLES
    assert _drift(store) == []
    migrate.downgrade(store, "base")
    assert _tables(store) == set()
    store.dispose()


def test_upgrade_twice_changes_nothing(postgres_url):
    store = Store(postgres_url)
    migrate.upgrade(store)
    migrate.upgrade(store)
    assert migrate.current(store) == migrate.head()
    migrate.downgrade(store, "base")
    store.dispose()


def test_an_old_schema_is_refused_naming_the_command_that_fixes_it(postgres_url):
    store = Store(postgres_url)

    with pytest.raises(SchemaOutOfDate, match="run `probeops db upgrade`"):
        migrate.require_current(store)
    migrate.upgrade(store)
    migrate.require_current(store)
    migrate.downgrade(store, "base")
    store.dispose()


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_disabling_users_is_added_and_removed_keeping_the_users(
    database, postgres_url, tmp_path
):
    url = postgres_url if database == "postgresql" else f"sqlite:///{tmp_path}/p.db"
    store = Store(url)
    migrate.upgrade(store, "0002")
    with store.engine.begin() as connection:
        for statement in ADD_USER:
            connection.execute(text(statement))

    migrate.upgrade(store)
    assert _user_columns(store) >= {"email", "disabled_at"}
    migrate.downgrade(store, "0002")

    assert "disabled_at" not in _user_columns(store)
    with store.engine.connect() as connection:
        emails = connection.execute(text("SELECT email FROM users")).scalars().all()
    assert emails == ["kept@example.org"]
    migrate.downgrade(store, "base")
    store.dispose()


ADD_USER = [
    "INSERT INTO orgs (id, name, created_at) VALUES (1, 'kept', CURRENT_TIMESTAMP)",
    "INSERT INTO users (id, org_id, email, password_hash, role, created_at)"
    " VALUES (1, 1, 'kept@example.org', 'x', 'admin', CURRENT_TIMESTAMP)",
]


def _user_columns(store: Store) -> set[str]:
    return {column["name"] for column in inspect(store.engine).get_columns("users")}

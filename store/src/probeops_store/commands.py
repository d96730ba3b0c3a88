"""The ``probeops db`` command: migrate the platform database."""

from __future__ import annotations

import argparse

from probeops import hookimpl

# SQLAlchemy and Alembic are imported by the handlers, not here: every
# `probeops` invocation loads this module, and `probeops run ping` must
# start in a fraction of a second.


@hookimpl
def probeops_cli_commands(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="migrate the platform database")
    actions = db.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    up = actions.add_parser("upgrade", help="apply migrations up to REVISION")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=lambda arguments: _migrate("upgrade", arguments))
    down = actions.add_parser("downgrade", help="revert migrations to REVISION")
    down.add_argument("revision")
    down.set_defaults(handler=lambda arguments: _migrate("downgrade", arguments))
    current = actions.add_parser("current", help="print the database's revision")
    current.set_defaults(handler=_current)


def _migrate(direction: str, arguments: argparse.Namespace) -> int:
    from probeops_store import migrate

    store = _store()
    getattr(migrate, direction)(store, arguments.revision)
    print(f"database at revision {migrate.current(store) or 'base (empty)'}")
    return 0


def _current(arguments: argparse.Namespace) -> int:
    from probeops_store import migrate

    print(migrate.current(_store()) or "base (empty)")
    return 0


def _store():
    from probeops_store import settings
    from probeops_store.database import Store

    return Store(settings.load().database_url)

"""The ``probeops serve`` and ``probeops users`` commands."""

from __future__ import annotations

import argparse
import logging
import sys

from probeops import hookimpl
from probeops_store import settings
from probeops_store.roles import Role


@hookimpl
def probeops_cli_commands(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve", help="serve the HTTP API (embedded profile: the whole platform)"
    )
    serve.set_defaults(handler=_serve)
    _add_users_command(subparsers)


def _add_users_command(subparsers) -> None:
    users = subparsers.add_parser("users", help="manage platform users")
    actions = users.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a user (and their org)")
    create.add_argument("--email", required=True)
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input",
    )
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--org", default="default", help="org name (default: default)")
    create.set_defaults(handler=_create_user)


def _serve(arguments: argparse.Namespace) -> int:
    from probeops_webapp.serve import serve

    logging.getLogger("probeops_webapp").setLevel(logging.INFO)
    return serve(settings.load())


def _create_user(arguments: argparse.Namespace) -> int:
    from probeops_store import migrate
    from probeops_store.database import Store

    from probeops_webapp import accounts

    password = sys.stdin.readline().rstrip("\n")
    store = Store(settings.load().database_url)
    migrate.upgrade(store)
    user = accounts.create_user(
        store, arguments.email, password, arguments.role, arguments.org
    )
    print(f"created {user.role} {user.email} in org {arguments.org}")
    return 0

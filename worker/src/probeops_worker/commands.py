"""The ``probeops worker`` command."""

from __future__ import annotations

import argparse
import logging

from probeops import hookimpl
from probeops_store import settings


@hookimpl
def probeops_cli_commands(subparsers: argparse._SubParsersAction) -> None:
    worker = subparsers.add_parser(
        "worker", help="run measurement jobs from the Redis queue (production)"
    )
    worker.add_argument(
        "--burst", action="store_true", help="stop once the queue is empty"
    )
    worker.set_defaults(handler=_worker)


def _worker(arguments: argparse.Namespace) -> int:
    from probeops_worker.worker import run_worker

    loaded = settings.load()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("probeops_worker").setLevel(logging.INFO)
    print(
        f"probeops worker: queue {loaded.queue!r} on {loaded.redis_url}, "
        f"database {_redacted(loaded.database_url)}",
        flush=True,
    )
    _start_health(loaded)
    return run_worker(loaded, burst=arguments.burst)


def _start_health(loaded) -> None:
    """Answer /healthz and /metrics when PROBEOPS_WORKER_HEALTH asks for it."""
    from probeops_worker.metrics import start_health
    from probeops_worker.settings import HEALTH_LISTEN

    listen = HEALTH_LISTEN.read()
    if listen is not None:
        server = start_health(listen, loaded)
        print(f"probeops worker: health on port {server.port}", flush=True)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

"""``probeops serve``: the embedded platform in one process.

SQLite in the data directory, measurements run by threads of this process,
loopback targets allowed for the demo. In the production profile the same
command serves the API (under gunicorn, ``probeops_webapp.wsgi:app``).
"""

from __future__ import annotations

import logging
import secrets
import threading

from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.settings import PlatformSettings
from probeops_worker.worker import Sweeper
from werkzeug.serving import make_server

from probeops_webapp import accounts
from probeops_webapp.app import create_app

log = logging.getLogger(__name__)

FIRST_ADMIN = "admin@probeops.local"


def prepare(settings: PlatformSettings, store: Store) -> str | None:
    """Migrate the database; create a first admin, returning its password."""
    migrate.upgrade(store)
    if not settings.create_admin or accounts.user_count(store):
        return None
    password = secrets.token_urlsafe(12)
    accounts.create_user(store, FIRST_ADMIN, password, "admin")
    return password


def banner(settings: PlatformSettings, password: str | None, port: int) -> str:
    """What ``probeops serve`` prints: where it listens and how to log in."""
    host = settings.listen[0]
    base = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    lines = [
        f"probeops: web UI on {base}/ (log in with the e-mail and password below)",
        f"probeops: API on {base}/api/v1, docs at {base}/api/docs",
    ]
    if settings.embedded:
        lines.append(
            f"probeops: embedded profile: SQLite {settings.database_url}, "
            "measurements run in this process"
        )
        opened = ", ".join(str(network) for network in settings.policy.allow)
        lines.append(f"probeops: demo target policy allows loopback ({opened})")
    if password:
        lines.append(
            f"probeops: created the first admin {FIRST_ADMIN} with password {password}"
        )
    else:
        lines.append(
            "probeops: users exist already; add one with `probeops users create "
            "--email E --password-stdin --role admin`"
        )
    return "\n".join([*lines, *_login_hint(base, password)])


def _login_hint(base: str, password: str | None) -> list[str]:
    shown = password or "PASSWORD"
    return [
        "probeops: log in with:",
        f"  curl -s -X POST {base}/api/v1/auth/login "
        "-H 'Content-Type: application/json' "
        f'-d \'{{"email": "{FIRST_ADMIN}", "password": "{shown}"}}\'',
    ]


class Server:
    """The API listening on a socket, in a background thread."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        self.store = Store(settings.database_url)
        self.password = prepare(settings, self.store)
        self.app = create_app(settings, self.store)
        host, port = settings.listen
        self.http = make_server(host, port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.sweeper = _sweeper(settings, self.store, self.app)

    @property
    def port(self) -> int:
        return self.http.server_port

    def start(self) -> Server:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()
        if self.thread.is_alive():
            self.http.shutdown()
        self.http.server_close()
        self.app.extensions["probeops_queue"].close()
        self.store.dispose()


def _sweeper(settings: PlatformSettings, store: Store, app) -> Sweeper | None:
    """In-process jobs die with the process: queue again what they left."""
    if not settings.embedded:
        return None
    sweeper = Sweeper(store, app.extensions["probeops_queue"], settings.requeue_after)
    sweeper.start()
    return sweeper


def serve(settings: PlatformSettings) -> int:
    """Serve until interrupted; the body of ``probeops serve``."""
    server = Server(settings)
    print(banner(settings, server.password, server.port), flush=True)
    try:
        server.http.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.app.extensions["probeops_queue"].close()
    return 0

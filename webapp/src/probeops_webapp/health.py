"""``/healthz`` and ``/readyz``: whether the web app is alive, and ready.

Alive means the process answers. Ready means it can do its work: the
database answers and, in the production profile, so does the Redis that
holds the queue. Load balancers and compose send traffic only to ready
instances; a process that is alive but not ready is left running.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app
from probeops.health import Check, check_report
from sqlalchemy import text

from probeops_webapp import access

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def alive():
    """The process answers."""
    return {"status": "alive"}


@blp.get("/readyz")
def ready():
    """The database and the queue answer; 503 naming the one that does not."""
    passed, report = check_report(current_app.extensions["probeops_readiness"])
    body = {"status": "ready" if passed else "unready", "checks": report}
    return body, 200 if passed else 503


def readiness_checks(app: Flask) -> dict[str, Check]:
    """The checks /readyz runs for this app's settings."""
    settings = app.extensions["probeops_settings"]
    store = app.extensions["probeops_store"]

    def database() -> None:
        with store.session() as session:
            session.execute(text("SELECT 1"))

    checks: dict[str, Check] = {"database": database}
    if not settings.embedded:
        checks["redis"] = _redis_ping(settings.redis_url)
    return checks


def _redis_ping(url: str) -> Check:
    from redis import Redis

    redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return redis.ping


def init_app(app: Flask) -> None:
    app.extensions["probeops_readiness"] = readiness_checks(app)
    app.register_blueprint(blp)
    access.mark_public(app, "health.alive", "health.ready")

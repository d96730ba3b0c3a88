"""The Flask application factory."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from probeops.plugins import Registry, get_registry
from probeops_store.database import Store
from probeops_store.settings import PlatformSettings
from probeops_worker.queues import JobQueue, ThreadQueue
from probeops_worker.worker import job_context, redis_queue

from probeops_webapp import access, authn, deployment, errors, ui
from probeops_webapp.api import API_CONFIG, PlatformApi
from probeops_webapp.blocklist import DatabaseBlocklist, RedisBlocklist
from probeops_webapp.resources import (
    api_keys,
    auth,
    diagnostics,
    measurements,
    probe_agent,
    probes,
    schedules,
    users,
)

log = logging.getLogger(__name__)

BLUEPRINTS = (
    auth.blp,
    api_keys.blp,
    users.blp,
    diagnostics.blp,
    measurements.blp,
    probes.blp,
    probe_agent.blp,
    schedules.blp,
)
SPEC_ENDPOINTS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui")


def create_app(
    settings: PlatformSettings,
    store: Store | None = None,
    queue: JobQueue | None = None,
    registry: Registry | None = None,
) -> Flask:
    """Build the API for ``settings``; parts may be handed in (tests, serve)."""
    app = Flask("probeops_webapp", static_folder=None)
    app.config.update(API_CONFIG, **_jwt_config(settings))
    store = store or Store(settings.database_url)
    registry = registry or get_registry()
    queue = queue or _queue(settings, store, registry)
    app.extensions.update(
        probeops_settings=settings,
        probeops_store=store,
        probeops_registry=registry,
        probeops_queue=queue,
    )

    api = PlatformApi(app)
    app.extensions["probeops_api"] = api
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    access.mark_public(app, *SPEC_ENDPOINTS)
    errors.register(app)
    authn.init_app(app, store, _blocklist(settings, store))
    deployment.init_app(app)
    ui.init_app(app)
    app.before_request(access.check_request)
    _throttle_logins(app, settings)
    return app


def _jwt_config(settings: PlatformSettings) -> dict:
    return {
        "JWT_SECRET_KEY": _secret_key(settings),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=settings.access_minutes),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=settings.refresh_days),
        "JWT_TOKEN_LOCATION": ["headers"],
    }


def _secret_key(settings: PlatformSettings) -> str:
    """The signing key; embedded deployments keep a generated one on disk."""
    if settings.secret_key != "generate":
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _queue(settings: PlatformSettings, store: Store, registry: Registry) -> JobQueue:
    if settings.embedded:
        context = job_context(settings, store)
        context.registry = registry
        return ThreadQueue(context, settings.threads)
    return redis_queue(settings)


def _blocklist(settings: PlatformSettings, store: Store):
    if settings.embedded:
        return DatabaseBlocklist(store)
    return RedisBlocklist(settings.redis_url)


def _throttle_logins(app: Flask, settings: PlatformSettings) -> None:
    """Answer 429 once an address has failed to log in too often."""
    storage = "memory://" if settings.embedded else settings.redis_url
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage,
        key_prefix="probeops-login",
        headers_enabled=True,
    )
    limited = limiter.limit(
        settings.login_limit,
        key_func=_login_key,
        deduct_when=lambda response: response.status_code == 401,
    )
    for endpoint in ("auth.login", "ui.login"):
        app.view_functions[endpoint] = limited(app.view_functions[endpoint])


def _login_key() -> str:
    from flask import request

    body = request.get_json(silent=True) or request.form
    email = str(body.get("email", "")).strip().lower()
    return f"{get_remote_address()}|{email}"

"""What a deployed web app adds to the API: health, metrics, proxy trust."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from probeops_webapp import health, metrics
from probeops_webapp.settings import PROXY_HOPS


def init_app(app: Flask) -> None:
    """Serve /healthz, /readyz and /metrics; trust the configured proxies."""
    health.init_app(app)
    metrics.init_app(app)
    hops = PROXY_HOPS.read()
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

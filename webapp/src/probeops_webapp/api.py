"""The flask-smorest ``Api``, answering every error with one body shape."""

from __future__ import annotations

import flask_smorest

from probeops_webapp.errors import ErrorBody, from_http_exception


class PlatformApi(flask_smorest.Api):
    """Publishes the spec and renders HTTP errors as :class:`ErrorBody`."""

    ERROR_SCHEMA = ErrorBody

    def handle_http_exception(self, error):
        return from_http_exception(error)


SWAGGER_UI_URL = "/static/ui/vendor/swagger-ui/"
"""Where the web UI serves the Swagger UI files ``scripts/vendor-ui.sh`` puts
in its static folder; the docs page says so when they are missing. The
validator badge is off: it would send the spec's address to another host."""

API_CONFIG = {
    "API_TITLE": "ProbeOps",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_URL,
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Run network diagnostics (ping, traceroute, DNS, "
            "MTR and any installed plugin) from shared probes. Authenticate "
            "with a JWT from POST /api/v1/auth/login or an API key. Every "
            "error has the body described by the ErrorBody schema."
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        },
    },
}

"""The exceptions of probeops-webapp and the one error body they all share.

Every error the API answers, from a bad password to an unknown route, has
the body ``{"status", "code", "message", "errors"}``: ``code`` is a stable
word a client branches on, ``errors`` maps each bad field to its messages.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import marshmallow as ma
from flask import Flask
from probeops.errors import (
    InvalidOptions,
    InvalidTarget,
    ProbeOpsError,
    TargetForbidden,
    UnknownDiagnostic,
)
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class PlatformError(ProbeOpsError):
    """The API cannot carry out the request."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str | None = None, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.errors = errors or {}


class NotAuthenticated(PlatformError):
    """Log in, or send a valid API key in the X-API-Key header."""

    status = 401
    code = "not_authenticated"


class PermissionDenied(PlatformError):
    """Your role does not allow this."""

    status = 403
    code = "forbidden"


class InsufficientScope(PermissionDenied):
    """This API key lacks the scope this route needs."""

    code = "insufficient_scope"


class NotFound(PlatformError):
    """There is no such object in your organisation."""

    status = 404
    code = "not_found"


class Conflict(PlatformError):
    """The object already exists."""

    status = 409
    code = "conflict"
    exit_code = 2


class InvalidRequest(PlatformError):
    """The request is not valid."""

    status = 422
    code = "invalid_request"
    exit_code = 2


class ErrorBody(ma.Schema):
    """The body of every error answer."""

    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    code = ma.fields.String(
        metadata={
            "description": "Stable error word: not_authenticated, forbidden, "
            "insufficient_scope, not_found, conflict, invalid_request, "
            "invalid_options, invalid_target, unknown_diagnostic, "
            "target_forbidden, too_many_requests, service_unavailable, ..."
        }
    )
    message = ma.fields.String(metadata={"description": "A plain sentence"})
    errors = ma.fields.Dict(metadata={"description": "Each bad field and its messages"})


def error_body(
    status: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> tuple[dict[str, Any], int]:
    body = {"status": status, "code": code, "message": message, "errors": errors or {}}
    return body, status


def from_http_exception(error: HTTPException) -> tuple[dict[str, Any], int, dict]:
    """The error body of a werkzeug exception, from routing or webargs."""
    data = getattr(error, "data", None) or {}
    errors = _unwrap_locations(data.get("messages") or data.get("errors") or {})
    message = data.get("message") or error.description or error.name
    if errors and error.code == 422:
        message = "the request has invalid fields: " + ", ".join(sorted(errors))
    code = "invalid_request" if error.code == 422 else _snake(error.name)
    body, status = error_body(error.code or 500, code, message, errors)
    return body, status, data.get("headers", {})


def _unwrap_locations(messages: dict[str, Any]) -> dict[str, Any]:
    """Drop webargs' location level (``json``, ``query``) from field errors."""
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if location in {"json", "query", "form", "headers", "path"} and isinstance(
            fields, dict
        ):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def from_probeops_error(error: ProbeOpsError) -> tuple[dict[str, Any], int]:
    """The error body of a core or platform exception."""
    if isinstance(error, PlatformError):
        return error_body(error.status, error.code, str(error), error.errors)
    if isinstance(error, InvalidOptions):
        errors = {
            f"options.{name}": messages for name, messages in error.errors.items()
        }
        return error_body(422, "invalid_options", str(error), errors)
    for kind, code in _CORE_CODES:
        if isinstance(error, kind):
            return error_body(422, code, str(error))
    log.error("unexpected %s: %s", type(error).__name__, error)
    return error_body(503, "cannot_measure", str(error))


_CORE_CODES = (
    (TargetForbidden, "target_forbidden"),
    (InvalidTarget, "invalid_target"),
    (UnknownDiagnostic, "unknown_diagnostic"),
)


def from_infrastructure_error(error: Exception) -> tuple[dict[str, Any], int]:
    """The database or Redis failed: 503, and the client may try again."""
    log.error("infrastructure error: %r", error)
    return error_body(
        503,
        "service_unavailable",
        "the platform's database or queue is not answering; try again shortly",
    )


def register(app: Flask) -> None:
    """Answer every ProbeOps exception with the shared error body."""
    from redis.exceptions import RedisError
    from sqlalchemy.exc import OperationalError

    app.register_error_handler(ProbeOpsError, from_probeops_error)
    app.register_error_handler(RedisError, from_infrastructure_error)
    app.register_error_handler(OperationalError, from_infrastructure_error)

"""The web UI's blueprint, its error pages and what every template sees."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import Blueprint, g, render_template
from probeops.errors import ProbeOpsError
from probeops_store.models import Role

from probeops_webapp.errors import NotAuthenticated, PermissionDenied, PlatformError
from probeops_webapp.ui import session

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/ui",
)

STALE_FORM = (
    "The form did not carry this session's CSRF value: it is older than your "
    "last login, or another site sent it. Reload the page and try again."
)

NAVIGATION = (
    ("ui.dashboard", "Dashboard", Role.VIEWER),
    ("ui.run", "Run", Role.OPERATOR),
    ("ui.history", "History", Role.VIEWER),
    ("ui.probe_list", "Probes", Role.VIEWER),
    ("ui.schedule_list", "Schedules", Role.VIEWER),
    ("ui.keys", "API keys", Role.VIEWER),
    ("ui.users", "Users", Role.ADMIN),
    ("ui.account", "Account", Role.VIEWER),
)


@bp.app_template_global()
def navigation() -> list[tuple[str, str]]:
    """The menu entries the current user's role opens."""
    principal = g.get("principal")
    if principal is None:
        return []
    return [
        (endpoint, label)
        for endpoint, label, role in NAVIGATION
        if principal.role.rank >= role.rank
    ]


@bp.app_template_global()
def may(role: str) -> bool:
    """Whether the current user holds ``role`` or a higher one."""
    principal = g.get("principal")
    return principal is not None and principal.role.rank >= Role(role).rank


@bp.app_template_global()
def csrf_token() -> str:
    return session.csrf_value()


@bp.app_template_filter("when")
def when(value: datetime | str | None) -> str:
    """A time as ``YYYY-MM-DD HH:MM:SS`` UTC."""
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@bp.app_template_filter("timestamp")
def from_timestamp(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


@bp.app_template_filter("ms")
def milliseconds(value: float | None) -> str:
    """A duration in milliseconds, three significant places, ``*`` if none."""
    if value is None:
        return "*"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


@bp.errorhandler(NotAuthenticated)
def _not_logged_in(error: NotAuthenticated):
    if "CSRF" in str(error):
        return _problem(403, "Form refused", STALE_FORM)
    return session.to_login()


@bp.errorhandler(429)
def _throttled(error):
    return _problem(429, "Too many attempts", "Wait a minute, then try again.")


@bp.errorhandler(PermissionDenied)
def _refused(error: PermissionDenied):
    return _problem(403, "Not allowed", str(error))


@bp.errorhandler(PlatformError)
def _platform_error(error: PlatformError):
    return _problem(error.status, "Cannot do that", str(error))


@bp.errorhandler(ProbeOpsError)
def _core_error(error: ProbeOpsError):
    return _problem(422, "Cannot do that", str(error))


def _problem(status: int, title: str, message: str):
    page = render_template("ui/problem.html", title=title, message=message)
    return page, status


@bp.errorhandler(ma.ValidationError)
def _invalid(error: ma.ValidationError):
    fields = ", ".join(f"{k}: {v}" for k, v in error.normalized_messages().items())
    return _problem(422, "Invalid input", fields)

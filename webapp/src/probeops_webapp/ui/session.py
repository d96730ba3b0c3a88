"""The browser's session: the API's JWTs kept in httpOnly cookies.

The access token travels in an httpOnly cookie that scripts cannot read;
every form that changes something carries the token's CSRF value (the
double-submit pattern flask-jwt-extended checks), and scripts send it as
the ``X-CSRF-TOKEN`` header. The refresh token's cookie is sent only to
``/refresh``, which trades it for a fresh access token and goes back to
the page asked for.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, request, url_for
from flask_jwt_extended import (
    create_access_token,
    get_csrf_token,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)
from probeops_store.models import User

from probeops_webapp.resources import auth

REFRESH_PATH = "/session"
"""The refresh token's cookie goes only to the routes under this path."""


def configure(app: Flask) -> None:
    """Let the API's token checks read the cookies this module sets.

    The production profile is served over HTTPS (behind NGINX), so its
    cookies are marked Secure; the embedded one listens on plain HTTP.
    """
    locations = app.config.get("JWT_TOKEN_LOCATION", ["headers"])
    app.config.update(
        JWT_TOKEN_LOCATION=[*locations, "cookies"],
        JWT_COOKIE_CSRF_PROTECT=True,
        JWT_CSRF_CHECK_FORM=True,
        JWT_COOKIE_SAMESITE="Lax",
        JWT_COOKIE_SECURE=not app.extensions["probeops_settings"].embedded,
        JWT_ACCESS_COOKIE_PATH="/",
        JWT_REFRESH_COOKIE_PATH=REFRESH_PATH,
        JWT_REFRESH_CSRF_COOKIE_PATH=REFRESH_PATH,
    )


def log_in(user: User, next_url: str) -> Response:
    """Go to ``next_url`` holding fresh tokens for ``user``."""
    tokens = auth.tokens_for(user, refresh=True)
    answer = redirect(safe_next(next_url))
    set_access_cookies(answer, tokens["access_token"])
    set_refresh_cookies(answer, tokens["refresh_token"])
    return answer


def refreshed(user_id: int, org_id: int, next_url: str) -> Response:
    """Go back to ``next_url`` with a new access token."""
    token = create_access_token(str(user_id), additional_claims={"org": org_id})
    answer = redirect(safe_next(next_url))
    set_access_cookies(answer, token)
    return answer


def log_out(next_url: str = "") -> Response:
    """Go to the login page without any token cookies."""
    answer = redirect(url_for("ui.login", next=next_url or None))
    unset_jwt_cookies(answer)
    return answer


def to_login() -> Response:
    """Where a page sends a visitor without a valid access token.

    A page asked for with GET goes through ``/session/refresh`` first, as
    only the browser knows whether it holds a refresh cookie; that route
    sends those without one on to the login page.
    """
    if request.endpoint == "ui.refresh":
        return log_out(request.args.get("next", ""))
    if request.method == "GET":
        return redirect(url_for("ui.refresh", next=request.full_path.rstrip("?")))
    return log_out()


def safe_next(url: str | None) -> str:
    """A local path to go to after logging in; anything else is the dashboard."""
    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return url_for("ui.dashboard")
    if parts.path.startswith(("//", "/\\")):
        return url_for("ui.dashboard")
    return url or url_for("ui.dashboard")


def refresh_cookie() -> str | None:
    """The refresh token the browser sent, on routes under the session path."""
    return request.cookies.get(current_app.config["JWT_REFRESH_COOKIE_NAME"])


def csrf_value() -> str:
    """The CSRF value forms of this page must send back."""
    token = g.get("principal") and g.principal.token
    if token and "csrf" in token:
        return token["csrf"]
    cookie = request.cookies.get("access_token_cookie")
    return get_csrf_token(cookie) if cookie else ""

"""Logging in and out, keeping the session fresh, and the account page."""

from __future__ import annotations

from flask import current_app, render_template, request
from probeops_store.models import Role, User

from probeops_webapp import accounts, authn
from probeops_webapp.access import allow, current_principal, public
from probeops_webapp.errors import InvalidRequest, NotAuthenticated
from probeops_webapp.resources import auth
from probeops_webapp.ui import session
from probeops_webapp.ui.blueprint import bp


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The login form; a right password sets the session cookies."""
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("ui/login.html", next_url=next_url, email="")
    email = request.form.get("email", "")
    try:
        user = auth.check_login(email, request.form.get("password", ""))
    except NotAuthenticated as error:
        page = render_template(
            "ui/login.html", next_url=next_url, email=email, error=str(error)
        )
        return page, 401
    return session.log_in(user, next_url)


@bp.route(f"{session.REFRESH_PATH}/logout", methods=["POST"])
@allow(Role.VIEWER, keys=False)
def logout():
    """Revoke both tokens, as the API's logout does, and drop the cookies."""
    authn.revoke_current_token()
    refresh_token = session.refresh_cookie()
    if refresh_token:
        auth.revoke_refresh(refresh_token)
    return session.log_out()


@bp.route(f"{session.REFRESH_PATH}/refresh")
@allow(Role.VIEWER, token="refresh", keys=False)
def refresh():
    """Trade the refresh cookie for a new access token, then go back."""
    principal = current_principal()
    return session.refreshed(
        principal.user_id, principal.org_id, request.args.get("next", "")
    )


@bp.route("/account", methods=["GET", "POST"])
@allow(Role.VIEWER, keys=False)
def account():
    """Who you are, and a form to change your password."""
    principal = current_principal()
    errors: dict[str, list[str]] = {}
    changed = False
    if request.method == "POST":
        errors = _change_password(principal.user_id, request.form)
        changed = not errors
    with _store().session() as db:
        user = db.get(User, principal.user_id)
    status = 422 if errors else 200
    page = render_template("ui/account.html", user=user, errors=errors, changed=changed)
    return page, status


def _change_password(user_id: int, form) -> dict[str, list[str]]:
    if form.get("new", "") != form.get("confirm", ""):
        return {"confirm": ["does not match the new password"]}
    try:
        accounts.change_password(
            _store(), user_id, form.get("current", ""), form.get("new", "")
        )
    except InvalidRequest as error:
        fields = error.errors or {"new": []}
        return {_form_field(name): [str(error)] for name in fields}
    return {}


def _form_field(name: str) -> str:
    return "new" if name == "password" else name


def _store():
    return current_app.extensions["probeops_store"]

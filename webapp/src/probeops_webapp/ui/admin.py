"""Admins manage the users of their org: add, change role, disable, remove."""

from __future__ import annotations

import marshmallow as ma
from flask import redirect, render_template, request, url_for
from probeops_store.models import Role

from probeops_webapp.access import allow, current_principal
from probeops_webapp.errors import PlatformError
from probeops_webapp.resources import users as user_api
from probeops_webapp.ui.blueprint import bp

ROLES = [role.value for role in Role]


@bp.route("/users", methods=["GET", "POST"])
@allow(Role.ADMIN, keys=False)
def users():
    """The org's users and a form to add one."""
    if request.method == "GET":
        return _page({}, {})
    sent = {name: request.form.get(name, "") for name in ("email", "role")}
    try:
        body = user_api.NewUserSchema().load(
            {**sent, "password": request.form.get("password", "")}
        )
        user_api.add_org_user(body)
    except ma.ValidationError as error:
        return _page(error.messages, sent), 422
    except PlatformError as error:
        return _page(error.errors or {"email": [str(error)]}, sent), error.status
    return redirect(url_for("ui.users"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow(Role.ADMIN, keys=False)
def change_role(user_id: int):
    """Give a user another role."""
    role = user_api.RoleChangeSchema().load({"role": request.form.get("role", "")})
    user_api.set_role(user_id, role["role"])
    return redirect(url_for("ui.users"))


@bp.route("/users/<int:user_id>/disabled", methods=["POST"])
@allow(Role.ADMIN, keys=False)
def set_disabled(user_id: int):
    """Disable a user (their tokens and keys stop working) or enable them."""
    sent = {"disabled": request.form.get("disabled", "")}
    body = user_api.UserChangeSchema().load(sent)
    user_api.set_disabled(user_id, body["disabled"])
    return redirect(url_for("ui.users"))


@bp.route("/users/<int:user_id>/remove", methods=["POST"])
@allow(Role.ADMIN, keys=False)
def remove_user(user_id: int):
    """Remove a user and their API keys; their measurements stay."""
    user_api.remove_user(user_id)
    return redirect(url_for("ui.users"))


def _page(errors: dict, sent: dict) -> str:
    return render_template(
        "ui/users.html",
        users=user_api.org_users(),
        roles=ROLES,
        errors=errors,
        sent=sent,
        me=current_principal().user_id,
    )

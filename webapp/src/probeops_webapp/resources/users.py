"""``/users``: admins manage the users of their org."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from probeops_store.models import Org, Role, User
from sqlalchemy import select

from probeops_webapp import accounts
from probeops_webapp.access import allow, current_principal
from probeops_webapp.errors import InvalidRequest, NotFound

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users")

ROLE_CHOICE = ma.validate.OneOf(
    [role.value for role in Role], error="must be one of {choices}, got {input}"
)


class NewUserSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, load_only=True)
    role = ma.fields.String(required=True, validate=ROLE_CHOICE)


class RoleChangeSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=ROLE_CHOICE)


class UserChangeSchema(ma.Schema):
    role = ma.fields.String(validate=ROLE_CHOICE)
    disabled = ma.fields.Boolean(
        error_messages={"invalid": "must be true or false, got {input}"},
        metadata={
            "description": "true disables the user: they can no longer log in, "
            "and their tokens and API keys are refused at once; false enables "
            "them again."
        },
    )

    @ma.validates_schema
    def _something_to_change(self, body: dict, **kwargs) -> None:
        if not body:
            raise ma.ValidationError(
                "nothing to change; give role, disabled or both", "_schema"
            )


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    role = ma.fields.String()
    org = ma.fields.Function(lambda user: user.org.name)
    created_at = ma.fields.AwareDateTime()
    disabled = ma.fields.Function(lambda user: user.disabled_at is not None)
    disabled_at = ma.fields.AwareDateTime(allow_none=True)


@blp.route("", methods=["GET"])
@allow(Role.ADMIN, "users:manage")
@blp.response(200, UserSchema(many=True))
def list_users():
    """List the users of your org."""
    return org_users()


def org_users() -> list[User]:
    """The users of the caller's org, oldest first."""
    principal = current_principal()
    with _store().session() as session:
        return list(
            session.scalars(
                select(User).where(User.org_id == principal.org_id).order_by(User.id)
            ).all()
        )


@blp.route("", methods=["POST"])
@allow(Role.ADMIN, "users:manage")
@blp.arguments(NewUserSchema)
@blp.response(201, UserSchema)
def create_user(body: dict):
    """Add a user to your org."""
    return add_org_user(body)


def add_org_user(body: dict) -> User:
    """Add a user from a loaded :class:`NewUserSchema` body."""
    principal = current_principal()
    accounts.check_password(body["password"])
    with _store().session() as session:
        org = session.get(Org, principal.org_id)
        return accounts.add_user(
            session, org, body["email"], body["password"], body["role"]
        )


@blp.route("/<int:user_id>", methods=["PATCH"])
@allow(Role.ADMIN, "users:manage")
@blp.arguments(UserChangeSchema)
@blp.response(200, UserSchema)
@blp.alt_response(404, description="No such user in your org")
@blp.alt_response(422, description="You cannot demote or disable yourself")
def change_user(body: dict, user_id: int):
    """Change the role of a user of your org, or disable or enable them."""
    return update_user(user_id, body)


def set_role(user_id: int, role: str) -> User:
    """Give a user of the caller's org ``role``."""
    return update_user(user_id, {"role": role})


def set_disabled(user_id: int, disabled: bool) -> User:
    """Disable or enable a user of the caller's org."""
    return update_user(user_id, {"disabled": disabled})


def update_user(user_id: int, changes: dict) -> User:
    """Apply a loaded :class:`UserChangeSchema` body to a user of the
    caller's org, all or nothing; admins cannot demote or disable
    themselves."""
    principal = current_principal()
    with _store().session() as session:
        user = _own_user(session, principal, user_id)
        if user.id == principal.user_id:
            _refuse_self_lockout(changes)
        if "role" in changes:
            user.role = changes["role"]
        if "disabled" in changes:
            _set_disabled_at(user, changes["disabled"])
        return user


def _refuse_self_lockout(changes: dict) -> None:
    if changes.get("role", Role.ADMIN.value) != Role.ADMIN.value:
        raise InvalidRequest("you cannot demote yourself", {"role": ["admin"]})
    if changes.get("disabled"):
        raise InvalidRequest(
            "you cannot disable yourself; ask another admin of your org",
            {"disabled": ["false"]},
        )


def _set_disabled_at(user: User, disabled: bool) -> None:
    if not disabled:
        user.disabled_at = None
    elif user.disabled_at is None:
        user.disabled_at = datetime.now(UTC)


@blp.route("/<int:user_id>", methods=["DELETE"])
@allow(Role.ADMIN, "users:manage")
@blp.response(204)
def delete_user(user_id: int):
    """Remove a user of your org, with their API keys."""
    remove_user(user_id)


def remove_user(user_id: int) -> None:
    """Delete a user of the caller's org other than the caller."""
    principal = current_principal()
    with _store().session() as session:
        user = _own_user(session, principal, user_id)
        if user.id == principal.user_id:
            raise InvalidRequest(
                "you cannot delete yourself", {"user_id": [str(user_id)]}
            )
        session.delete(user)


def _own_user(session, principal, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.org_id != principal.org_id:
        raise NotFound(f"there is no user {user_id}")
    return user


def _store():
    return current_app.extensions["probeops_store"]

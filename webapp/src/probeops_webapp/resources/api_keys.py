"""``/api-keys``: keys for scripts, shown once, stored only as a hash."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from probeops_store.models import ApiKey, Role
from sqlalchemy import select

from probeops_webapp import credentials
from probeops_webapp.access import SCOPES, allow, current_principal
from probeops_webapp.errors import InvalidRequest, NotFound

blp = Blueprint(
    "api_keys", __name__, url_prefix="/api/v1/api-keys", description="API keys"
)

SCOPE_CHOICE = ma.validate.OneOf(SCOPES, error="must be one of {choices}, got {input}")


class NewKeySchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    scopes = ma.fields.List(
        ma.fields.String(validate=SCOPE_CHOICE),
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={"description": f"Any of {', '.join(SCOPES)}"},
    )
    expires_at = ma.fields.AwareDateTime(
        load_default=None, metadata={"description": "When the key stops working"}
    )


class KeySchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "Public start of the key"})
    scopes = ma.fields.List(ma.fields.String())
    created_at = ma.fields.AwareDateTime()
    last_used_at = ma.fields.AwareDateTime(allow_none=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True)


class CreatedKeySchema(KeySchema):
    key = ma.fields.String(
        metadata={"description": "The whole key; shown only in this answer"}
    )


@blp.route("", methods=["GET"])
@allow(Role.VIEWER, "api-keys:manage")
@blp.response(200, KeySchema(many=True))
def list_keys():
    """List your API keys (never their secrets)."""
    return own_keys()


def own_keys() -> list[ApiKey]:
    """The caller's API keys, oldest first."""
    principal = current_principal()
    with _store().session() as session:
        rows = session.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == principal.user_id)
            .order_by(ApiKey.id)
        ).all()
        return list(rows)


@blp.route("", methods=["POST"])
@allow(Role.VIEWER, "api-keys:manage")
@blp.arguments(NewKeySchema)
@blp.response(201, CreatedKeySchema)
def create_key(body: dict):
    """Create an API key; the answer holds the key, which is not kept."""
    return issue_key(body)


def issue_key(body: dict) -> dict:
    """Make a key for the caller from a loaded :class:`NewKeySchema` body."""
    principal = current_principal()
    if body["expires_at"] is not None and body["expires_at"] <= datetime.now(UTC):
        raise InvalidRequest(
            "expires_at is in the past", {"expires_at": ["must be in the future"]}
        )
    key, prefix, stored_hash = credentials.new_api_key()
    row = ApiKey(
        user_id=principal.user_id,
        name=body["name"],
        prefix=prefix,
        secret_hash=stored_hash,
        scopes=sorted(set(body["scopes"])),
        expires_at=body["expires_at"],
        created_at=datetime.now(UTC),
    )
    with _store().session() as session:
        session.add(row)
    fields = KeySchema().fields
    return {"key": key, **{name: getattr(row, name) for name in fields}}


@blp.route("/<int:key_id>", methods=["DELETE"])
@allow(Role.VIEWER, "api-keys:manage")
@blp.response(204)
def revoke_key(key_id: int):
    """Revoke an API key at once (admins may revoke any key of their org)."""
    revoke(key_id)


def revoke(key_id: int) -> None:
    """Delete a key the caller may revoke, or raise ``NotFound``."""
    principal = current_principal()
    with _store().session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or not _may_revoke(principal, row):
            raise NotFound(f"there is no API key {key_id}")
        session.delete(row)


def _may_revoke(principal, row: ApiKey) -> bool:
    if row.user_id == principal.user_id:
        return True
    return principal.role is Role.ADMIN and row.user.org_id == principal.org_id


def _store():
    return current_app.extensions["probeops_store"]

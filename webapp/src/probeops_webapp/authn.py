"""Finding out who calls: a JWT or an API key, checked against the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from flask import Flask, current_app, request
from flask_jwt_extended import JWTManager, get_jwt, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from probeops_store.database import Store
from probeops_store.models import ApiKey, Role, User
from sqlalchemy import select, update

from probeops_webapp import credentials, probe_auth
from probeops_webapp.access import SCOPES, Policy, Principal
from probeops_webapp.blocklist import Blocklist
from probeops_webapp.errors import NotAuthenticated

LAST_USED_GRANULARITY = timedelta(seconds=60)


def init_app(app: Flask, store: Store, blocklist: Blocklist) -> None:
    """Set up JWTs and the authenticator the access policies call."""
    jwt_manager = JWTManager(app)

    @jwt_manager.token_in_blocklist_loader
    def _revoked(_header: dict, payload: dict) -> bool:
        return blocklist.is_revoked(payload["jti"])

    app.extensions["probeops_blocklist"] = blocklist
    app.extensions["probeops_authenticate"] = lambda policy: authenticate(store, policy)


def authenticate(store: Store, policy: Policy) -> Principal:
    """The caller of this request, or ``NotAuthenticated``."""
    if policy.token in probe_auth.TOKEN_KINDS:
        return probe_auth.authenticate(store, policy)
    key = _presented_key()
    if key is not None:
        if not policy.keys:
            raise NotAuthenticated("this route needs a JWT; API keys are refused")
        return _key_principal(store, key)
    return _token_principal(store, policy)


def _presented_key() -> str | None:
    key = request.headers.get("X-API-Key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.key_prefix(value.strip()):
        return value.strip()
    return None


def _token_principal(store: Store, policy: Policy) -> Principal:
    try:
        verify_jwt_in_request(refresh=policy.token == "refresh")
    except (JWTExtendedException, jwt.PyJWTError) as error:
        raise NotAuthenticated(_token_problem(error)) from None
    claims = get_jwt()
    with store.session() as session:
        user = session.get(User, int(claims["sub"]))
        if user is None:
            raise NotAuthenticated("the token's user no longer exists")
        refuse_disabled(user, "the token's user")
        return Principal(
            user.id, user.org_id, Role(user.role), frozenset(SCOPES), token=claims
        )


def _token_problem(error: Exception) -> str:
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the token has expired; refresh it or log in again"
    text = str(error) or type(error).__name__
    if "revoked" in text.lower():
        return "the token has been revoked; log in again"
    return f"the token is not valid: {text}"


def _key_principal(store: Store, key: str) -> Principal:
    prefix = credentials.key_prefix(key)
    now = datetime.now(UTC)
    with store.session() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
        if row is None or not credentials.key_matches(row.secret_hash, key):
            raise NotAuthenticated("the API key is unknown or has been revoked")
        if row.expires_at is not None and row.expires_at <= now:
            raise NotAuthenticated(f"the API key {prefix} expired at {row.expires_at}")
        refuse_disabled(row.user, f"the owner of the API key {prefix}")
        _touch(session, row, now)
        return Principal(
            row.user.id,
            row.user.org_id,
            Role(row.user.role),
            frozenset(row.scopes),
            api_key_id=row.id,
        )


def refuse_disabled(user: User, who: str) -> None:
    """Raise ``NotAuthenticated`` when an admin has disabled ``user``."""
    if user.disabled_at is not None:
        raise NotAuthenticated(
            f"{who} has been disabled; an admin of the org can enable the account"
        )


def _touch(session, row: ApiKey, now: datetime) -> None:
    """Record the key's use, at most once a minute to spare the database."""
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
        session.execute(
            update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now)
        )


def revoke_current_token() -> None:
    """Put the token of this request on the blocklist."""
    claims = get_jwt()
    blocklist: Blocklist = current_app.extensions["probeops_blocklist"]
    blocklist.revoke(claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))

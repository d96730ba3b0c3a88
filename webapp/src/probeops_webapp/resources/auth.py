"""``/auth``: log in for tokens, refresh them, log out."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_smorest import Blueprint
from probeops_store.models import Role, User
from sqlalchemy import select

from probeops_webapp import authn, credentials
from probeops_webapp.access import allow, current_principal, public
from probeops_webapp.errors import NotAuthenticated

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Log in and out"
)


class LoginSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=1024))


class TokensSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String()
    token_type = ma.fields.String(dump_default="Bearer")


class LogoutSchema(ma.Schema):
    refresh_token = ma.fields.String(
        metadata={"description": "Also revoke this refresh token."}
    )


@blp.route("/login", methods=["POST"])
@public
@blp.arguments(LoginSchema)
@blp.response(200, TokensSchema)
@blp.alt_response(401, description="Wrong e-mail or password, or a disabled user")
@blp.alt_response(429, description="Too many failed logins; wait and retry")
def login(credentials_in: dict):
    """Exchange an e-mail and password for an access and a refresh token."""
    user = check_login(credentials_in["email"], credentials_in["password"])
    return tokens_for(user, refresh=True)


def check_login(email: str, password: str) -> User:
    """The user with this e-mail and password, or ``NotAuthenticated``."""
    store = current_app.extensions["probeops_store"]
    email = email.strip().lower()
    with store.session() as session:
        user = session.scalars(select(User).where(User.email == email)).first()
        stored = user.password_hash if user else None
        if not credentials.password_matches(stored, password):
            raise NotAuthenticated("wrong e-mail or password")
        authn.refuse_disabled(user, f"the account {email}")
        return user


@blp.route("/refresh", methods=["POST"])
@allow(Role.VIEWER, token="refresh", keys=False)
@blp.response(200, TokensSchema)
def refresh():
    """Exchange a refresh token for a new access token."""
    principal = current_principal()
    return {
        "access_token": create_access_token(
            str(principal.user_id), additional_claims={"org": principal.org_id}
        ),
        "token_type": "Bearer",
    }


@blp.route("/logout", methods=["POST"])
@allow(Role.VIEWER, keys=False)
@blp.arguments(LogoutSchema)
@blp.response(204)
def logout(body: dict):
    """Revoke the access token of this request (and a refresh token if sent)."""
    authn.revoke_current_token()
    if body.get("refresh_token"):
        revoke_refresh(body["refresh_token"])


def revoke_refresh(token: str) -> None:
    """Put a refresh token on the blocklist; a token that does not decode
    has nothing left to revoke."""
    from datetime import UTC, datetime

    try:
        claims = decode_token(token)
    except Exception:  # expired or forged: nothing left to revoke
        return
    blocklist = current_app.extensions["probeops_blocklist"]
    blocklist.revoke(claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))


def tokens_for(user: User, refresh: bool) -> dict:
    claims = {"org": user.org_id}
    tokens = {
        "access_token": create_access_token(str(user.id), additional_claims=claims),
        "token_type": "Bearer",
    }
    if refresh:
        tokens["refresh_token"] = create_refresh_token(
            str(user.id), additional_claims=claims
        )
    return tokens

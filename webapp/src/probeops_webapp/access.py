"""Who may call each route: every view declares an access policy.

A policy names the lowest role allowed and, for API keys, the scope needed.
Authentication happens once per request, before the view, from the policy
of the route being called; a route without a policy is refused (and a test
walks the URL map so that none ships without one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest import Blueprint
from probeops_store.models import Role

from probeops_webapp.errors import (
    InsufficientScope,
    NotAuthenticated,
    PermissionDenied,
)

SCOPES = (
    "measurements:read",
    "measurements:write",
    "api-keys:manage",
    "users:manage",
)

View = TypeVar("View", bound=Callable[..., Any])

PUBLIC_ENDPOINTS = "probeops_public_endpoints"


@dataclass(frozen=True)
class Policy:
    """The callers a route accepts."""

    role: Role | None
    """Lowest role allowed; ``None`` makes the route public."""

    scope: str | None = None
    """Scope an API key needs; a logged-in user holds every scope."""

    token: str = "access"
    """Kind of JWT accepted: ``access`` or ``refresh``."""

    keys: bool = True
    """Whether an API key is accepted at all."""

    @property
    def public(self) -> bool:
        return self.role is None


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of this request."""

    user_id: int
    org_id: int
    role: Role
    scopes: frozenset[str]
    api_key_id: int | None = None
    token: dict[str, Any] | None = None


def public(view: View) -> View:
    """Let anyone call this route."""
    view.access_policy = Policy(None)
    return Blueprint.doc(security=[])(view)


def allow(
    role: Role, scope: str | None = None, **kwargs: Any
) -> Callable[[View], View]:
    """Let users of ``role`` or higher call this route (keys need ``scope``)."""
    policy = Policy(role, scope, **kwargs)
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")

    def decorate(view: View) -> View:
        view.access_policy = policy
        return Blueprint.doc(security=_security(policy), description=_describe(policy))(
            view
        )

    return decorate


def _security(policy: Policy) -> list[dict[str, list[str]]]:
    schemes = [{"bearer": []}]
    if policy.keys:
        schemes.append({"apiKey": []})
    return schemes


def _describe(policy: Policy) -> str:
    text = f"Allowed to role {policy.role.value} and above"
    if policy.scope and policy.keys:
        text += f"; API keys need the scope `{policy.scope}`"
    elif not policy.keys:
        text += "; API keys are not accepted"
    if policy.token == "refresh":
        text += "; send the refresh token"
    return text + "."


def mark_public(app: Flask, *endpoints: str) -> None:
    """Declare endpoints not defined here (the spec and its docs) public."""
    app.extensions.setdefault(PUBLIC_ENDPOINTS, set()).update(endpoints)


def policy_of(app: Flask, endpoint: str) -> Policy | None:
    """The policy of an endpoint, ``None`` when it declares none."""
    if endpoint in app.extensions.get(PUBLIC_ENDPOINTS, ()):
        return Policy(None)
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def check_request() -> None:
    """Authenticate and authorise the request against its route's policy."""
    if request.endpoint is None:
        return
    policy = policy_of(current_app, request.endpoint)
    if policy is None:
        raise PermissionDenied(f"route {request.endpoint} declares no access policy")
    if policy.public:
        return
    principal = current_app.extensions["probeops_authenticate"](policy)
    authorise(principal, policy)
    g.principal = principal


def authorise(principal: Principal, policy: Policy) -> None:
    """Raise unless the principal's role and scopes satisfy the policy."""
    if principal.role.rank < policy.role.rank:
        raise PermissionDenied(
            f"this needs the role {policy.role.value} or above; "
            f"you are {principal.role.value}"
        )
    if policy.scope and policy.scope not in principal.scopes:
        raise InsufficientScope(f"this API key lacks the scope {policy.scope}")


def current_principal() -> Principal:
    """The caller of the request being handled."""
    principal = g.get("principal")
    if principal is None:
        raise NotAuthenticated()
    return principal

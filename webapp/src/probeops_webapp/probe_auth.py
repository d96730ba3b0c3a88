"""Probe credentials: how they are made, presented and checked.

An enrolment token (``poe_``) is traded once for a probe credential
(``pop_``); both are a public prefix, an underscore and a random secret,
and only a SHA-256 of the whole text is stored. A probe credential is sent
as ``Authorization: Bearer pop_...`` and is accepted on probe routes only.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask_smorest import Blueprint
from probeops_store.database import Store
from probeops_store.models import Role, utcnow
from probeops_store.probe_models import EnrolmentToken, Probe
from sqlalchemy import select, update

from probeops_webapp import credentials
from probeops_webapp.access import Policy, Principal
from probeops_webapp.errors import NotAuthenticated

ENROLMENT_MARK = "poe_"
PROBE_MARK = "pop_"
PROBE_POLICY = Policy(Role.VIEWER, token="probe", keys=False)
ENROLMENT_POLICY = Policy(Role.VIEWER, token="enrolment", keys=False)
TOKEN_KINDS = ("probe", "enrolment")

View = TypeVar("View", bound=Callable[..., Any])


def new_secret(mark: str) -> tuple[str, str, str]:
    """A new token's full text, its public prefix and its stored hash."""
    prefix = mark + secrets.token_hex(6)
    text = f"{prefix}_{secrets.token_urlsafe(32)}"
    return text, prefix, credentials.key_hash(text)


def prefix_of(text: str, mark: str) -> str | None:
    """The public prefix of a token shaped as ``mark``, else ``None``."""
    size = len(mark) + 12
    head, separator, secret = text[:size], text[size : size + 1], text[size + 1 :]
    if not text.startswith(mark) or separator != "_" or not secret:
        return None
    return head


def secret_matches(stored_hash: str, text: str) -> bool:
    return hmac.compare_digest(stored_hash, credentials.key_hash(text))


def probe_route(view: View) -> View:
    """Let only enrolled, unrevoked probes call this route."""
    view.access_policy = PROBE_POLICY
    return Blueprint.doc(
        security=[{"bearer": []}],
        description="Probes only: send the probe credential (pop_...) as "
        "a bearer token; user tokens and API keys are refused.",
    )(view)


def enrolment_route(view: View) -> View:
    """Let only a caller holding an unused enrolment token call this route."""
    view.access_policy = ENROLMENT_POLICY
    return Blueprint.doc(
        security=[{"bearer": []}],
        description="Send a one-time enrolment token (poe_...) as a bearer token.",
    )(view)


def authenticate(store: Store, policy: Policy) -> Principal:
    """The caller of a probe or enrolment route, or ``NotAuthenticated``."""
    if policy.token == "enrolment":
        return authenticate_enrolment(store)
    return authenticate_probe(store)


def authenticate_enrolment(store: Store) -> Principal:
    """The org of a presented enrolment token that is unused and unexpired."""
    with store.session() as session:
        token, prefix = _presented_row(session, EnrolmentToken, ENROLMENT_MARK)
        if token.used_at is not None:
            raise NotAuthenticated(f"the enrolment token {prefix} was already used")
        if token.expires_at <= utcnow():
            raise NotAuthenticated(f"the enrolment token {prefix} has expired")
    g.enrolment_token_id = token.id
    return Principal(0, token.org_id, Role.VIEWER, frozenset(), token={"enrol": 1})


def authenticate_probe(store: Store) -> Principal:
    """The probe calling this request, or ``NotAuthenticated``."""
    with store.session() as session:
        probe, _prefix = _presented_row(session, Probe, PROBE_MARK)
        if probe.revoked_at is not None:
            raise NotAuthenticated(
                f"probe {probe.id} was revoked at {probe.revoked_at:%Y-%m-%dT%H:%M:%SZ}"
            )
        _seen(session, probe.id)
    g.probe_id = probe.id
    return Principal(0, probe.org_id, Role.VIEWER, frozenset(), token={"probe": 1})


MARK_NAMES = {ENROLMENT_MARK: "an enrolment token", PROBE_MARK: "a probe credential"}


def _presented_row(session, model, mark: str):
    """The row whose secret the request presents, and its prefix."""
    text = _presented()
    prefix = prefix_of(text, mark)
    if prefix is None:
        raise NotAuthenticated(f"send {MARK_NAMES[mark]} ({mark}...) as a bearer token")
    row = session.scalars(select(model).where(model.prefix == prefix)).first()
    if row is None or not secret_matches(row.secret_hash, text):
        raise NotAuthenticated(f"{MARK_NAMES[mark]} {prefix} is unknown")
    return row, prefix


def _presented() -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _seen(session, probe_id: str) -> None:
    session.execute(
        update(Probe).where(Probe.id == probe_id).values(last_seen_at=utcnow())
    )


def current_probe_id() -> str:
    """The id of the probe calling this request."""
    probe_id = g.get("probe_id")
    if probe_id is None:
        raise NotAuthenticated()
    return probe_id

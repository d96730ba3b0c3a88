"""Orgs and users: creating them, from the API and the command line."""

from __future__ import annotations

from probeops_store.database import Store
from probeops_store.models import Org, Role, User
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probeops_webapp import credentials
from probeops_webapp.errors import Conflict, InvalidRequest

DEFAULT_ORG = "default"
MIN_PASSWORD = 12


def create_user(
    store: Store, email: str, password: str, role: str, org: str = DEFAULT_ORG
) -> User:
    """Create a user, and the org when it does not exist yet."""
    check_password(password)
    role = parse_role(role).value
    with store.session() as session:
        return add_user(session, _org(session, org), email, password, role)


def add_user(session: Session, org: Org, email: str, password: str, role: str):
    email = email.strip().lower()
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        org=org,
        email=email,
        password_hash=credentials.hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def _org(session: Session, name: str) -> Org:
    org = session.scalars(select(Org).where(Org.name == name)).first()
    if org is None:
        org = Org(name=name)
        session.add(org)
        session.flush()
    return org


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidRequest(
            f"role {text!r} is not one of {allowed}", {"role": [f"one of {allowed}"]}
        ) from None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD}",
            {"password": [f"at least {MIN_PASSWORD} characters"]},
        )


def user_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count(User.id))) or 0


def change_password(store: Store, user_id: int, current: str, new: str) -> None:
    """Replace a user's password after checking the one they have now."""
    with store.session() as session:
        user = session.get(User, user_id)
        if user is None or not credentials.password_matches(
            user.password_hash, current
        ):
            raise InvalidRequest(
                "the current password is wrong", {"current": ["does not match"]}
            )
        check_password(new)
        user.password_hash = credentials.hash_password(new)

"""Passwords and API keys: how they are made, stored and checked.

Passwords are hashed with argon2. An API key is ``pok_`` and a public id,
an underscore and a random secret; the id finds the row, and only a SHA-256
of the whole key is stored (the secret is random, so a slow hash adds
nothing but latency to every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

KEY_MARK = "pok_"
PREFIX_LENGTH = len(KEY_MARK) + 12

_hasher = PasswordHasher()

# Checked when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time for unknown users."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> tuple[str, str, str]:
    """Return a new key's full text, its public prefix and its stored hash."""
    prefix = KEY_MARK + secrets.token_hex(6)
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The public prefix of a key text, ``None`` if it is not shaped as one."""
    prefix, separator, secret = key[PREFIX_LENGTH:].partition("_")
    if not key.startswith(KEY_MARK) or prefix or not separator or not secret:
        return None
    return key[:PREFIX_LENGTH]


def key_matches(stored_hash: str, key: str) -> bool:
    return hmac.compare_digest(stored_hash, key_hash(key))

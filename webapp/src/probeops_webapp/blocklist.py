"""Revoked tokens: kept in Redis (production) or the database (embedded)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from probeops_store.database import Store
from probeops_store.models import RevokedToken
from sqlalchemy import delete


class Blocklist(Protocol):
    """Remembers revoked token ids until the tokens expire anyway."""

    def revoke(self, jti: str, expires_at: datetime) -> None: ...

    def is_revoked(self, jti: str) -> bool: ...


class DatabaseBlocklist:
    def __init__(self, store: Store) -> None:
        self.store = store

    def revoke(self, jti: str, expires_at: datetime) -> None:
        with self.store.session() as session:
            session.execute(
                delete(RevokedToken).where(RevokedToken.expires_at < _now())
            )
            session.merge(RevokedToken(jti=jti, expires_at=expires_at))

    def is_revoked(self, jti: str) -> bool:
        with self.store.session() as session:
            return session.get(RevokedToken, jti) is not None


class RedisBlocklist:
    def __init__(self, redis_url: str, prefix: str = "probeops:revoked:") -> None:
        from redis import Redis

        self.redis = Redis.from_url(redis_url)
        self.prefix = prefix

    def revoke(self, jti: str, expires_at: datetime) -> None:
        seconds = max(1, int((expires_at - _now()).total_seconds()) + 1)
        self.redis.set(self.prefix + jti, b"1", ex=seconds)

    def is_revoked(self, jti: str) -> bool:
        return bool(self.redis.exists(self.prefix + jti))


def _now() -> datetime:
    return datetime.now(UTC)

"""The roles a platform user may hold, without loading the database layer."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user may do in their org, each role including the one below."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

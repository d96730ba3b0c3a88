"""The exceptions of probeops-store, rooted at :class:`StoreError`."""

from __future__ import annotations

from probeops.errors import ProbeOpsError


class StoreError(ProbeOpsError):
    """The platform database cannot be used."""

    retryable = True


class SchemaOutOfDate(StoreError):
    """The database schema is older than this code: run `probeops db upgrade`."""

    retryable = False

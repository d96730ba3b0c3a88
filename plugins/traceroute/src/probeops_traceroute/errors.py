"""The exceptions of probeops-traceroute, rooted at :class:`TracerouteError`."""

from __future__ import annotations

from probeops.errors import BadInput, ProbeOpsError


class TracerouteError(ProbeOpsError):
    """The trace could not be carried out."""


class UnsupportedTarget(TracerouteError, BadInput):
    """Traceroute cannot probe this kind of address."""

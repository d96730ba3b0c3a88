"""The exceptions of probeops-mtr, rooted at :class:`MtrError`."""

from __future__ import annotations

from probeops.errors import BadInput, ProbeOpsError


class MtrError(ProbeOpsError):
    """The MTR run could not be carried out."""


class UnsupportedTarget(MtrError, BadInput):
    """MTR cannot probe this kind of address."""

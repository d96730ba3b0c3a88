"""The exceptions of the network lab, rooted at :class:`LabError`."""

from __future__ import annotations

from collections.abc import Sequence

from probeops.errors import BadInput, ProbeOpsError


class LabError(ProbeOpsError):
    """The network lab could not be built, changed or removed."""

    def __init__(
        self,
        message: str | None = None,
        command: Sequence[str] | None = None,
        stderr: str = "",
    ) -> None:
        self.command = list(command) if command is not None else None
        self.stderr = stderr
        super().__init__(message)


class InvalidLab(LabError, BadInput):
    """The lab request names a value the lab does not allow."""


class LabUnavailable(LabError):
    """This host cannot build labs (root, ``ip`` and ``nft`` are needed)."""

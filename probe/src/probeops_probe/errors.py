"""The exceptions of probeops-probe."""

from __future__ import annotations

from probeops.errors import ProbeOpsError


class AgentError(ProbeOpsError):
    """The probe agent cannot go on."""


class ApiUnreachable(AgentError):
    """The platform API did not answer; results wait in the outbox."""

    retryable = True

    def __init__(self, message: str | None = None, retry_after: float = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ApiRefused(AgentError):
    """The platform API refused the request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"the API answered {status}: {message}")
        self.status = status


class NotEnrolled(AgentError):
    """This probe has no credential: run `probeops-probe enrol` first."""


class BadConfig(AgentError):
    """The local check file is not valid."""

    exit_code = 2

"""The exceptions of probeops-core, rooted at :class:`ProbeOpsError`.

Each class is named after the condition it reports; its docstring is the
default message. Callers branch on :attr:`ProbeOpsError.exit_code` (what the
CLI returns) and :attr:`ProbeOpsError.retryable` (whether trying again later
can help).
"""

from __future__ import annotations


class ProbeOpsError(Exception):
    """ProbeOps could not carry out the request."""

    exit_code = 3
    retryable = False

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self)


class BadInput(ProbeOpsError):
    """The request is not valid."""

    exit_code = 2


class InvalidTarget(BadInput):
    """The target is neither an IP address nor a hostname."""


class InvalidOptions(BadInput):
    """One or more options are out of range."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        text = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in errors.items()
        )
        super().__init__(f"invalid options: {text}")


class UnknownDiagnostic(BadInput):
    """No installed plugin provides that diagnostic."""


class TargetForbidden(BadInput):
    """The target is not allowed by this deployment's target policy."""


class ResolveError(ProbeOpsError):
    """The hostname could not be resolved."""

    retryable = True


class CannotMeasure(ProbeOpsError):
    """This host cannot run the diagnostic (privileges or tools are missing)."""


class PluginError(ProbeOpsError):
    """A plugin is broken or conflicts with another plugin."""


class DuplicateDiagnostic(PluginError):
    """Two plugins provide a diagnostic of the same name."""

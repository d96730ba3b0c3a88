"""The agent's one network seam: JSON over HTTP(S) to the platform API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from probeops_probe.errors import ApiRefused, ApiUnreachable

TIMEOUT = 10.0
RETRY_STATUSES = {429, 502, 503, 504}


def call(
    base: str, method: str, path: str, token: str, body: Any = None
) -> dict[str, Any]:
    """Send one request; the decoded answer, or an :class:`AgentError`."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base.rstrip("/") + path, data=data, method=method, headers=_headers(token)
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise _refusal(error) from None
    except (OSError, ValueError) as error:
        raise ApiUnreachable(f"{base} did not answer: {error}") from None


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _refusal(error: urllib.error.HTTPError):
    text = error.read().decode(errors="replace")
    try:
        message = json.loads(text).get("message", text)
    except ValueError:
        message = text
    if error.code in RETRY_STATUSES or error.code >= 500:
        wait = retry_after(error.headers.get("Retry-After"))
        return ApiUnreachable(f"the API answered {error.code}: {message}", wait)
    return ApiRefused(error.code, message)


def retry_after(header: str | None) -> float:
    """Seconds a Retry-After header asks for (0 when absent or a date)."""
    try:
        return max(0.0, float(header)) if header else 0.0
    except ValueError:
        return 0.0

"""The API's interactive docs run from the platform's own files under its CSP."""

from __future__ import annotations

import re
from pathlib import Path

import probeops_webapp
import pytest

from .conftest import snap

VENDOR = Path(probeops_webapp.__file__).parent / "ui/static/vendor/swagger-ui"
NGINX = Path(__file__).parents[3] / "nginx/probeops.conf.template"


def _deployment_csp() -> str:
    """The Content-Security-Policy NGINX adds in production."""
    found = re.search(r'Content-Security-Policy "([^"]+)"', NGINX.read_text())
    return found.group(1)


def _with_deployment_csp(route) -> None:
    answer = route.fetch()
    headers = {**answer.headers, "content-security-policy": _deployment_csp()}
    route.fulfill(response=answer, headers=headers)


@pytest.mark.skipif(
    not (VENDOR / "swagger-ui-bundle.js").exists(),
    reason="scripts/vendor-ui.sh could not fetch swagger-ui-dist (no npm)",
)
def test_api_docs_render_the_spec_with_no_request_to_another_host(page, server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.route("**/api/docs", _with_deployment_csp)
    page.goto("/api/docs")
    page.wait_for_selector('[data-path="/api/v1/measurements"]')
    snap(page, "api-docs")

    assert page.is_hidden("#swagger-ui-missing")
    assert f"{server.url}/api/openapi.json" in requested
    assert all(url.startswith(server.url) for url in requested), requested

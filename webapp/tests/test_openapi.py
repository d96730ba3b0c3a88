"""The OpenAPI document describes every route, its security and errors."""

import re
from pathlib import Path

import probeops_webapp
import pytest

VENDOR = Path(probeops_webapp.__file__).parent / "ui/static/vendor/swagger-ui"


def test_spec_is_served_at_api_openapi_json_without_login(platform):
    spec = platform.client.get("/api/openapi.json").json

    assert spec["openapi"].startswith("3.")
    assert "/api/v1/measurements" in spec["paths"]
    assert "/api/v1/measurements/{measurement_id}" in spec["paths"]


def test_interactive_docs_are_served_at_api_docs(platform):
    answer = platform.client.get("/api/docs")

    assert answer.status_code == 200
    assert b"swagger-ui" in answer.data
    assert b"/api/openapi.json" in answer.data


def _references(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', page)


def test_interactive_docs_reference_no_external_host(platform):
    page = platform.client.get("/api/docs").data.decode()

    references = _references(page)
    assert "/static/ui/vendor/swagger-ui/swagger-ui-bundle.js" in references
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references)
    assert "http://" not in page and "https://" not in page
    assert "<script>" not in page
    assert '"validatorUrl": null' in page


@pytest.mark.skipif(
    not (VENDOR / "swagger-ui-bundle.js").exists(),
    reason="scripts/vendor-ui.sh could not fetch swagger-ui-dist (no npm)",
)
def test_interactive_docs_files_are_served_by_the_platform(platform):
    page = platform.client.get("/api/docs").data.decode()

    for reference in _references(page):
        with platform.client.get(reference) as answer:
            assert answer.status_code == 200, reference


def test_interactive_docs_say_where_the_spec_is_when_files_are_missing(platform):
    page = platform.client.get("/api/docs").data.decode()

    assert 'id="swagger-ui-missing" hidden' in page
    assert "scripts/vendor-ui.sh" in page
    assert '<a href="/api/openapi.json">' in page


def test_one_error_body_shape_is_documented_for_every_operation(platform):
    spec = platform.client.get("/api/openapi.json").json
    error = spec["components"]["schemas"]["ErrorBody"]

    assert set(error["properties"]) == {"status", "code", "message", "errors"}
    for path, operations in spec["paths"].items():
        for method, operation in _operations(operations):
            default = operation["responses"]["default"]["$ref"]
            assert default == "#/components/responses/DEFAULT_ERROR", (path, method)


def test_every_operation_but_login_requires_credentials_in_the_spec(platform):
    spec = platform.client.get("/api/openapi.json").json

    for path, operations in spec["paths"].items():
        for method, operation in _operations(operations):
            expected = [] if path == "/api/v1/auth/login" else operation["security"]
            assert operation["security"] == expected, (path, method)
            if path != "/api/v1/auth/login":
                assert {"bearer": []} in operation["security"]


def test_diagnostics_publish_their_options_as_json_schema(platform):
    listed = platform.client.get(
        "/api/v1/diagnostics", headers=platform.user("viewer")
    ).json
    ping = next(d for d in listed if d["name"] == "ping")

    schema = ping["options_schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["count"]["minimum"] == 1
    assert "description" in schema["properties"]["count"]


def _operations(operations: dict):
    methods = {"get", "post", "put", "patch", "delete"}
    return [(m, op) for m, op in operations.items() if m in methods]

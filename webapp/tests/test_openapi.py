"""The OpenAPI document describes every route, its security and errors."""


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

"""Who may call what: every route has a policy, and the policies hold."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from probeops_store.models import ApiKey
from probeops_webapp.access import policy_of
from probeops_webapp.testing import PASSWORD, embedded_platform
from sqlalchemy import update

PING = {"diagnostic": "ping", "targets": ["127.0.0.1"], "options": {"count": 1}}


def test_every_route_in_the_url_map_declares_an_access_policy(platform):
    app = platform.app
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if policy_of(app, rule.endpoint) is None
    ]

    assert missing == []
    assert len(list(app.url_map.iter_rules())) >= 12


def test_only_login_the_spec_health_and_metrics_are_public(platform):
    app = platform.app
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if policy_of(app, rule.endpoint).public
    }

    assert public == {
        "auth.login",
        "api-docs.openapi_json",
        "api-docs.openapi_swagger_ui",
        "health.alive",
        "health.ready",
        "metrics.scrape",
        "ui.login",
        "ui.static",
    }


def test_a_route_without_a_policy_is_refused(platform):
    platform.app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: "open")

    answer = platform.client.get("/api/v1/forgotten")

    assert answer.status_code == 403
    assert "declares no access policy" in answer.json["message"]


def test_no_credentials_gets_401_with_the_error_body(platform):
    answer = platform.client.get("/api/v1/measurements")

    assert answer.status_code == 401
    assert answer.json["code"] == "not_authenticated"
    assert set(answer.json) == {"status", "code", "message", "errors"}


def test_wrong_password_gets_401(platform):
    platform.user()
    answer = platform.client.post(
        "/api/v1/auth/login", json={"email": "nobody@x.example", "password": "x" * 12}
    )

    assert answer.status_code == 401
    assert answer.json["message"] == "wrong e-mail or password"


def test_revoked_access_token_gets_401(platform):
    headers = platform.user("viewer")
    assert (
        platform.client.post(
            "/api/v1/auth/logout", headers=headers, json={}
        ).status_code
        == 204
    )

    answer = platform.client.get("/api/v1/diagnostics", headers=headers)

    assert answer.status_code == 401
    assert "revoked" in answer.json["message"]


def test_refresh_token_gives_a_new_access_token_until_logout(platform):
    platform.user("viewer")
    refresh = {"Authorization": f"Bearer {platform.last_tokens['refresh_token']}"}
    access = {"Authorization": f"Bearer {platform.last_tokens['access_token']}"}

    renewed = platform.client.post("/api/v1/auth/refresh", headers=refresh)
    assert renewed.status_code == 200
    new_access = {"Authorization": f"Bearer {renewed.json['access_token']}"}
    assert (
        platform.client.get("/api/v1/diagnostics", headers=new_access).status_code
        == 200
    )

    platform.client.post(
        "/api/v1/auth/logout",
        headers=access,
        json={"refresh_token": platform.last_tokens["refresh_token"]},
    )
    assert (
        platform.client.post("/api/v1/auth/refresh", headers=refresh).status_code == 401
    )


def test_access_token_cannot_be_used_to_refresh(platform):
    headers = platform.user("viewer")

    answer = platform.client.post("/api/v1/auth/refresh", headers=headers)

    assert answer.status_code == 401


def test_expired_access_token_gets_401(tmp_path):
    platform = embedded_platform(tmp_path, PROBEOPS_ACCESS_TOKEN_MINUTES="1")
    headers = platform.user("viewer")
    platform.app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(seconds=1)
    headers = platform.login(platform_last_email(platform))
    time.sleep(2.1)

    answer = platform.client.get("/api/v1/diagnostics", headers=headers)

    assert answer.status_code == 401
    assert "expired" in answer.json["message"]
    platform.queue.close()


def platform_last_email(platform) -> str:
    from probeops_store.models import User
    from sqlalchemy import select

    with platform.store.session() as session:
        return session.scalars(select(User.email).order_by(User.id.desc())).first()


def test_api_key_is_accepted_in_either_header(platform):
    key = platform.api_key(platform.user("viewer"), ["measurements:read"])
    bearer = {"Authorization": f"Bearer {key['X-API-Key']}"}

    assert platform.client.get("/api/v1/measurements", headers=key).status_code == 200
    assert (
        platform.client.get("/api/v1/measurements", headers=bearer).status_code == 200
    )


def test_api_key_listing_shows_prefix_and_use_but_never_the_secret(platform):
    headers = platform.user("viewer")
    key = platform.api_key(headers, ["measurements:read"])
    platform.client.get("/api/v1/measurements", headers=key)

    listed = platform.client.get("/api/v1/api-keys", headers=headers).json

    assert len(listed) == 1
    assert key["X-API-Key"].startswith(listed[0]["prefix"] + "_")
    assert listed[0]["last_used_at"] is not None
    assert "key" not in listed[0] and "secret_hash" not in listed[0]


def test_revoked_api_key_gets_401_at_once(platform):
    headers = platform.user("viewer")
    key = platform.api_key(headers, ["measurements:read"])
    key_id = platform.client.get("/api/v1/api-keys", headers=headers).json[0]["id"]

    assert (
        platform.client.delete(
            f"/api/v1/api-keys/{key_id}", headers=headers
        ).status_code
        == 204
    )
    answer = platform.client.get("/api/v1/measurements", headers=key)

    assert answer.status_code == 401
    assert "revoked" in answer.json["message"]


def test_expired_api_key_gets_401(platform):
    headers = platform.user("viewer")
    soon = datetime.now(UTC) + timedelta(hours=1)
    key = platform.api_key(headers, ["measurements:read"], expires_at=soon.isoformat())
    with platform.store.session() as session:
        session.execute(
            update(ApiKey).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    answer = platform.client.get("/api/v1/measurements", headers=key)

    assert answer.status_code == 401
    assert "expired" in answer.json["message"]


def test_forged_api_key_with_a_real_prefix_gets_401(platform):
    key = platform.api_key(platform.user("viewer"), ["measurements:read"])
    forged = key["X-API-Key"][:17] + "A" * 43

    answer = platform.client.get("/api/v1/measurements", headers={"X-API-Key": forged})

    assert answer.status_code == 401


def test_api_key_with_the_wrong_scope_gets_403(platform):
    key = platform.api_key(platform.user("operator"), ["measurements:read"])

    answer = platform.client.post("/api/v1/measurements", headers=key, json=PING)

    assert answer.status_code == 403
    assert answer.json["code"] == "insufficient_scope"


def test_unknown_scope_is_refused_naming_the_allowed_ones(platform):
    answer = platform.client.post(
        "/api/v1/api-keys",
        headers=platform.user("viewer"),
        json={"name": "k", "scopes": ["everything"]},
    )

    assert answer.status_code == 422
    assert "measurements:read" in str(answer.json["errors"]["scopes"])


def test_viewer_cannot_submit_a_measurement(platform):
    answer = platform.client.post(
        "/api/v1/measurements", headers=platform.user("viewer"), json=PING
    )

    assert answer.status_code == 403
    assert answer.json["code"] == "forbidden"
    assert platform.queue.submitted == []


def test_operator_cannot_manage_users(platform):
    answer = platform.client.get("/api/v1/users", headers=platform.user("operator"))

    assert answer.status_code == 403


def test_org_a_reading_org_b_measurement_gets_404(platform):
    org_b = platform.user("operator", org="bravo")
    submitted = platform.client.post("/api/v1/measurements", headers=org_b, json=PING)
    org_a = platform.user("admin", org="alpha")

    answer = platform.client.get(submitted.headers["Location"], headers=org_a)
    listing = platform.client.get("/api/v1/measurements", headers=org_a).json

    assert answer.status_code == 404
    assert answer.json["code"] == "not_found"
    assert listing["items"] == []


def test_admin_manages_only_the_users_of_their_org(platform):
    admin = platform.user("admin", org="alpha")
    platform.user("viewer", org="bravo")
    created = platform.client.post(
        "/api/v1/users",
        headers=admin,
        json={"email": "new@alpha.example", "password": PASSWORD, "role": "viewer"},
    )

    listed = platform.client.get("/api/v1/users", headers=admin).json
    promoted = platform.client.patch(
        f"/api/v1/users/{created.json['id']}", headers=admin, json={"role": "operator"}
    )
    foreign = platform.client.delete("/api/v1/users/2", headers=admin)

    assert created.status_code == 201
    assert {user["org"] for user in listed} == {"alpha"}
    assert promoted.json["role"] == "operator"
    assert foreign.status_code == 404


def test_bad_role_is_refused_naming_the_allowed_roles(platform):
    answer = platform.client.post(
        "/api/v1/users",
        headers=platform.user("admin"),
        json={"email": "x@alpha.example", "password": PASSWORD, "role": "root"},
    )

    assert answer.status_code == 422
    assert "admin" in str(answer.json["errors"]["role"])


@pytest.mark.parametrize("limit", ["3 per minute"])
def test_repeated_failed_logins_are_throttled(tmp_path, limit):
    platform = embedded_platform(tmp_path, PROBEOPS_LOGIN_LIMIT=limit)
    platform.user("viewer")
    email = platform_last_email(platform)
    wrong = {"email": email, "password": "not the password"}

    codes = [
        platform.client.post("/api/v1/auth/login", json=wrong).status_code
        for _ in range(4)
    ]
    right = platform.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )

    assert codes == [401, 401, 401, 429]
    assert right.status_code == 429
    assert right.json["code"] == "too_many_requests"
    platform.queue.close()

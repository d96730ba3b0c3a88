"""Admins disable and enable the users of their org through ``/users``."""

import pytest
from probeops_webapp import accounts
from probeops_webapp.testing import PASSWORD

ERROR_BODY = {"status", "code", "message", "errors"}


class Member:
    """A user of the org alpha with a token, a refresh token and an API key."""

    def __init__(self, platform, email: str, role: str = "operator") -> None:
        user = accounts.create_user(platform.store, email, PASSWORD, role, "alpha")
        self.id = user.id
        self.email = email
        self.token = platform.login(email)
        self.refresh = {
            "Authorization": f"Bearer {platform.last_tokens['refresh_token']}"
        }
        self.key = platform.api_key(self.token, ["measurements:read"])


def _disable(platform, admin: dict, user_id: int, disabled: bool = True):
    return platform.client.patch(
        f"/api/v1/users/{user_id}", headers=admin, json={"disabled": disabled}
    )


def _login(platform, email: str):
    return platform.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )


def _measurements(platform, headers: dict) -> int:
    return platform.client.get("/api/v1/measurements", headers=headers).status_code


def test_a_disabled_user_cannot_log_in_and_what_they_hold_stops_working(platform):
    admin = platform.user("admin")
    member = Member(platform, "disabled@alpha.example")

    answer = _disable(platform, admin, member.id)
    login = _login(platform, member.email)
    with_token = platform.client.get("/api/v1/measurements", headers=member.token)
    with_key = platform.client.get("/api/v1/measurements", headers=member.key)
    refresh = platform.client.post("/api/v1/auth/refresh", headers=member.refresh)

    assert answer.status_code == 200
    assert answer.json["disabled"] is True
    assert answer.json["disabled_at"] is not None
    for refused in (login, with_token, with_key, refresh):
        assert refused.status_code == 401
        assert set(refused.json) == ERROR_BODY
        assert refused.json["code"] == "not_authenticated"
        assert "has been disabled" in refused.json["message"]
    assert "disabled@alpha.example" in login.json["message"]


def test_a_wrong_password_of_a_disabled_user_says_only_wrong_password(platform):
    admin = platform.user("admin")
    member = Member(platform, "quiet@alpha.example")
    _disable(platform, admin, member.id)

    answer = platform.client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": "x" * 12}
    )

    assert answer.status_code == 401
    assert answer.json["message"] == "wrong e-mail or password"


def test_an_enabled_user_logs_in_again_and_keeps_their_key(platform):
    admin = platform.user("admin")
    member = Member(platform, "back@alpha.example")
    _disable(platform, admin, member.id)

    answer = _disable(platform, admin, member.id, disabled=False)

    assert answer.status_code == 200
    assert answer.json["disabled"] is False
    assert answer.json["disabled_at"] is None
    assert _login(platform, member.email).status_code == 200
    assert _measurements(platform, member.token) == 200
    assert _measurements(platform, member.key) == 200


def test_the_user_list_shows_who_is_disabled(platform):
    admin = platform.user("admin")
    member = Member(platform, "listed@alpha.example")
    _disable(platform, admin, member.id)

    listed = platform.client.get("/api/v1/users", headers=admin).json

    states = {user["email"]: user["disabled"] for user in listed}
    assert states["listed@alpha.example"] is True
    assert list(states.values()).count(True) == 1


@pytest.mark.parametrize(
    ("role", "org", "status", "code"),
    [
        ("admin", "bravo", 404, "not_found"),
        ("viewer", "alpha", 403, "forbidden"),
        ("operator", "alpha", 403, "forbidden"),
    ],
    ids=["admin-of-another-org", "viewer", "operator"],
)
def test_only_an_admin_of_the_org_can_disable_a_user(platform, role, org, status, code):
    member = Member(platform, f"target-of-{role}-{org}@alpha.example")
    caller = platform.user(role, org=org)

    answer = _disable(platform, caller, member.id)

    assert answer.status_code == status
    assert answer.json["code"] == code
    assert _login(platform, member.email).status_code == 200


def test_an_admin_cannot_disable_themself(platform):
    admin = platform.user("admin")
    me = platform.client.get("/api/v1/users", headers=admin).json[0]

    answer = _disable(platform, admin, me["id"])

    assert answer.status_code == 422
    assert answer.json["message"].startswith("you cannot disable yourself")
    assert answer.json["errors"] == {"disabled": ["false"]}
    assert _measurements(platform, admin) == 200


def test_a_patch_with_nothing_to_change_is_refused_naming_the_fields(platform):
    admin = platform.user("admin")
    member = Member(platform, "unchanged@alpha.example")

    empty = platform.client.patch(f"/api/v1/users/{member.id}", headers=admin, json={})
    wrong = _disable(platform, admin, member.id, disabled="maybe")

    assert empty.status_code == 422
    assert "role, disabled" in str(empty.json["errors"])
    assert wrong.status_code == 422
    assert wrong.json["errors"] == {"disabled": ["must be true or false, got maybe"]}


def test_role_and_disabled_change_together_or_not_at_all(platform):
    admin = platform.user("admin")
    me = platform.client.get("/api/v1/users", headers=admin).json[0]

    answer = platform.client.patch(
        f"/api/v1/users/{me['id']}",
        headers=admin,
        json={"role": "admin", "disabled": True},
    )

    assert answer.status_code == 422
    assert platform.client.get("/api/v1/users", headers=admin).json[0] == me


def test_the_spec_documents_disabling_on_the_users_resource(platform):
    spec = platform.client.get("/api/openapi.json").json
    patch = spec["paths"]["/api/v1/users/{user_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][body.rsplit("/", 1)[1]]

    assert schema["properties"]["disabled"]["type"] == "boolean"
    assert "disables the user" in schema["properties"]["disabled"]["description"]
    assert {"404", "422"} <= set(patch["responses"])
    assert "disabled" in spec["components"]["schemas"]["User"]["properties"]

"""Login, sessions, bearer tokens, API keys: every revocation takes effect on the next request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.identity import service
from industrybrain.modules.identity.auth import LOGIN_FAILURE_LIMIT, SESSION_COOKIE
from industrybrain.runtime import get_database

from .conftest import PASSWORD, World, bearer, login


def test_password_login_sets_httponly_cookie_and_hashes_with_argon2(
    client: TestClient, world: World
) -> None:
    response = client.post("/api/auth/login", json={"username": "A_Admin", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "a_admin"
    assert body["organization"]["id"] == world.orgs["ent_a"]
    assert body["role"] == "admin"
    assert "apikey.manage" in body["permissions"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # only in production mode
    with unscoped("test code"), get_database().session_scope() as session:
        user = service.find_user(session, "a_admin")
        assert user is not None and user.password_hash.startswith("$argon2id$")
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["method"] == "cookie"


def test_unknown_user_and_wrong_password_answer_identically(
    client: TestClient, world: World
) -> None:
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 10})
    wrong = client.post("/api/auth/login", json={"username": "a_admin", "password": "x" * 10})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert unknown.headers.get("set-cookie") is None and wrong.headers.get("set-cookie") is None
    token_unknown = client.post("/api/auth/token", json={"username": "nobody", "password": "y" * 9})
    token_wrong = client.post("/api/auth/token", json={"username": "a_admin", "password": "y" * 9})
    assert token_unknown.status_code == token_wrong.status_code == 401
    assert token_unknown.content == token_wrong.content == unknown.content


def test_disabled_user_login_answers_like_a_wrong_password(
    client: TestClient, world: World
) -> None:
    with unscoped("test code"), get_database().session_scope() as session:
        user = service.find_user(session, "a_member")
        assert user is not None
        service.set_user_disabled(session, user, True)
    disabled = client.post("/api/auth/login", json={"username": "a_member", "password": PASSWORD})
    wrong = client.post("/api/auth/login", json={"username": "a_admin", "password": "nope-nope"})
    assert disabled.status_code == 401 and disabled.content == wrong.content


def test_login_throttled_after_limit_with_same_body_for_every_username(
    client: TestClient, world: World
) -> None:
    for _ in range(LOGIN_FAILURE_LIMIT):
        response = client.post("/api/auth/login", json={"username": "a_admin", "password": "bad"})
        assert response.status_code == 401
    # The IP is now over the limit: even the right password of another user is refused.
    blocked_known = client.post(
        "/api/auth/login", json={"username": "a_admin", "password": PASSWORD}
    )
    blocked_other = client.post(
        "/api/auth/login", json={"username": "b_admin", "password": PASSWORD}
    )
    blocked_unknown = client.post("/api/auth/login", json={"username": "ghost", "password": "x"})
    blocked_token = client.post("/api/auth/token", json={"username": "ghost", "password": "x"})
    assert {
        r.status_code for r in (blocked_known, blocked_other, blocked_unknown, blocked_token)
    } == {429}
    assert blocked_known.content == blocked_other.content == blocked_unknown.content
    assert blocked_token.content == blocked_known.content
    assert blocked_known.headers.get("set-cookie") is None


def test_logout_ends_the_session_on_the_next_request(client: TestClient, world: World) -> None:
    headers = login(client, "a_admin")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    client.cookies.set(SESSION_COOKIE, cookie)  # a stolen copy of the cookie is dead too
    assert client.get("/api/auth/me").status_code == 401


def test_cookie_requests_need_a_csrf_token_on_unsafe_methods(
    client: TestClient, world: World
) -> None:
    login(client, "a_admin")
    refused = client.post("/api/auth/logout")
    assert refused.status_code == 403
    forged = client.post("/api/auth/logout", headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    assert client.get("/api/auth/me").status_code == 200  # the refused logout changed nothing
    # A token of another session does not fit this one.
    other = TestClient(client.app)
    other_headers = login(other, "b_admin")
    assert client.post("/api/auth/logout", headers=other_headers).status_code == 403


def test_disable_user_is_effective_on_the_next_request(client: TestClient, world: World) -> None:
    login(client, "a_member")
    token_headers = bearer(client, "a_member")
    assert client.get("/api/auth/me").status_code == 200
    admin = TestClient(client.app)
    admin_headers = login(admin, "a_admin")
    response = admin.patch(
        f"/api/users/{world.users['a_member']}", json={"disabled": True}, headers=admin_headers
    )
    assert response.status_code == 200 and response.json()["disabled"] is True
    assert client.get("/api/auth/me").status_code == 401
    bare = TestClient(client.app)
    assert bare.get("/api/auth/me", headers=token_headers).status_code == 401


def test_disabled_flag_checked_on_every_request_even_without_revocation(
    client: TestClient, world: World
) -> None:
    login(client, "a_member")
    with unscoped("test code"), get_database().session_scope() as session:
        user = service.get_user(session, world.users["a_member"])
        assert user is not None
        user.disabled = True  # direct flag change, sessions left alive
    assert client.get("/api/auth/me").status_code == 401


def test_membership_removal_and_role_change_are_effective_on_the_next_request(
    client: TestClient, world: World
) -> None:
    member = TestClient(client.app)
    login(member, "a_member")
    assert "user.manage" not in member.get("/api/auth/me").json()["permissions"]
    admin_headers = login(client, "a_admin")
    org, uid = world.orgs["ent_a"], world.users["a_member"]
    changed = client.patch(
        f"/api/orgs/{org}/members/{uid}", json={"role": "admin"}, headers=admin_headers
    )
    assert changed.status_code == 200
    assert "user.manage" in member.get("/api/auth/me").json()["permissions"]
    removed = client.delete(f"/api/orgs/{org}/members/{uid}", headers=admin_headers)
    assert removed.status_code == 204
    assert member.get("/api/auth/me").status_code == 401


def test_bearer_token_works_and_logout_revokes_it(client: TestClient, world: World) -> None:
    headers = bearer(client, "op_analyst")
    bare = TestClient(client.app)
    me = bare.get("/api/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["method"] == "bearer"
    assert me.json()["csrf_token"] is None
    assert bare.post("/api/auth/logout", headers=headers).status_code == 204  # no CSRF needed
    assert bare.get("/api/auth/me", headers=headers).status_code == 401


def test_invalid_bearer_never_falls_back_to_the_cookie(client: TestClient, world: World) -> None:
    login(client, "a_admin")
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_api_key_scoped_revoked_and_expired(client: TestClient, world: World) -> None:
    headers = login(client, "a_admin")
    created = client.post(
        "/api/api-keys",
        json={"name": "erp sync", "permissions": ["org.read", "brain.read"]},
        headers=headers,
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    key_id = created.json()["id"]
    assert "secret" not in client.get(f"/api/api-keys/{key_id}").json()
    machine = TestClient(client.app)
    me = machine.get("/api/auth/me", headers={"X-API-Key": secret})
    assert me.status_code == 200
    assert me.json()["method"] == "api_key"
    assert me.json()["permissions"] == ["brain.read", "org.read"]
    assert me.json()["organization"]["id"] == world.orgs["ent_a"]
    # Scoped: the key lacks apikey.manage although its creator holds it.
    assert machine.get("/api/api-keys", headers={"X-API-Key": secret}).status_code == 403
    # A tampered secret with the right prefix is refused.
    assert machine.get("/api/auth/me", headers={"X-API-Key": secret[:-2] + "zz"}).status_code == 401
    revoked = client.post(f"/api/api-keys/{key_id}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert machine.get("/api/auth/me", headers={"X-API-Key": secret}).status_code == 401

    # Expiry: a key whose expiry has just passed stops working on the next request.
    soon = datetime.now(UTC) + timedelta(hours=1)
    created = client.post(
        "/api/api-keys",
        json={"name": "short", "permissions": ["org.read"], "expires_at": soon.isoformat()},
        headers=headers,
    )
    secret, key_id = created.json()["secret"], created.json()["id"]
    assert machine.get("/api/auth/me", headers={"X-API-Key": secret}).status_code == 200
    with unscoped("test code"), get_database().session_scope() as session:
        principal = service.resolve_credentials(session, api_key=secret)
        assert principal is not None
        later = datetime.now(UTC) + timedelta(hours=2)
        assert service.resolve_credentials(session, api_key=secret, now=later) is None
        key = service.visible_api_key(session, principal, key_id)
        key.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert machine.get("/api/auth/me", headers={"X-API-Key": secret}).status_code == 401


def test_api_key_cannot_exceed_creator_permissions(client: TestClient, world: World) -> None:
    headers = login(client, "a_admin")
    response = client.post(
        "/api/api-keys",
        json={"name": "too much", "permissions": ["org.read", "brain.manage"]},
        headers=headers,
    )
    assert response.status_code == 403
    assert client.get("/api/api-keys").json() == []
    unknown = client.post(
        "/api/api-keys", json={"name": "x", "permissions": ["no.such"]}, headers=headers
    )
    assert unknown.status_code == 422


def test_session_expiry_and_idle_timeout(client: TestClient, world: World) -> None:
    with unscoped("test code"), get_database().session_scope() as session:
        issued = service.login(session, username="a_admin", password=PASSWORD)
        assert issued is not None
        start = issued.auth_session.created_at
        assert service.resolve_credentials(session, cookie=issued.token, now=start) is not None
        idle = start + service.SESSION_IDLE_TIMEOUT + timedelta(seconds=1)
        assert service.resolve_credentials(session, cookie=issued.token, now=idle) is None
        past = start + service.SESSION_LIFETIME + timedelta(seconds=1)
        assert service.resolve_credentials(session, cookie=issued.token, now=past) is None
        # A cookie token is not a bearer token.
        assert service.resolve_credentials(session, bearer=issued.token, now=start) is None


def test_login_form_needs_anonymous_csrf(client: TestClient, world: World) -> None:
    form = {"username": "a_admin", "password": PASSWORD}
    assert client.post("/api/auth/login", data=form).status_code == 403

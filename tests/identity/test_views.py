"""The /login page: CSRF-protected form, same message for unknown user and wrong password,
no open redirect, and /logout ends the session on the next request."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from industrybrain.modules.identity.auth import ANON_COOKIE, SESSION_COOKIE

from .conftest import PASSWORD, World


def _form_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_login_page_in_chinese_and_english(client: TestClient, world: World) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert "登录" in page.text and "用户名" in page.text
    assert client.cookies.get(ANON_COOKIE)
    english = client.get("/login", params={"lang": "en"})
    assert "Sign in" in english.text and "Username" in english.text


def test_login_form_refuses_missing_or_foreign_csrf(client: TestClient, world: World) -> None:
    form = {"username": "a_admin", "password": PASSWORD, "csrf_token": "forged"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    other = TestClient(client.app)
    stolen = _form_token(other)  # bound to the other browser's ib_anon cookie
    _form_token(client)
    response = client.post("/login", data={**form, "csrf_token": stolen}, follow_redirects=False)
    assert response.status_code == 403


def test_login_errors_are_the_same_for_unknown_user_and_wrong_password(
    client: TestClient, world: World
) -> None:
    token = _form_token(client, "/login?lang=en")
    unknown = client.post(
        "/login", data={"username": "ghost", "password": "whatever1", "csrf_token": token}
    )
    wrong = client.post(
        "/login", data={"username": "a_admin", "password": "whatever1", "csrf_token": token}
    )
    assert unknown.status_code == wrong.status_code == 401
    message = "Invalid username or password."
    assert message in unknown.text and message in wrong.text

    def normalised(text: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", text)

    assert normalised(unknown.text.replace("ghost", "a_admin")) == normalised(wrong.text)


def test_login_redirects_locally_and_logout_ends_the_session(
    client: TestClient, world: World
) -> None:
    token = _form_token(client)
    response = client.post(
        "/login",
        data={"username": "a_admin", "password": PASSWORD, "csrf_token": token, "next": "//evil"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/api/auth/me").status_code == 200
    page = client.get("/login")
    assert 'data-testid="signed-in"' in page.text
    logout_token = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
    cookie = client.cookies.get(SESSION_COOKIE)
    refused = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/auth/me").status_code == 200
    done = client.post("/logout", data={"csrf_token": logout_token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/api/auth/me").status_code == 401


def test_login_form_next_path_kept(client: TestClient, world: World) -> None:
    token = _form_token(client, "/login?next=/audit")
    response = client.post(
        "/login",
        data={"username": "a_admin", "password": PASSWORD, "csrf_token": token, "next": "/audit"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/audit"

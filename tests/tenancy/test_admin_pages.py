"""Admin pages through HTTP: CSRF on every form, revocation through the pages takes effect on
the very next request, a foreign object answers 404 and a refused write changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from identity.conftest import PASSWORD, World, bearer, login, world  # noqa: F401
from industrybrain.kit.tenancy import unscoped
from industrybrain.runtime import get_database

from .test_cross_tenant import matrix_client as client  # noqa: F401


def test_forms_need_the_csrf_token(client: TestClient, world: World) -> None:  # noqa: F811
    csrf = login(client, "a_admin")
    target = f"/admin/users/{world.users['a_member']}/disabled"
    assert client.post(target, data={"disabled": "true"}).status_code == 403
    with unscoped("test check"), get_database().session_scope() as session:
        from industrybrain.modules.identity import service

        user = service.get_user(session, world.users["a_member"])
        assert user is not None and not user.disabled
    page = client.get("/admin/users")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and token.group(1)
    answer = client.post(
        target, data={"disabled": "true", "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert csrf


def test_disable_and_revoke_through_the_pages_act_on_the_next_request(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
) -> None:
    member = bearer(client, "a_member")
    assert client.get("/api/auth/me", headers=member).status_code == 200
    admin = bearer(client, "a_admin")
    created = client.post(
        "/admin/api-keys", data={"name": "machine", "permissions": ["org.read"]}, headers=admin
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r"<code>(ibk_[^<]+)</code>", created.text)
    assert secret is not None
    key = {"X-API-Key": secret.group(1)}
    assert client.get("/api/auth/me", headers=key).status_code == 200
    # The secret is never shown again.
    assert secret.group(1) not in client.get("/admin/api-keys", headers=admin).text

    key_id = client.get("/api/api-keys", headers=admin).json()[-1]["id"]
    revoked = client.post(f"/admin/api-keys/{key_id}/revoke", headers=admin, follow_redirects=False)
    assert revoked.status_code == 303
    assert client.get("/api/auth/me", headers=key).status_code == 401

    disabled = client.post(
        f"/admin/users/{world.users['a_member']}/disabled",
        data={"disabled": "true"},
        headers=admin,
        follow_redirects=False,
    )
    assert disabled.status_code == 303
    assert client.get("/api/auth/me", headers=member).status_code == 401


def test_foreign_objects_answer_404_on_the_pages(client: TestClient, world: World) -> None:  # noqa: F811
    admin = bearer(client, "a_admin")
    foreign_org = world.orgs["ent_b"]
    assert client.get(f"/admin/orgs/{foreign_org}", headers=admin).status_code == 404
    assert client.get("/admin/orgs/999999", headers=admin).status_code == 404
    refused = client.post(
        f"/admin/users/{world.users['b_member']}/disabled",
        data={"disabled": "true"},
        headers=admin,
    )
    assert refused.status_code == 404
    own = client.get(f"/admin/orgs/{world.orgs['ent_a']}", headers=admin)
    assert own.status_code == 200 and "a_member" in own.text
    assert "b_member" not in client.get("/admin/users", headers=admin).text

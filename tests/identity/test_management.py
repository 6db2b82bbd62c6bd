"""The permission matrix on each management endpoint: 2xx, 403, and 404 for foreign objects.
A refused write changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.identity import service
from industrybrain.runtime import get_database

from .conftest import World, login


def _as(client: TestClient, username: str) -> tuple[TestClient, dict[str, str]]:
    other = TestClient(client.app)
    return other, login(other, username)


def _snapshot() -> tuple[list[tuple[object, ...]], ...]:
    """Every row of every identity table except sessions (logins add those)."""
    with unscoped("test code"), get_database().session_scope() as session:
        from sqlalchemy import text

        return tuple(
            [tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in (
                "identity_organization",
                "identity_user",
                "identity_membership",
                "identity_api_key",
            )
        )


def test_org_list_is_scoped_and_create_needs_org_manage(client: TestClient, world: World) -> None:
    member, _ = _as(client, "a_member")
    assert [o["id"] for o in member.get("/api/orgs").json()] == [world.orgs["ent_a"]]
    prov, prov_headers = _as(client, "prov_admin")
    assert len(prov.get("/api/orgs").json()) == 4
    admin, admin_headers = _as(client, "a_admin")
    before = _snapshot()
    body = {"type": "enterprise", "name_zh": "丙机电有限公司", "region_code": "331081"}
    assert admin.post("/api/orgs", json=body, headers=admin_headers).status_code == 403
    assert _snapshot() == before
    created = prov.post("/api/orgs", json=body, headers=prov_headers)
    assert created.status_code == 201 and created.json()["type"] == "enterprise"
    bad_region = prov.post(
        "/api/orgs", json={**body, "region_code": "999999"}, headers=prov_headers
    )
    assert bad_region.status_code == 422
    bad_type = prov.post("/api/orgs", json={**body, "type": "bank"}, headers=prov_headers)
    assert bad_type.status_code == 422


def test_foreign_org_answers_404_and_own_org_update_by_admin_only(
    client: TestClient, world: World
) -> None:
    admin, headers = _as(client, "a_admin")
    member, member_headers = _as(client, "a_member")
    foreign = world.orgs["ent_b"]
    assert admin.get(f"/api/orgs/{foreign}").status_code == 404
    assert admin.get(f"/api/orgs/{foreign}/members").status_code == 404
    before = _snapshot()
    assert (
        admin.patch(f"/api/orgs/{foreign}", json={"name_zh": "X"}, headers=headers).status_code
        == 404
    )
    own = world.orgs["ent_a"]
    assert (
        member.patch(f"/api/orgs/{own}", json={"name_zh": "X"}, headers=member_headers).status_code
        == 403
    )
    assert (
        admin.patch(f"/api/orgs/{own}", json={"status": "suspended"}, headers=headers).status_code
        == 403
    )
    assert _snapshot() == before
    renamed = admin.patch(f"/api/orgs/{own}", json={"name_en": "Jia Pumps"}, headers=headers)
    assert renamed.status_code == 200 and renamed.json()["name_en"] == "Jia Pumps"


def test_suspending_an_org_ends_its_sessions_on_the_next_request(
    client: TestClient, world: World
) -> None:
    member, _ = _as(client, "b_member")
    assert member.get("/api/auth/me").status_code == 200
    prov, headers = _as(client, "prov_admin")
    response = prov.patch(
        f"/api/orgs/{world.orgs['ent_b']}", json={"status": "suspended"}, headers=headers
    )
    assert response.status_code == 200
    assert member.get("/api/auth/me").status_code == 401


def test_users_scoped_and_foreign_user_answers_404(client: TestClient, world: World) -> None:
    admin, headers = _as(client, "a_admin")
    names = sorted(u["username"] for u in admin.get("/api/users").json())
    assert names == ["a_admin", "a_member"]
    foreign_user = world.users["b_member"]
    assert admin.get(f"/api/users/{foreign_user}").status_code == 404
    assert admin.get(f"/api/users/{999999}").status_code == 404
    before = _snapshot()
    assert (
        admin.patch(
            f"/api/users/{foreign_user}", json={"disabled": True}, headers=headers
        ).status_code
        == 404
    )
    # Adding a foreign user to the own organisation by id does not disclose or change anything.
    assert (
        admin.post(
            f"/api/orgs/{world.orgs['ent_a']}/members",
            json={"user_id": foreign_user, "role": "member"},
            headers=headers,
        ).status_code
        == 404
    )
    # Creating a user in a foreign organisation: 404.
    assert (
        admin.post(
            "/api/users",
            json={
                "username": "sneaky",
                "password": "p" * 10,
                "organization_id": world.orgs["ent_b"],
            },
            headers=headers,
        ).status_code
        == 404
    )
    assert _snapshot() == before
    assert (
        admin.get("/api/users", params={"organization_id": world.orgs["ent_b"]}).status_code == 404
    )


def test_user_management_needs_user_manage(client: TestClient, world: World) -> None:
    member, member_headers = _as(client, "a_member")
    admin, headers = _as(client, "a_admin")
    body = {"username": "new_one", "password": "p" * 10, "organization_id": world.orgs["ent_a"]}
    before = _snapshot()
    assert member.post("/api/users", json=body, headers=member_headers).status_code == 403
    assert (
        member.patch(
            f"/api/users/{world.users['a_admin']}", json={"disabled": True}, headers=member_headers
        ).status_code
        == 403
    )
    assert _snapshot() == before
    created = admin.post("/api/users", json={**body, "role": "member"}, headers=headers)
    assert created.status_code == 201
    duplicate = admin.post("/api/users", json=body, headers=headers)
    assert duplicate.status_code == 409
    bad_role = admin.post(
        "/api/users", json={**body, "username": "x2", "role": "reviewer"}, headers=headers
    )
    assert bad_role.status_code == 422
    assert _snapshot()[1][-1][1] == "new_one"  # the refused ones left no user behind
    new_user = TestClient(client.app)
    login(new_user, "new_one", "p" * 10)
    assert new_user.get("/api/auth/me").json()["role"] == "member"


def test_self_disable_refused(client: TestClient, world: World) -> None:
    admin, headers = _as(client, "a_admin")
    response = admin.patch(
        f"/api/users/{world.users['a_admin']}", json={"disabled": True}, headers=headers
    )
    assert response.status_code == 422
    assert admin.get("/api/auth/me").status_code == 200


def test_platform_admin_manages_any_org_members(client: TestClient, world: World) -> None:
    prov, headers = _as(client, "prov_admin")
    created = prov.post(
        "/api/users",
        json={
            "username": "b_second",
            "password": "p" * 10,
            "organization_id": world.orgs["ent_b"],
            "role": "admin",
        },
        headers=headers,
    )
    assert created.status_code == 201
    members = prov.get(f"/api/orgs/{world.orgs['ent_b']}/members").json()
    assert sorted(m["role"] for m in members) == ["admin", "admin", "member"]


def test_foreign_api_key_answers_404_and_revoke_refused_changes_nothing(
    client: TestClient, world: World
) -> None:
    a_admin, a_headers = _as(client, "a_admin")
    b_admin, b_headers = _as(client, "b_admin")
    created = b_admin.post(
        "/api/api-keys", json={"name": "b key", "permissions": ["org.read"]}, headers=b_headers
    )
    key_id, secret = created.json()["id"], created.json()["secret"]
    assert a_admin.get(f"/api/api-keys/{key_id}").status_code == 404
    assert [k["id"] for k in a_admin.get("/api/api-keys").json()] == []
    before = _snapshot()
    assert a_admin.post(f"/api/api-keys/{key_id}/revoke", headers=a_headers).status_code == 404
    member, member_headers = _as(client, "b_member")
    assert member.post(f"/api/api-keys/{key_id}/revoke", headers=member_headers).status_code == 403
    assert member.get("/api/api-keys").status_code == 403
    assert _snapshot() == before
    machine = TestClient(client.app)
    assert machine.get("/api/auth/me", headers={"X-API-Key": secret}).status_code == 200


def test_unauthenticated_management_calls_answer_401(client: TestClient, world: World) -> None:
    for method, path in [
        ("GET", "/api/orgs"),
        ("POST", "/api/orgs"),
        ("GET", "/api/users"),
        ("GET", "/api/api-keys"),
        ("POST", "/api/api-keys"),
        ("GET", "/api/auth/me"),
    ]:
        assert client.request(method, path).status_code == 401, path


def test_service_level_membership_rules(client: TestClient, world: World) -> None:
    with unscoped("test code"), get_database().session_scope() as session:
        try:
            service.add_membership(session, world.users["a_member"], world.orgs["ent_a"], "member")
        except service.ConflictError:
            pass
        else:
            raise AssertionError("duplicate membership accepted")


def _audit(action: str) -> list[tuple[str, str, dict[str, object]]]:
    from industrybrain.modules.audit import service as audit

    with unscoped("test code"), get_database().session_scope() as session:
        rows, _total = audit.list_entries(session, {"action": action})
        return [(r.actor_label, r.object_id, r.change) for r in rows]


def test_writes_are_audited_and_refused_writes_leave_no_entry(
    client: TestClient, world: World
) -> None:
    prov, headers = _as(client, "prov_admin")
    admin, admin_headers = _as(client, "a_admin")
    body = {"type": "financier", "name_zh": "示范银行", "region_code": "331081"}
    assert admin.post("/api/orgs", json=body, headers=admin_headers).status_code == 403
    assert _audit("org.create") == []
    created = prov.post("/api/orgs", json=body, headers=headers).json()
    assert _audit("org.create") == [
        (
            "prov_admin",
            str(created["id"]),
            {"type": "financier", "name_zh": "示范银行", "region_code": "331081"},
        )
    ]
    key = admin.post(
        "/api/api-keys", json={"name": "k", "permissions": ["org.read"]}, headers=admin_headers
    ).json()
    [(label, object_id, change)] = _audit("api_key.create")
    assert (label, object_id) == ("a_admin", str(key["id"]))
    assert key["secret"] not in str(change)
    # A conflicting write (duplicate username) rolls back its savepoint: no entry.
    dup = {"username": "a_member", "password": "p" * 10, "organization_id": world.orgs["ent_a"]}
    assert admin.post("/api/users", json=dup, headers=admin_headers).status_code == 409
    assert _audit("user.create") == []

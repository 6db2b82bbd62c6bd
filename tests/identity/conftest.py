"""Fixtures of the identity tests: a migrated app and a small world of organisations and users."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.identity import service
from industrybrain.runtime import get_database

PASSWORD = "correct horse battery"
# Plugins these tests need; the others are disabled so that a module being built elsewhere
# cannot break them (the whole suite still runs every plugin together).
NEEDED_PLUGINS = {"identity", "brain", "audit"}


@pytest.fixture
def client(ib_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from industrybrain.app import create_app
    from industrybrain.plugins import builtin_module_names, reset_plugin_manager

    others = [n.rsplit(".", 1)[-1] for n in builtin_module_names()]
    monkeypatch.setenv("IB_DISABLED_PLUGINS", json.dumps(sorted(set(others) - NEEDED_PLUGINS)))
    from industrybrain.config import reset_settings

    reset_settings()
    reset_plugin_manager()
    with TestClient(create_app()) as test_client:
        yield test_client


@dataclass
class World:
    orgs: dict[str, int]
    users: dict[str, int]


def make_world() -> World:
    """Two enterprises, an operator, a province authority; admins and members."""
    with unscoped("test setup"), get_database().session_scope() as session:
        orgs = {
            "province": service.create_organization(
                session,
                org_type="province_authority",
                name_zh="浙江省经济和信息化厅",
                region_code="33",
            ).id,
            "operator": service.create_organization(
                session,
                org_type="operator",
                name_zh="温岭泵阀产业大脑运营公司",
                region_code="331081",
            ).id,
            "ent_a": service.create_organization(
                session, org_type="enterprise", name_zh="甲泵业有限公司"
            ).id,
            "ent_b": service.create_organization(
                session, org_type="enterprise", name_zh="乙阀门有限公司"
            ).id,
        }
        users: dict[str, int] = {}
        for username, org, role in [
            ("prov_admin", "province", "admin"),
            ("op_admin", "operator", "admin"),
            ("op_analyst", "operator", "analyst"),
            ("a_admin", "ent_a", "admin"),
            ("a_member", "ent_a", "member"),
            ("b_admin", "ent_b", "admin"),
            ("b_member", "ent_b", "member"),
        ]:
            user = service.create_user(session, username=username, password=PASSWORD)
            service.add_membership(session, user.id, orgs[org], role)
            users[username] = user.id
    return World(orgs, users)


@pytest.fixture
def world(client: TestClient) -> World:
    return make_world()


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in with the cookie; returns the headers (CSRF) for unsafe requests."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["access_token"]}

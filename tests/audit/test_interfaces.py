"""CLI, JSON API and the viewer pages of the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from identity.conftest import bearer, login
from industrybrain.cli import build_cli
from industrybrain.kit.db import Database
from industrybrain.modules.audit import service
from industrybrain.modules.audit.schemas import Actor

runner = CliRunner()


def _append(db: Database, n: int, action: str = "order.close", organization_id: int = 2) -> None:
    """``n`` entries of ``organization_id`` (a reader with audit.read sees its own
    organisation's entries: the tenancy guard scopes the others away)."""
    with db.session_scope() as session:
        for i in range(n):
            service.record(
                session,
                actor=Actor("alice", 1, organization_id),
                action=action,
                object_type="order",
                object_id=i,
                change={"status": ["open", "closed"]},
            )


def test_cli_checkpoint_verify_and_log(audit_db: Database, tmp_path: Path) -> None:
    cli = build_cli()
    _append(audit_db, 5)
    checkpoint_file = tmp_path / "head.json"
    result = runner.invoke(cli, ["audit", "checkpoint", "--out", str(checkpoint_file)])
    assert result.exit_code == 0, result.output
    assert json.loads(checkpoint_file.read_text())["size"] == 5

    result = runner.invoke(cli, ["audit", "verify", "--checkpoint", str(checkpoint_file)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output

    result = runner.invoke(cli, ["audit", "log", "--action", "order.close", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "3 of 5 entries" in result.output

    with audit_db.session_scope() as session:
        session.execute(text("DROP TRIGGER audit_entry_no_delete"))
        session.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    result = runner.invoke(cli, ["audit", "verify", "--checkpoint", str(checkpoint_file), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["problem"] == "truncated"


def test_cli_verify_refuses_a_bad_checkpoint_file(audit_db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(build_cli(), ["audit", "verify", "--checkpoint", str(bad)])
    assert result.exit_code == 2


def test_cli_rotate_key(audit_db: Database) -> None:
    with audit_db.session_scope() as session:
        old = service.signing_key(session).key_id
    result = runner.invoke(build_cli(), ["audit", "rotate-key"])
    assert result.exit_code == 0, result.output
    with audit_db.session_scope() as session:
        assert service.signing_key(session).key_id != old


def test_api_lists_filters_and_verifies(client: TestClient, world: object) -> None:
    from industrybrain.runtime import get_database

    db = get_database()
    _append(db, 3, organization_id=1)  # the province authority of ``world``
    _append(db, 2, action="price.set", organization_id=1)
    assert client.get("/api/audit").status_code == 401
    client.headers.update(bearer(client, "a_admin"))  # an enterprise admin: no audit.read
    assert client.get("/api/audit").status_code == 403
    client.headers.update(bearer(client, "prov_admin"))
    response = client.get("/api/audit", params={"action": "price.set"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and [i["seq"] for i in body["items"]] == [5, 4]
    assert client.get("/api/audit", params={"actor": "alice"}).json()["total"] == 5
    assert client.get("/api/audit/head").json()["size"] >= 5

    with db.session_scope() as session:
        exported = json.loads(service.export_checkpoint(session).to_json())
    report = client.post("/api/audit/verify", json=exported).json()
    assert report["ok"] is True and report["checkpoint_size"] == exported["size"]
    assert client.post("/api/audit/verify", json={"size": 1}).status_code == 422


def test_viewer_and_verification_pages(client: TestClient, world: object) -> None:
    from industrybrain.runtime import get_database

    db = get_database()
    _append(db, 3)
    # Anonymous viewers are sent to the login page and see nothing of the log.
    anonymous = client.get("/audit", params={"lang": "en"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    assert client.get("/audit/1", follow_redirects=False).status_code == 303
    assert client.get("/audit/verify").status_code == 401
    csrf = login(client, "op_admin")
    page = client.get("/audit", params={"action": "order.close", "lang": "en"})
    assert page.status_code == 200
    assert "Audit log" in page.text and "order:2" in page.text
    assert client.get("/audit/1").status_code == 200
    assert "审计日志" in client.get("/audit", params={"lang": "zh_CN"}).text
    status = client.get("/audit/verify")
    assert status.status_code == 200
    assert 'data-ok="true"' in status.text

    with db.session_scope() as session:
        exported = service.export_checkpoint(session).to_json()
        session.execute(text("DROP TRIGGER audit_entry_no_update"))
        session.execute(text("UPDATE audit_entry SET actor_label = 'mallory' WHERE seq = 2"))
    form = {"checkpoint": exported, "csrf_token": csrf["X-CSRF-Token"]}
    result = client.post("/audit/verify", data=form)
    assert result.status_code == 200
    assert 'data-ok="false"' in result.text and "leaf_mismatch" in result.text
    bad = {"checkpoint": "nonsense", "csrf_token": csrf["X-CSRF-Token"]}
    assert client.post("/audit/verify", data=bad).status_code == 422
    assert client.post("/audit/verify", data={"checkpoint": exported}).status_code == 403


def test_viewer_page_refuses_a_role_without_audit_read(client: TestClient, world: object) -> None:
    from industrybrain.runtime import get_database

    _append(get_database(), 2)
    login(client, "a_admin")  # an enterprise admin: no audit.read
    for path in ("/audit", "/audit/1"):
        response = client.get(path, params={"lang": "en"})
        assert response.status_code == 403
        assert "order:1" not in response.text

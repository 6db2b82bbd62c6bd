"""Standards: seed, versions, diff, release and supersede, import/export; products keep their
version; product master codes; tenant isolation of product records over the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from industrybrain.kit.tenancy import tenant_scope, unscoped
from industrybrain.modules.audit.schemas import Actor
from industrybrain.modules.cpms import actions, repository, service
from industrybrain.modules.cpms.document import from_template
from industrybrain.runtime import get_database

NEEDED_PLUGINS = {"identity", "brain", "audit", "cpms", "brain_template"}
ACTOR = Actor("test")


@pytest.fixture
def client(ib_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from industrybrain.app import create_app
    from industrybrain.config import reset_settings
    from industrybrain.plugins import builtin_module_names, reset_plugin_manager

    others = [n.rsplit(".", 1)[-1] for n in builtin_module_names()]
    monkeypatch.setenv("IB_DISABLED_PLUGINS", json.dumps(sorted(set(others) - NEEDED_PLUGINS)))
    reset_settings()
    reset_plugin_manager()
    with TestClient(create_app()) as test_client:
        yield test_client


def _records(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    columns = sorted({k for r in rows for k in r})
    return pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in rows], schema=dict.fromkeys(columns, pl.Utf8)
    )


GOOD = {
    "category": "PV01.01.01",
    "sku": "QJ-1",
    "name": "QJ-1 潜水泵",
    "model": "QJ-1",
    "flow_rate": "15 m³/h",
    "head": "20",
    "power": "2.2",
    "min_well_diameter": "100 毫米",
    "gtin": "6920685000017",
}


def test_version_lifecycle_diff_and_products_keep_their_version(client: TestClient) -> None:
    from identity.conftest import make_world

    world = make_world()
    assert "pumps-valves" in actions.ensure_seeded(ACTOR)
    assert actions.ensure_seeded(ACTOR) == []
    with unscoped("test"), get_database().session_scope() as session:
        v1 = service.get_version(session, "pumps-valves")
        assert (v1.version, v1.status) == ("1.0.0", "published")
        content = json.loads(json.dumps(v1.content))
    # a product validated against 1.0.0
    with tenant_scope([world.orgs["ent_a"]]):
        outcome = actions.do_import_products(
            world.orgs["ent_a"],
            "pumps-valves",
            _records([GOOD, {**GOOD, "sku": "X", "head": "9e9", "gtin": "6920685000024"}]),
            ACTOR,
        )
    assert (outcome.created, outcome.rejected) == (1, 1)
    # version 1.1.0: head range widened, an attribute added
    pump = next(c for c in content["categories"] if c["code"] == "PV01")
    head = next(a for a in pump["attributes"] if a["code"] == "head")
    head["max"] = 3000
    pump["attributes"].append(
        {"code": "noise", "name_zh": "噪声", "name_en": "Noise", "datatype": "decimal",
         "unit": "dB(A)", "min": 0, "max": 150}
    )  # fmt: skip
    actions.do_new_draft("pumps-valves", "1.1.0", ACTOR, content)
    with pytest.raises(service.CpmsError):
        actions.do_transition("pumps-valves", "1.1.0", "published", ACTOR)  # not reviewed
    actions.do_transition("pumps-valves", "1.1.0", "under_review", ACTOR)
    with unscoped("test"), get_database().session_scope() as session:
        a = service.document_of(service.get_version(session, "pumps-valves", "1.0.0"))
        b = service.document_of(service.get_version(session, "pumps-valves", "1.1.0"))
        changes = [str(c) for c in service.diff(a, b)]
    assert changes == [
        "+ attribute PV01/noise: 噪声 (decimal)",
        "~ attribute PV01/head: max 2500.0 → 3000.0",
    ]
    assert actions.do_transition("pumps-valves", "1.1.0", "published", ACTOR) == "published"
    with unscoped("test"), get_database().session_scope() as session:
        standard = service.get_standard(session, "pumps-valves")
        statuses = {v.version: v.status for v in repository.versions(session, standard.id)}
        assert statuses == {"1.0.0": "superseded", "1.1.0": "published"}
        with pytest.raises(service.CpmsError):
            service.update_draft(session, "pumps-valves", "1.0.0", content)
        product = repository.products_of(session, world.orgs["ent_a"])[0]
        kept = repository.version_by_id(session, product.standard_version_id)
        assert kept is not None and kept.version == "1.0.0"
        assert service.is_valid_product_code(product.product_code)
        assert product.product_code.startswith("PV010101-")
        assert 0 < product.completeness < 1
    # the API diff and tenant isolation: another enterprise gets 404
    from identity.conftest import bearer

    diff = client.get("/api/cpms/standards/pumps-valves/diff?old=1.0.0&new=1.1.0")
    assert diff.status_code == 200 and len(diff.json()) == 2
    own = client.get("/api/cpms/products", headers=bearer(client, "a_member")).json()
    assert own["total"] == 1
    product_id = own["items"][0]["id"]
    assert (
        client.get(
            f"/api/cpms/products/{product_id}", headers=bearer(client, "a_member")
        ).status_code
        == 200
    )
    other = bearer(client, "b_member")
    assert client.get(f"/api/cpms/products/{product_id}", headers=other).status_code == 404
    assert client.get("/api/cpms/products", headers=other).json()["total"] == 0


def test_json_and_excel_round_trip() -> None:
    document = from_template("pumps-valves")
    assert service.import_json(service.export_json(document)) == document
    assert service.import_excel(service.export_excel(document)) == document
    assert service.diff(document, document) == []


def test_tree_is_checked() -> None:
    document = from_template("sewing-equipment")
    content = document.model_dump()
    content["categories"].append({"code": "XX01", "name_zh": "x", "name_en": "x", "parent": "ZZ"})
    with pytest.raises(ValueError, match="parent ZZ does not exist"):
        service.import_json(json.dumps(content))


def test_mapping_is_remembered_per_enterprise(client: TestClient, tmp_path: Path) -> None:
    from identity.conftest import make_world

    world = make_world()
    actions.ensure_seeded(ACTOR)
    sheet = tmp_path / "catalog.csv"
    sheet.write_text(
        "产品名称,产品类别,型号,泵送量,扬程(m),功率(kW),最小井径\n"
        "QJ-1 潜水泵,井用潜水泵,QJ-1,15,20,2.2,100\n",
        encoding="utf-8",
    )

    def proposal(org: str) -> dict[str, str | None]:
        with tenant_scope([world.orgs[org]]), get_database().session_scope() as session:
            intake = service.propose_mapping(session, world.orgs[org], "pumps-valves", sheet)
        return {c.header: c.target for c in intake.proposal.columns}

    first = proposal("ent_a")
    assert first["扬程(m)"] == "head" and first["型号"] == "model"
    assert first["泵送量"] != "flow_rate"  # not a known label: the enterprise corrects it
    headers = list(first)
    with tenant_scope([world.orgs["ent_a"]]):
        actions.do_confirm_mapping(
            world.orgs["ent_a"], "pumps-valves", headers, {headers.index("泵送量"): "flow_rate"},
            ACTOR,
        )  # fmt: skip
    assert proposal("ent_a")["泵送量"] == "flow_rate"
    assert proposal("ent_b")["泵送量"] != "flow_rate"  # remembered for that enterprise only


def test_scheduled_release(client: TestClient) -> None:
    from datetime import timedelta

    from industrybrain.kit.db import utcnow

    actions.ensure_seeded(ACTOR)
    actions.do_new_draft("pumps-valves", "1.1.0", ACTOR)
    actions.do_transition("pumps-valves", "1.1.0", "under_review", ACTOR)
    release_at = utcnow() + timedelta(days=7)
    with unscoped("test"), get_database().session_scope() as session:
        service.get_version(session, "pumps-valves", "1.1.0").release_at = release_at
    with unscoped("test"), get_database().session_scope() as session:
        assert service.release_due(session, "pumps-valves") is None  # not yet
        assert service.get_version(session, "pumps-valves").version == "1.0.0"
        released = service.release_due(session, "pumps-valves", release_at + timedelta(hours=1))
        assert released is not None and released.version == "1.1.0"
        assert service.get_version(session, "pumps-valves", "1.0.0").status == "superseded"

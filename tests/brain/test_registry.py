"""Brain registry: filters, permissions per role and operator, status life cycle, partitions and
their merge, cluster enterprises; refused writes change nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from identity.conftest import World, login
from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.brain import service
from industrybrain.runtime import get_database


def _as(client: TestClient, username: str) -> tuple[TestClient, dict[str, str]]:
    other = TestClient(client.app)
    return other, login(other, username)


def _brain_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "code": "wenling-pumps-valves",
        "name_zh": "温岭泵阀产业大脑",
        "industry_class": "3441",
        "region_code": "331081",
        "operator_organization_id": world.orgs["operator"],
        "template": "pumps-valves",
        **extra,
    }


def _rows() -> tuple[list[tuple[Any, ...]], ...]:
    with unscoped("test code"), get_database().session_scope() as session:
        return tuple(
            [tuple(r) for r in session.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in ("brain", "brain_partition", "brain_enterprise", "brain_event")
        )


def _second_operator() -> int:
    from industrybrain.modules.identity import service as identity

    with unscoped("test code"), get_database().session_scope() as session:
        return identity.create_organization(
            session, org_type="operator", name_zh="乐清电气产业大脑运营公司", region_code="330382"
        ).id


def test_create_needs_brain_manage_and_list_filters(client: TestClient, world: World) -> None:
    member, member_headers = _as(client, "a_admin")
    op, headers = _as(client, "op_admin")
    assert (
        member.post("/api/brains", json=_brain_body(world), headers=member_headers).status_code
        == 403
    )
    analyst, analyst_headers = _as(client, "op_analyst")
    assert (
        analyst.post("/api/brains", json=_brain_body(world), headers=analyst_headers).status_code
        == 403
    )
    assert client.post("/api/brains", json=_brain_body(world)).status_code == 401
    assert _rows() == ([], [], [], [])
    created = op.post("/api/brains", json=_brain_body(world), headers=headers)
    assert created.status_code == 201, created.text
    brain = created.json()
    assert brain["status"] == "planned" and brain["region_name"] == "温岭市"
    assert brain["industry_name"] == "泵及真空设备制造"
    prov, prov_headers = _as(client, "prov_admin")
    other_op = _second_operator()
    assert (
        prov.post(
            "/api/brains",
            json=_brain_body(
                world,
                code="yueqing-electric",
                name_zh="乐清电气产业大脑",
                industry_class="3821",
                region_code="330382",
                operator_organization_id=other_op,
            ),
            headers=prov_headers,
        ).status_code
        == 201
    )

    def codes(**params: str) -> list[str]:
        response = client.get("/api/brains", params=params)  # the registry is public
        assert response.status_code == 200
        return [b["code"] for b in response.json()]

    assert codes() == ["wenling-pumps-valves", "yueqing-electric"]
    assert codes(region="33") == ["wenling-pumps-valves", "yueqing-electric"]
    assert codes(region="3310") == ["wenling-pumps-valves"]
    assert codes(region="331081") == ["wenling-pumps-valves"]
    assert codes(region="3303") == ["yueqing-electric"]
    assert codes(region="11") == []
    assert codes(industry="C") == ["wenling-pumps-valves", "yueqing-electric"]
    assert codes(industry="34") == ["wenling-pumps-valves"]
    assert codes(industry="382") == ["yueqing-electric"]
    assert codes(status="planned", industry="3441") == ["wenling-pumps-valves"]
    assert codes(status="operating") == []
    assert client.get("/api/brains", params={"status": "bogus"}).status_code == 422


def test_create_validates_reference_codes_and_operator(client: TestClient, world: World) -> None:
    op, headers = _as(client, "op_admin")
    for bad in [
        {"industry_class": "34"},  # a division, not a class
        {"industry_class": "9999"},
        {"region_code": "33"},  # a province, not a city or county
        {"region_code": "339999"},
        {"operator_organization_id": world.orgs["ent_a"]},  # not an operator
        {"code": "Bad Code"},
        {"status": "running"},
    ]:
        response = op.post("/api/brains", json=_brain_body(world, **bad), headers=headers)
        assert response.status_code == 422, bad
    assert _rows() == ([], [], [], [])


def test_operator_manages_only_its_own_brains(client: TestClient, world: World) -> None:
    prov, prov_headers = _as(client, "prov_admin")
    other_op = _second_operator()
    foreign = prov.post(
        "/api/brains",
        json=_brain_body(world, code="yueqing-electric", operator_organization_id=other_op),
        headers=prov_headers,
    ).json()
    op, headers = _as(client, "op_admin")
    # Registering a brain for another operator is refused.
    assert (
        op.post(
            "/api/brains",
            json=_brain_body(world, code="x-brain", operator_organization_id=other_op),
            headers=headers,
        ).status_code
        == 403
    )
    before = _rows()
    bid = foreign["id"]
    assert (
        op.patch(f"/api/brains/{bid}", json={"name_zh": "改名"}, headers=headers).status_code == 403
    )
    assert (
        op.post(
            f"/api/brains/{bid}/status", json={"status": "building"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        op.post(
            f"/api/brains/{bid}/partitions",
            json={"region_code": "330382", "name": "p"},
            headers=headers,
        ).status_code
        == 403
    )
    assert (
        op.post(
            f"/api/brains/{bid}/enterprises", json={"enterprise_key": "91331081X"}, headers=headers
        ).status_code
        == 403
    )
    assert _rows() == before
    assert op.patch("/api/brains/999999", json={"name_zh": "x"}, headers=headers).status_code == 404


def test_status_transitions_are_enforced_and_recorded(client: TestClient, world: World) -> None:
    op, headers = _as(client, "op_admin")
    bid = op.post("/api/brains", json=_brain_body(world), headers=headers).json()["id"]

    def move(status: str) -> int:
        return op.post(
            f"/api/brains/{bid}/status", json={"status": status, "reason": "test"}, headers=headers
        ).status_code

    assert move("operating") == 409  # planned → operating skips building
    assert move("building") == 200
    assert move("operating") == 200
    assert move("planned") == 409
    assert move("suspended") == 200
    assert move("operating") == 200
    assert move("exited") == 200
    assert move("operating") == 409  # exited is final
    assert move("nonsense") == 422
    events = op.get(f"/api/brains/{bid}/events").json()
    assert [(e["kind"], e["detail"].get("to")) for e in events] == [
        ("created", None),
        ("status", "building"),
        ("status", "operating"),
        ("status", "suspended"),
        ("status", "operating"),
        ("status", "exited"),
    ]
    assert client.get(f"/api/brains/{bid}").json()["status"] == "exited"


def test_partitions_merge_moves_enterprises_and_records_one_event(
    client: TestClient, world: World
) -> None:
    prov, headers = _as(client, "prov_admin")
    city_brain = prov.post(
        "/api/brains",
        json=_brain_body(
            world, code="taizhou-pumps", name_zh="台州泵业产业大脑", region_code="3310"
        ),
        headers=headers,
    ).json()
    bid = city_brain["id"]

    def partition(region: str, name: str) -> Any:
        return prov.post(
            f"/api/brains/{bid}/partitions",
            json={"region_code": region, "name": name},
            headers=headers,
        )

    east = partition("331081", "温岭分区").json()
    west = partition("331082", "临海分区").json()
    assert partition("330382", "乐清分区").status_code == 422  # outside the brain's region
    assert partition("331081", "温岭分区").status_code == 409
    for key, part in [("E1", east), ("E2", east), ("W1", west)]:
        response = prov.post(
            f"/api/brains/{bid}/enterprises",
            json={"enterprise_key": key, "name": key, "partition_id": part["id"]},
            headers=headers,
        )
        assert response.status_code == 201
    assert (
        prov.post(
            f"/api/brains/{bid}/enterprises", json={"enterprise_key": "E1"}, headers=headers
        ).status_code
        == 409
    )
    merged = prov.post(
        f"/api/brains/{bid}/partitions/merge",
        json={"source_id": west["id"], "target_id": east["id"], "name": "台州南部分区"},
        headers=headers,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["region_code"] == "3310"  # smallest region covering both
    assert merged.json()["name"] == "台州南部分区"
    partitions = {p["id"]: p for p in client.get(f"/api/brains/{bid}/partitions").json()}
    assert partitions[west["id"]]["status"] == "merged"
    assert partitions[west["id"]]["merged_into_id"] == east["id"]
    members = prov.get(f"/api/brains/{bid}/enterprises", params={"partition_id": east["id"]})
    assert sorted(e["enterprise_key"] for e in members.json()) == ["E1", "E2", "W1"]
    merges = [
        e for e in prov.get(f"/api/brains/{bid}/events").json() if e["kind"] == "partition_merge"
    ]
    assert len(merges) == 1 and merges[0]["detail"]["moved_enterprises"] == 1
    # A merged partition merges no more, and takes no enterprises.
    again = prov.post(
        f"/api/brains/{bid}/partitions/merge",
        json={"source_id": west["id"], "target_id": east["id"]},
        headers=headers,
    )
    assert again.status_code == 409
    assert (
        prov.post(
            f"/api/brains/{bid}/enterprises",
            json={"enterprise_key": "W2", "partition_id": west["id"]},
            headers=headers,
        ).status_code
        == 409
    )


def test_partition_of_another_brain_answers_404(client: TestClient, world: World) -> None:
    prov, headers = _as(client, "prov_admin")
    first = prov.post("/api/brains", json=_brain_body(world), headers=headers).json()["id"]
    second = prov.post(
        "/api/brains", json=_brain_body(world, code="second-brain"), headers=headers
    ).json()["id"]
    p1 = prov.post(
        f"/api/brains/{first}/partitions",
        json={"region_code": "331081", "name": "a"},
        headers=headers,
    ).json()["id"]
    p2 = prov.post(
        f"/api/brains/{second}/partitions",
        json={"region_code": "331081", "name": "b"},
        headers=headers,
    ).json()["id"]
    before = _rows()
    response = prov.post(
        f"/api/brains/{first}/partitions/merge",
        json={"source_id": p2, "target_id": p1},
        headers=headers,
    )
    assert response.status_code == 404
    assert _rows() == before


def test_cluster_enterprises_need_authentication(client: TestClient, world: World) -> None:
    prov, headers = _as(client, "prov_admin")
    bid = prov.post("/api/brains", json=_brain_body(world), headers=headers).json()["id"]
    assert client.get(f"/api/brains/{bid}/enterprises").status_code == 401
    member, _ = _as(client, "a_member")
    assert member.get(f"/api/brains/{bid}/enterprises").status_code == 200


def test_region_and_industry_helpers() -> None:
    assert service.region_ancestry("331081") == ["331081", "3310", "33"]
    assert "331081" in service.region_descendants("33")
    assert service.industry_descendants("3441") == {"3441"}
    assert "3441" in service.industry_descendants("C")

"""The ``industrybrain templates`` commands, the knowledge components and the browse pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from industrybrain.cli import build_cli
from industrybrain.plugins import collect, get_plugin_manager
from industrybrain.templates import PACKAGED_TEMPLATES_DIR, list_templates, load_template

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(build_cli(), ["templates", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_list_shows_every_template_as_valid() -> None:
    code, output = invoke("list")
    assert code == 0, output
    for template_id in ("pumps-valves", "smart-electrical", "sewing-equipment"):
        assert template_id in output
    assert output.count("valid") >= 3


def test_show_prints_a_summary_chain_and_categories() -> None:
    code, output = invoke("show", "pumps-valves")
    assert code == 0, output
    assert "温岭泵阀产业大脑" in output and "chain nodes: upstream" in output

    code, output = invoke("show", "pumps-valves", "--chain")
    assert code == 0, output
    assert "well_submersible_pump" in output and "3441" in output and "cost share" in output

    code, output = invoke("show", "pumps-valves", "--categories")
    assert code == 0, output
    assert "PV01.01.01" in output and "flow_rate^" in output  # inherited marker


def test_show_unknown_template_exits_1() -> None:
    code, output = invoke("show", "no-such-template")
    assert code == 1
    assert "no template 'no-such-template'" in output


def test_validate_a_good_template_by_id_and_by_path() -> None:
    code, output = invoke("validate", "smart-electrical")
    assert code == 0, output
    assert "smart-electrical is valid" in output
    code, output = invoke("validate", str(PACKAGED_TEMPLATES_DIR / "sewing-equipment"))
    assert code == 0, output


def test_validate_a_broken_template_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "pumps-valves"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    chain = folder / "chain.yaml"
    text = chain.read_text(encoding="utf-8")
    text = text.replace("stage: midstream", "stage: middle", 1)
    text = text.replace(
        "{supplier: copper_wire, buyer: motor,", "{supplier: gold_wire, buyer: motor,"
    )
    chain.write_text(text, encoding="utf-8")
    demo = folder / "demo.yaml"
    demo.write_text(
        demo.read_text(encoding="utf-8").replace("大溪镇: 0.30", "大溪: 0.30"), encoding="utf-8"
    )

    code, output = invoke("validate", str(folder))
    assert code == 1
    assert "3 problems" in output
    template = load_template("pumps-valves")
    motor_index = [n.id for n in template.chain.nodes].index("motor")
    assert "chain.yaml:" in output
    assert f"nodes[{motor_index}].stage: Input should be" in output
    assert "edges[0].supplier: supplier 'gold_wire' is not a node" in output
    assert (
        "demo.yaml:" in output
        and "town_weights.大溪: '大溪' is not a town of county 331081" in output
    )


def test_each_template_is_a_knowledge_component(ib_env: Path) -> None:
    components = {c.id: c for c in collect("register_components")}
    component = components["template.pumps-valves"]
    assert component.kind == "knowledge"
    assert component.version == load_template("pumps-valves").version
    assert {"template.smart-electrical", "template.sewing-equipment"} <= set(components)


def test_a_plugin_can_ship_a_template(ib_env: Path, tmp_path: Path) -> None:
    root = tmp_path / "plugin_templates"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "sewing-equipment", root / "sewing-equipment-copy")
    meta = root / "sewing-equipment-copy" / "template.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "id: sewing-equipment", "id: sewing-equipment-copy"
        ),
        encoding="utf-8",
    )

    class Plugin:
        from industrybrain.hookspecs import hookimpl

        @staticmethod
        @hookimpl
        def register_brain_templates() -> list[Path]:
            return [root]

    get_plugin_manager().register(Plugin(), name="test_templates_plugin")
    ids = [summary.id for summary in list_templates()]
    assert "sewing-equipment-copy" in ids and "pumps-valves" in ids
    assert load_template("sewing-equipment-copy").name_zh == "台州缝制设备产业大脑"


@pytest.fixture
def web(client: TestClient) -> TestClient:
    return client


def test_templates_page_lists_every_template(web: TestClient) -> None:
    response = web.get("/templates")
    assert response.status_code == 200
    assert "温岭泵阀产业大脑" in response.text
    assert 'href="/templates/smart-electrical"' in response.text
    assert "产业大脑模板" in response.text  # nav entry and title, in Chinese by default


def test_template_page_shows_chain_by_stage_graph_and_categories(web: TestClient) -> None:
    response = web.get("/templates/pumps-valves")
    assert response.status_code == 200
    text = response.text
    for stage in ("upstream", "midstream", "downstream", "service"):
        assert f'data-testid="stage-{stage}"' in text
    assert 'id="template-chain-graph"' in text and "data-echarts-options" in text
    assert 'id="node-well_submersible_pump"' in text and "井用潜水泵" in text
    assert 'id="category-PV01.01.01"' in text
    assert "is-inherited" in text and "is-own" in text
    assert "额定流量" in text and "m3/h" in text


def test_template_page_in_english(web: TestClient) -> None:
    response = web.get("/templates/pumps-valves?lang=en")
    assert response.status_code == 200
    assert "Wenling pumps and valves industry brain" in response.text
    assert "Inherited" in response.text


def test_unknown_template_page_is_404(web: TestClient) -> None:
    assert web.get("/templates/no-such-template").status_code == 404


def test_api_lists_and_serves_templates(web: TestClient) -> None:
    listed = web.get("/api/templates").json()
    assert {"pumps-valves", "smart-electrical", "sewing-equipment"} <= {t["id"] for t in listed}
    body = web.get("/api/templates/pumps-valves").json()
    assert body["region_code"] == "331081" and "path" not in body
    assert len(body["chain"]["nodes"]) >= 40
    assert body["categories"][0]["level"] == 1
    rows = web.get("/api/templates/pumps-valves/categories/PV01.01.01/attributes").json()
    by_code = {row["code"]: row for row in rows}
    assert by_code["flow_rate"]["category"] == "PV01"
    assert by_code["min_well_diameter"]["category"] == "PV01.01.01"
    assert web.get("/api/templates/nope").status_code == 404
    assert web.get("/api/templates/pumps-valves/categories/XX99/attributes").status_code == 404

"""Brain template loading and validation: shipped templates are complete, broken ones rejected."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from industrybrain import reference
from industrybrain.templates import (
    PACKAGED_TEMPLATES_DIR,
    STAGES,
    TemplateError,
    clear_template_cache,
    list_templates,
    load_template,
)

SHIPPED = ["pumps-valves", "smart-electrical", "sewing-equipment"]


def shipped_ids() -> list[str]:
    return sorted(
        p.name for p in PACKAGED_TEMPLATES_DIR.iterdir() if (p / "template.yaml").is_file()
    )


@pytest.mark.parametrize("template_id", shipped_ids())
def test_every_shipped_template_loads(template_id: str) -> None:
    template = load_template(template_id)
    assert template.id == template_id
    assert template.chain.nodes and template.categories
    by_stage = template.chain.by_stage()
    assert all(by_stage[stage] for stage in STAGES), "every stage has nodes"


def test_the_three_issue_templates_are_shipped_and_listed() -> None:
    assert set(SHIPPED) <= set(shipped_ids())
    assert set(SHIPPED) <= {summary.id for summary in list_templates()}


@pytest.mark.parametrize("template_id", shipped_ids())
def test_every_code_of_a_shipped_template_exists(template_id: str) -> None:
    template = load_template(template_id)
    classes = reference.industry_classes()
    hs = reference.hs_codes()
    industry = list(template.industry_classes)
    hs_used: list[str] = []
    for node in template.chain.nodes:
        industry += node.industry_classes
        hs_used += node.hs_codes
    for category in template.categories:
        industry += category.industry_classes
        hs_used += category.hs_codes
    assert industry and hs_used
    assert [c for c in industry if c not in classes or classes[c].level != 4] == []
    assert [c for c in hs_used if c not in hs or len(c) not in (4, 6)] == []
    towns = {town.name for town in reference.towns_of_county(template.demo.county_code)}
    assert set(template.demo.town_weights) <= towns
    assert template.region_code in reference.regions()


def test_pumps_valves_is_complete() -> None:
    template = load_template("pumps-valves")
    assert template.region_code == "331081"
    assert len(template.chain.nodes) >= 40
    ids = {node.id for node in template.chain.nodes}
    expected_nodes = {
        "iron_casting", "copper_wire", "silicon_steel", "bearing", "mechanical_seal",
        "controller", "motor", "submersible_pump", "well_submersible_pump", "centrifugal_pump",
        "pipeline_pump", "self_priming_pump", "multistage_pump", "canned_motor_pump",
        "chemical_pump", "deep_well_pump", "sewage_pump", "fire_pump", "gate_valve",
        "globe_valve", "ball_valve", "butterfly_valve", "check_valve", "control_valve",
        "safety_valve", "solenoid_valve", "agricultural_irrigation", "building_water_supply",
        "hvac", "petrochemical", "water_treatment", "testing_service", "logistics",
    }  # fmt: skip
    assert expected_nodes <= ids
    assert template.node("motor").industry_classes == ["3812"]
    assert "3441" in template.node("pump").industry_classes
    assert "8413" in template.node("pump").hs_codes
    assert "8481" in template.node("valve").hs_codes

    assert len(template.categories) >= 30
    attribute_codes = {
        attribute.code for category in template.categories for attribute in category.attributes
    }
    for code in [
        "flow_rate", "head", "power", "speed", "pump_efficiency", "npsh_required",
        "pump_body_material", "body_material", "nominal_size", "nominal_pressure",
        "connection_type", "voltage", "protection_class",
    ]:  # fmt: skip
        assert code in attribute_codes, code
    flow = next(a for a in template.attributes_of("PV01.01.01") if a.code == "flow_rate")
    assert (flow.unit, flow.datatype, flow.required) == ("m3/h", "decimal", True)
    assert {"流量", "Q", "额定流量", "Flow"} <= set(flow.synonyms)


def test_attributes_are_inherited_root_first() -> None:
    template = load_template("pumps-valves")
    well_pump = template.category("PV01.01.01")
    assert well_pump.level == 3
    assert [c.code for c in template.ancestors("PV01.01.01")] == ["PV01", "PV01.01"]
    codes = [a.code for a in template.attributes_of("PV01.01.01")]
    assert codes[:3] == ["model", "flow_rate", "head"]
    assert "max_immersion_depth" in codes  # from PV01.01
    assert "min_well_diameter" in codes  # own
    assert "min_well_diameter" not in [a.code for a in template.attributes_of("PV01.01")]
    valve_codes = [a.code for a in template.attributes_of("PV02.03.03")]
    assert "nominal_size" in valve_codes and "flow_rate" not in valve_codes


def test_incoming_cost_shares_never_exceed_one() -> None:
    for template_id in shipped_ids():
        totals: dict[str, float] = {}
        for edge in load_template(template_id).chain.edges:
            totals[edge.buyer] = totals.get(edge.buyer, 0) + edge.cost_share
        assert max(totals.values()) <= 1.0


def test_loading_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    folder = tmp_path / "pumps-valves"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    first = load_template(folder)
    assert load_template(folder) is first
    meta = folder / "template.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("1.0.0", "1.0.1"), encoding="utf-8")
    import os

    stat = meta.stat()
    os.utime(meta, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    second = load_template(folder)
    assert second is not first and second.version == "1.0.1"
    clear_template_cache()
    assert load_template(folder) is not second


def test_unknown_template_id_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="no template 'nope'"):
        load_template("nope")


# --- breakages -----------------------------------------------------------------------------------

Data = dict[str, Any]


def _node_index(data: Data, node_id: str) -> int:
    return next(i for i, node in enumerate(data["nodes"]) if node["id"] == node_id)


def _category_index(data: Data, code: str) -> int:
    return next(i for i, c in enumerate(data["categories"]) if c["code"] == code)


def break_stage(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "motor")
    files["chain.yaml"]["nodes"][index]["stage"] = "middle"
    return f"nodes[{index}].stage", "Input should be 'upstream'"


def break_parent(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "gate_valve")
    files["chain.yaml"]["nodes"][index]["parent"] = "valves"
    return f"nodes[{index}].parent", "parent 'valves' is not a node"


def break_parent_cycle(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "motor")
    files["chain.yaml"]["nodes"][index]["parent"] = "submersible_motor"
    return f"nodes[{index}].parent", "parent chain of 'motor' is a cycle"


def break_duplicate_node(files: dict[str, Data]) -> tuple[str, str]:
    nodes = files["chain.yaml"]["nodes"]
    nodes.append(dict(nodes[0]))
    return f"nodes[{len(nodes) - 1}].id", f"node id {nodes[0]['id']!r} is declared twice"


def break_edge_node(files: dict[str, Data]) -> tuple[str, str]:
    edges = files["chain.yaml"]["edges"]
    edges[3]["supplier"] = "unobtainium"
    return "edges[3].supplier", "supplier 'unobtainium' is not a node"


def break_cost_share_range(files: dict[str, Data]) -> tuple[str, str]:
    files["chain.yaml"]["edges"][0]["cost_share"] = 1.5
    return "edges[0].cost_share", "less than or equal to 1"


def break_cost_share_sum(files: dict[str, Data]) -> tuple[str, str]:
    edges = files["chain.yaml"]["edges"]
    edges.append({"supplier": "cable", "buyer": "motor", "cost_share": 0.9})
    return f"edges[{len(edges) - 1}].cost_share", "cost shares into 'motor' sum to"


def break_industry_class(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "bearing")
    files["chain.yaml"]["nodes"][index]["industry_classes"] = ["3451", "3459", "9999"]
    return f"nodes[{index}].industry_classes[2]", "GB/T 4754-2017 has no industry class '9999'"


def break_hs_code(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV02.05")
    files["categories.yaml"]["categories"][index]["hs_codes"] = ["848199"]
    return f"categories[{index}].hs_codes[0]", "HS 2022 has no code '848199'"


def break_hs_length(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "pump")
    files["chain.yaml"]["nodes"][index]["hs_codes"] = ["84137"]
    return f"nodes[{index}].hs_codes[0]", "must have 4 or 6 digits"


def break_duplicate_category(files: dict[str, Data]) -> tuple[str, str]:
    categories = files["categories.yaml"]["categories"]
    copy = dict(categories[_category_index(files["categories.yaml"], "PV02.04")])
    categories.append(copy)
    return f"categories[{len(categories) - 1}].code", "category code 'PV02.04' is declared twice"


def break_inherited_attribute(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV01.02.01")
    attributes = files["categories.yaml"]["categories"][index]["attributes"]
    attributes.append(
        {"code": "head", "name_zh": "扬程", "name_en": "Head", "datatype": "decimal", "unit": "m"}
    )
    path = f"categories[{index}].attributes[{len(attributes) - 1}].code"
    return path, "attribute 'head' is already inherited from PV01"


def break_enum_without_values(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV02.04")
    files["categories.yaml"]["categories"][index]["attributes"][0]["enum"] = []
    return f"categories[{index}].attributes[0]", "an enum attribute needs its list of values"


def break_min_max(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV01")
    attribute = files["categories.yaml"]["categories"][index]["attributes"][1]
    assert attribute["code"] == "flow_rate"
    attribute["min"], attribute["max"] = 100, 10
    return f"categories[{index}].attributes[1]", "min 100 is greater than max 10"


def break_depth(files: dict[str, Data]) -> tuple[str, str]:
    categories = files["categories.yaml"]["categories"]
    parent = "PV01.01.01"
    for level in range(4, 8):
        code = f"{parent}.{level:02d}"
        categories.append({"code": code, "name_zh": "深", "name_en": "Deep", "parent": parent})
        parent = code
    return f"categories[{len(categories) - 1}].parent", "is at level 7, deeper than 6"


def break_category_parent(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV02.09")
    files["categories.yaml"]["categories"][index]["parent"] = "PV09"
    return f"categories[{index}].parent", "parent 'PV09' is not a category"


def break_unknown_key(files: dict[str, Data]) -> tuple[str, str]:
    files["categories.yaml"]["categories"][2]["colour"] = "blue"
    return "categories[2].colour", "Extra inputs are not permitted"


def break_town(files: dict[str, Data]) -> tuple[str, str]:
    files["demo.yaml"]["town_weights"]["柳市镇"] = 0.1  # a town of 乐清, not of 温岭
    return "town_weights.柳市镇", "'柳市镇' is not a town of county 331081"


def break_demo_node(files: dict[str, Data]) -> tuple[str, str]:
    files["demo.yaml"]["node_weights"]["spaceship"] = 0.1
    return "node_weights.spaceship", "chain node 'spaceship' is not a node"


def break_tag_rule_node(files: dict[str, Data]) -> tuple[str, str]:
    files["tagging.yaml"]["rules"][0]["node"] = "no_such_node"
    return "rules[0].node", "chain node 'no_such_node' is not a node"


def break_index_material(files: dict[str, Data]) -> tuple[str, str]:
    index = next(
        i for i, d in enumerate(files["indices.yaml"]["indices"]) if d["kind"] == "price_raw"
    )
    files["indices.yaml"]["indices"][index]["params"]["materials"][0]["code"] = "gold"
    return f"indices[{index}].params.materials[0].code", "raw material 'gold' is not in demo.yaml"


def break_indicator_weights(files: dict[str, Data]) -> tuple[str, str]:
    files["evaluation.yaml"]["indicators"][0]["weight"] = 0.5
    return "indicators", "weights sum to"


def break_ambiguous_synonym(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV01.01.01")
    attribute = files["categories.yaml"]["categories"][index]["attributes"][0]
    assert attribute["code"] == "min_well_diameter"
    attribute["synonyms"].append("扬程")  # a synonym of the inherited head attribute
    path = f"categories[{index}].attributes[0].synonyms[{len(attribute['synonyms']) - 1}]"
    return path, "'扬程' also names attribute 'head' of PV01.01.01"


def break_child_stage(files: dict[str, Data]) -> tuple[str, str]:
    index = _node_index(files["chain.yaml"], "ball_valve")
    files["chain.yaml"]["nodes"][index]["stage"] = "downstream"
    return f"nodes[{index}].stage", "differs from the stage 'midstream' of its parent 'valve'"


def break_category_node_stage(files: dict[str, Data]) -> tuple[str, str]:
    index = _category_index(files["categories.yaml"], "PV02.06")
    files["categories.yaml"]["categories"][index]["chain_node"] = "hvac"
    return f"categories[{index}].chain_node", "'hvac' is a downstream node"


BREAKAGES: dict[str, tuple[str, Callable[[dict[str, Data]], tuple[str, str]]]] = {
    "stage": ("chain.yaml", break_stage),
    "parent": ("chain.yaml", break_parent),
    "parent_cycle": ("chain.yaml", break_parent_cycle),
    "duplicate_node": ("chain.yaml", break_duplicate_node),
    "edge_node": ("chain.yaml", break_edge_node),
    "cost_share_range": ("chain.yaml", break_cost_share_range),
    "cost_share_sum": ("chain.yaml", break_cost_share_sum),
    "industry_class": ("chain.yaml", break_industry_class),
    "hs_code": ("categories.yaml", break_hs_code),
    "hs_length": ("chain.yaml", break_hs_length),
    "duplicate_category": ("categories.yaml", break_duplicate_category),
    "inherited_attribute": ("categories.yaml", break_inherited_attribute),
    "enum_without_values": ("categories.yaml", break_enum_without_values),
    "min_max": ("categories.yaml", break_min_max),
    "depth": ("categories.yaml", break_depth),
    "category_parent": ("categories.yaml", break_category_parent),
    "unknown_key": ("categories.yaml", break_unknown_key),
    "town": ("demo.yaml", break_town),
    "demo_node": ("demo.yaml", break_demo_node),
    "tag_rule_node": ("tagging.yaml", break_tag_rule_node),
    "index_material": ("indices.yaml", break_index_material),
    "indicator_weights": ("evaluation.yaml", break_indicator_weights),
    "ambiguous_synonym": ("categories.yaml", break_ambiguous_synonym),
    "child_stage": ("chain.yaml", break_child_stage),
    "category_node_stage": ("categories.yaml", break_category_node_stage),
}


def broken_copy(tmp_path: Path, mutate: Callable[[dict[str, Data]], Any]) -> tuple[Path, Any]:
    """Copy pumps-valves into tmp_path, let ``mutate`` edit the parsed files, write them back."""
    folder = tmp_path / "pumps-valves"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    files = {
        path.name: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for path in folder.glob("*.yaml")
    }
    result = mutate(files)
    for name, data in files.items():
        (folder / name).write_text(
            yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    return folder, result


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_a_broken_template_is_rejected_with_file_path_and_reason(tmp_path: Path, name: str) -> None:
    file, mutate = BREAKAGES[name]
    folder, (path, reason) = broken_copy(tmp_path, mutate)
    with pytest.raises(TemplateError) as caught:
        load_template(folder)
    matches = [
        issue
        for issue in caught.value.issues
        if issue.file == file and issue.path == path and reason in issue.reason
    ]
    assert matches, "\n".join(str(issue) for issue in caught.value.issues)
    assert matches[0].line is not None  # the line in the file is reported too
    assert f"{file}:" in str(caught.value)


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    def mutate(files: dict[str, Data]) -> list[tuple[str, str, str]]:
        expected = []
        for key in ("stage", "edge_node", "min_max", "town", "tag_rule_node"):
            file, breaker = BREAKAGES[key]
            path, reason = breaker(files)
            expected.append((file, path, reason))
        return expected

    folder, expected = broken_copy(tmp_path, mutate)
    with pytest.raises(TemplateError) as caught:
        load_template(folder)
    issues = caught.value.issues
    for file, path, reason in expected:
        assert any(i.file == file and i.path == path and reason in i.reason for i in issues), (
            file,
            path,
            reason,
            [str(i) for i in issues],
        )
    assert (caught.value.file, caught.value.path) == (issues[0].file, issues[0].path)


def test_yaml_syntax_error_reports_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "pumps-valves"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    (folder / "indices.yaml").write_text("indices:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(folder)
    issue = caught.value.issues[0]
    assert issue.file == "indices.yaml" and "not valid YAML" in issue.reason
    assert issue.line == 3


def test_missing_required_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "pumps-valves"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    (folder / "categories.yaml").unlink()
    with pytest.raises(TemplateError) as caught:
        load_template(folder)
    assert [
        (i.file, i.reason.startswith("required file is missing")) for i in caught.value.issues
    ] == [("categories.yaml", True)]


def test_folder_name_must_match_template_id(tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    shutil.copytree(PACKAGED_TEMPLATES_DIR / "pumps-valves", folder)
    with pytest.raises(TemplateError) as caught:
        load_template(folder)
    assert (caught.value.file, caught.value.path) == ("template.yaml", "id")

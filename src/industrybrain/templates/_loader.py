"""Load a brain template folder, validate it and report every problem with file, path and reason.

Validation runs in two passes. The first validates each YAML file against its Pydantic model
(types, ranges, unknown keys). The second cross-checks the files against each other and against
the packaged reference lists (GB/T 4754-2017, HS 2022, GB/T 2260 towns). Every problem found in
either pass is collected, so one run of ``industrybrain templates validate`` lists them all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from industrybrain import reference
from industrybrain.templates._schema import (
    MAX_CATEGORY_LEVEL,
    Attribute,
    BrainTemplate,
    CategoriesFile,
    Chain,
    ChainFile,
    DemoParameters,
    EvaluationFile,
    IndicesFile,
    ProductCategory,
    TaggingFile,
    TemplateMeta,
    _Strict,
)

Loc = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT", bound=_Strict)

#: file name -> (model, required)
FILES: dict[str, tuple[type[BaseModel], bool]] = {
    "template.yaml": (TemplateMeta, True),
    "chain.yaml": (ChainFile, True),
    "categories.yaml": (CategoriesFile, True),
    "tagging.yaml": (TaggingFile, False),
    "indices.yaml": (IndicesFile, False),
    "evaluation.yaml": (EvaluationFile, False),
    "demo.yaml": (DemoParameters, True),
}
WEIGHT_TOLERANCE = 1e-6
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def format_loc(loc: Iterable[str | int]) -> str:
    """``("nodes", 12, "stage")`` -> ``nodes[12].stage``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class TemplateIssue:
    """One problem: ``file`` (e.g. ``chain.yaml``), ``path`` (``nodes[12].stage``), ``reason``."""

    file: str
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [part for part in (where, self.path, self.reason) if part]
        return ": ".join(parts)


class TemplateError(ValueError):
    """A brain template is invalid or missing.

    ``TemplateError(file, path, reason)`` for one problem or ``TemplateError(issues)`` for several;
    ``file``, ``path`` and ``reason`` are those of the first problem, ``issues`` holds them all.
    """

    def __init__(
        self,
        file_or_issues: str | Sequence[TemplateIssue],
        path: str = "",
        reason: str = "",
        *,
        template: str = "",
    ) -> None:
        if isinstance(file_or_issues, str):
            issues: list[TemplateIssue] = [TemplateIssue(file_or_issues, path, reason)]
        else:
            issues = list(file_or_issues)
        if not issues:
            raise ValueError("TemplateError needs at least one issue")
        self.issues = issues
        self.template = template
        first = issues[0]
        self.file, self.path, self.reason = first.file, first.path, first.reason
        head = f"template {template}: " if template else ""
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{head}{first}{more}")


# --- YAML with line numbers ----------------------------------------------------------------------


def _line_index(node: yaml.Node | None) -> dict[Loc, int]:
    """Map every path of a composed YAML document to its 1-based line."""
    lines: dict[Loc, int] = {}

    def walk(current: yaml.Node, loc: Loc) -> None:
        lines[loc] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    lines[(*loc, str(key.value))] = key.start_mark.line + 1
                    walk(value, (*loc, str(key.value)))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, (*loc, index))

    if node is not None:
        walk(node, ())
    return lines


class _Report:
    """Collects issues; resolves line numbers from each file's YAML tree."""

    def __init__(self) -> None:
        self.issues: list[TemplateIssue] = []
        self.lines: dict[str, dict[Loc, int]] = {}
        # ids/codes of list items dropped for schema errors, per file: they exist, so
        # references to them are not reported a second time as dangling.
        self.dropped: dict[str, set[str]] = {}

    def add(self, file: str, loc: Loc, reason: str) -> None:
        index = self.lines.get(file, {})
        line = None
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in index:
                line = index[loc[:cut]]
                break
        self.issues.append(TemplateIssue(file, format_loc(loc), reason, line))


def _read(folder: Path, name: str, required: bool, report: _Report) -> Any:
    path = folder / name
    if not path.is_file():
        if required:
            report.add(name, (), f"required file is missing in {folder}")
        return None
    text = path.read_text(encoding="utf-8")
    # Compose once (for line numbers), then construct from the same tree; libyaml when present.
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        report.lines[name] = _line_index(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        report.issues.append(
            TemplateIssue(name, "", f"not valid YAML: {problem}", mark.line + 1 if mark else None)
        )
        return None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    return data


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _stamp(obj: BaseModel, positions: dict[str, list[int]]) -> None:
    """Record each list item's index in the file (``positions`` when items were dropped)."""
    for name, field in type(obj).model_fields.items():
        if _list_item_model(field.annotation) is None:
            continue
        where = positions.get(name)
        for index, item in enumerate(getattr(obj, name)):
            item._source_index = where[index] if where is not None else index


def _salvage(
    name: str, model: type[ModelT], data: dict[str, Any], report: _Report
) -> ModelT | None:
    """Keep the valid items of each list so that cross-checks still run on them."""
    cleaned = dict(data)
    positions: dict[str, list[int]] = {}
    for field_name, field in model.model_fields.items():
        item_model = _list_item_model(field.annotation)
        raw = data.get(field_name)
        if item_model is None or not isinstance(raw, list):
            continue
        kept: list[BaseModel] = []
        where: list[int] = []
        for index, item in enumerate(raw):
            try:
                kept.append(item_model.model_validate(item))
                where.append(index)
            except ValidationError:
                if isinstance(item, dict):
                    for key in ("id", "code"):
                        if isinstance(item.get(key), str):
                            report.dropped.setdefault(name, set()).add(item[key])
        cleaned[field_name] = kept
        positions[field_name] = where
    try:
        obj = model.model_validate(cleaned)
    except ValidationError:
        return None
    _stamp(obj, positions)
    return obj


def _validate(name: str, model: type[ModelT], data: Any, report: _Report) -> ModelT | None:
    if not isinstance(data, dict):
        report.add(name, (), f"expected a mapping at the top, got {type(data).__name__}")
        return None
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            reason = error["msg"]
            if reason.startswith("Value error, "):
                reason = reason[len("Value error, ") :]
            if error["type"] not in ("missing", "extra_forbidden") and "input" in error:
                shown = repr(error["input"])
                if len(shown) <= 60:
                    reason += f" (got {shown})"
            report.add(name, tuple(error["loc"]), reason)
        return _salvage(name, model, data, report)
    _stamp(obj, {})
    return obj


# --- cross-checks --------------------------------------------------------------------------------


def _check_industry_classes(codes: Sequence[str], file: str, loc: Loc, report: _Report) -> None:
    classes = reference.industry_classes()
    for index, code in enumerate(codes):
        found = classes.get(code)
        if found is None:
            report.add(file, (*loc, index), f"GB/T 4754-2017 has no industry class {code!r}")
        elif found.level != 4:
            report.add(
                file,
                (*loc, index),
                f"{code!r} is not a 4-digit GB/T 4754-2017 class ({found.name})",
            )


def _check_hs_codes(codes: Sequence[str], file: str, loc: Loc, report: _Report) -> None:
    hs = reference.hs_codes()
    for index, code in enumerate(codes):
        if len(code) not in (4, 6) or not code.isdigit():
            report.add(file, (*loc, index), f"HS code {code!r} must have 4 or 6 digits")
        elif code not in hs:
            report.add(file, (*loc, index), f"HS 2022 has no code {code!r}")


def _located(items: Sequence[ItemT]) -> Iterator[tuple[int, ItemT]]:
    """(index in the file, item): items dropped for schema errors leave gaps, not shifts."""
    for item in items:
        yield item.source_index, item


def _duplicates(values: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, value in values:
        if value in seen:
            yield index, value
        seen.add(value)


def _cycle_members(parents: Mapping[str, str | None]) -> set[str]:
    """Keys that sit on a parent cycle."""
    on_cycle: set[str] = set()
    for start in parents:
        seen: list[str] = []
        current: str | None = start
        while current is not None and current in parents and current not in seen:
            seen.append(current)
            current = parents[current]
        if current is not None and current in seen:
            on_cycle.update(seen[seen.index(current) :])
    return on_cycle


def _check_meta(meta: TemplateMeta, folder: Path, report: _Report) -> None:
    file = "template.yaml"
    if meta.id != folder.name:
        report.add(file, ("id",), f"id {meta.id!r} differs from the folder name {folder.name!r}")
    region = reference.regions().get(meta.region_code)
    if region is None:
        report.add(file, ("region_code",), f"GB/T 2260 has no region {meta.region_code!r}")
    _check_industry_classes(meta.industry_classes, file, ("industry_classes",), report)


def _check_chain(chain: ChainFile, report: _Report) -> None:
    file = "chain.yaml"
    ids = [node.id for node in chain.nodes]
    for index, node_id in _duplicates((i, n.id) for i, n in _located(chain.nodes)):
        report.add(file, ("nodes", index, "id"), f"node id {node_id!r} is declared twice")
    known = set(ids) | report.dropped.get(file, set())
    stages = {node.id: node.stage for node in chain.nodes}
    for index, node in _located(chain.nodes):
        loc: Loc = ("nodes", index)
        if node.parent is not None:
            if node.parent not in known:
                report.add(file, (*loc, "parent"), f"parent {node.parent!r} is not a node")
            elif node.parent == node.id:
                report.add(file, (*loc, "parent"), "a node cannot be its own parent")
            elif node.parent in stages and stages[node.parent] != node.stage:
                report.add(
                    file,
                    (*loc, "stage"),
                    f"stage {node.stage!r} differs from the stage {stages[node.parent]!r} "
                    f"of its parent {node.parent!r}",
                )
        _check_industry_classes(node.industry_classes, file, (*loc, "industry_classes"), report)
        _check_hs_codes(node.hs_codes, file, (*loc, "hs_codes"), report)
        if not node.keywords:
            report.add(file, (*loc, "keywords"), "a node needs at least one keyword for tagging")
    parents = {node.id: node.parent for node in chain.nodes if node.parent in known}
    cycle = _cycle_members(parents)
    for index, node in _located(chain.nodes):
        if node.id in cycle and node.parent != node.id:
            report.add(file, ("nodes", index, "parent"), f"parent chain of {node.id!r} is a cycle")

    incoming: dict[str, list[tuple[int, float]]] = defaultdict(list)
    pairs: set[tuple[str, str]] = set()
    for index, edge in _located(chain.edges):
        loc = ("edges", index)
        for role in ("supplier", "buyer"):
            value = getattr(edge, role)
            if value not in known:
                report.add(file, (*loc, role), f"{role} {value!r} is not a node")
        if edge.supplier == edge.buyer:
            report.add(file, (*loc, "buyer"), "an edge cannot supply its own supplier")
        if (edge.supplier, edge.buyer) in pairs:
            report.add(file, loc, f"edge {edge.supplier} -> {edge.buyer} is declared twice")
        pairs.add((edge.supplier, edge.buyer))
        incoming[edge.buyer].append((index, edge.cost_share))
    for buyer, shares in incoming.items():
        total = sum(share for _, share in shares)
        if total > 1 + WEIGHT_TOLERANCE:
            last = shares[-1][0]
            report.add(
                file,
                ("edges", last, "cost_share"),
                f"cost shares into {buyer!r} sum to {total:.3f}, more than 1",
            )


def _check_categories(
    categories: CategoriesFile,
    node_ids: set[str] | None,
    node_stages: Mapping[str, str],
    report: _Report,
) -> None:
    """Also fills in each category's ``level`` (1 for a root)."""
    file = "categories.yaml"
    items = categories.categories
    for index, code in _duplicates((i, c.code) for i, c in _located(items)):
        report.add(file, ("categories", index, "code"), f"category code {code!r} is declared twice")
    by_code = {category.code: category for category in items}
    for index, category in _located(items):
        loc: Loc = ("categories", index)
        if category.parent is not None:
            if category.parent in report.dropped.get(file, set()):
                pass  # the parent has schema errors of its own, reported already
            elif category.parent not in by_code:
                report.add(file, (*loc, "parent"), f"parent {category.parent!r} is not a category")
            elif not category.code.startswith(category.parent + "."):
                report.add(
                    file,
                    (*loc, "code"),
                    f"code {category.code!r} must extend its parent's code {category.parent!r}",
                )
        if (
            category.chain_node is not None
            and node_ids is not None
            and category.chain_node not in node_ids
        ):
            report.add(
                file, (*loc, "chain_node"), f"chain node {category.chain_node!r} is not a node"
            )
        elif node_stages.get(category.chain_node or "") in ("downstream", "service"):
            report.add(
                file,
                (*loc, "chain_node"),
                f"chain node {category.chain_node!r} is a "
                f"{node_stages[category.chain_node or '']} node; product categories belong to "
                "upstream or midstream nodes",
            )
        _check_industry_classes(category.industry_classes, file, (*loc, "industry_classes"), report)
        _check_hs_codes(category.hs_codes, file, (*loc, "hs_codes"), report)
        for attr_index, code in _duplicates(enumerate(attr.code for attr in category.attributes)):
            report.add(
                file,
                (*loc, "attributes", attr_index, "code"),
                f"attribute {code!r} is declared twice in {category.code}",
            )

    parents = {c.code: c.parent for c in items if c.parent in by_code}
    cycle = _cycle_members(parents)
    index_of = {category.code: index for index, category in _located(items)}
    for index, category in _located(items):
        if category.code in cycle:
            report.add(
                file,
                ("categories", index, "parent"),
                f"parent chain of {category.code!r} is a cycle",
            )
            continue
        lineage: list[ProductCategory] = []
        parent = category.parent
        while parent is not None and parent in by_code and parent not in cycle:
            lineage.append(by_code[parent])
            parent = by_code[parent].parent
        category.level = len(lineage) + 1
        if category.level > MAX_CATEGORY_LEVEL:
            report.add(
                file,
                ("categories", index, "parent"),
                f"category {category.code!r} is at level {category.level}, "
                f"deeper than {MAX_CATEGORY_LEVEL}",
            )
        inherited = {
            attr.code: ancestor.code for ancestor in lineage for attr in ancestor.attributes
        }
        for attr_index, attr in enumerate(category.attributes):
            if attr.code in inherited:
                report.add(
                    file,
                    ("categories", index, "attributes", attr_index, "code"),
                    f"attribute {attr.code!r} is already inherited from "
                    f"{inherited[attr.code]} (categories[{index_of[inherited[attr.code]]}])",
                )
        _check_attribute_labels(category, lineage, ("categories", index), report)


def _normalise_label(label: str) -> str:
    return "".join(label.split()).casefold()


def _attribute_labels(attribute: Attribute) -> Iterator[tuple[Loc, str]]:
    yield ("code",), attribute.code
    yield ("name_zh",), attribute.name_zh
    yield ("name_en",), attribute.name_en
    for index, synonym in enumerate(attribute.synonyms):
        yield ("synonyms", index), synonym


def _check_attribute_labels(
    category: ProductCategory, lineage: Sequence[ProductCategory], loc: Loc, report: _Report
) -> None:
    """A column name must point at one attribute of a category (own or inherited): the CPMS
    column mapper matches spreadsheet headers against these labels."""
    owners: dict[str, str] = {}
    for ancestor in reversed(lineage):  # root first
        for attribute in ancestor.attributes:
            for _, label in _attribute_labels(attribute):
                owners.setdefault(_normalise_label(label), attribute.code)
    for attr_index, attribute in enumerate(category.attributes):
        for label_loc, label in _attribute_labels(attribute):
            key = _normalise_label(label)
            owner = owners.setdefault(key, attribute.code)
            if owner != attribute.code:
                report.add(
                    "categories.yaml",
                    (*loc, "attributes", attr_index, *label_loc),
                    f"{label!r} also names attribute {owner!r} of {category.code}: "
                    "a column with this name would be ambiguous",
                )


def _check_tagging(tagging: TaggingFile, node_ids: set[str] | None, report: _Report) -> None:
    file = "tagging.yaml"
    for index, rule in _located(tagging.rules):
        loc: Loc = ("rules", index)
        if node_ids is not None and rule.node not in node_ids:
            report.add(file, (*loc, "node"), f"chain node {rule.node!r} is not a node")
        _check_industry_classes(rule.industry_classes, file, (*loc, "industry_classes"), report)
        clash = set(rule.exclude_keywords) & (set(rule.any_keywords) | set(rule.all_keywords))
        if clash:
            report.add(
                file,
                (*loc, "exclude_keywords"),
                f"keywords both required and excluded: {', '.join(sorted(clash))}",
            )


def _weighted_refs(
    value: Any, key: str, file: str, loc: Loc, report: _Report
) -> list[tuple[int, str, float]] | None:
    """Validate ``[{key: ..., weight: ...}]`` whose weights sum to 1."""
    if not isinstance(value, list) or not value:
        report.add(file, loc, f"needs a non-empty list of {{{key}, weight}}")
        return None
    result: list[tuple[int, str, float]] = []
    for index, item in enumerate(value):
        if (
            not isinstance(item, dict)
            or set(item) != {key, "weight"}
            or not isinstance(item[key], str)
            or not isinstance(item["weight"], int | float)
            or item["weight"] <= 0
        ):
            report.add(
                file, (*loc, index), f"expected {{{key}: <text>, weight: <positive number>}}"
            )
            continue
        result.append((index, item[key], float(item["weight"])))
    total = sum(weight for _, _, weight in result)
    if len(result) == len(value) and not math.isclose(total, 1.0, abs_tol=1e-3):
        report.add(file, loc, f"weights sum to {total:.3f}, not 1")
    return result


def _check_indices(
    indices: IndicesFile,
    materials: set[str] | None,
    category_codes: set[str] | None,
    report: _Report,
) -> None:
    file = "indices.yaml"
    for index, duplicate in _duplicates((i, d.id) for i, d in _located(indices.indices)):
        report.add(file, ("indices", index, "id"), f"index id {duplicate!r} is declared twice")
    for index, definition in _located(indices.indices):
        loc: Loc = ("indices", index, "params")
        params = definition.params
        if definition.kind == "prosperity":
            _weighted_refs(params.get("components"), "series", file, (*loc, "components"), report)
            threshold = params.get("threshold", 50)
            if not isinstance(threshold, int | float) or not 0 < threshold < 100:
                report.add(file, (*loc, "threshold"), "threshold must be a number in (0, 100)")
        elif definition.kind == "price_raw":
            refs = _weighted_refs(
                params.get("materials"), "code", file, (*loc, "materials"), report
            )
            for item_index, code, _ in refs or []:
                if materials is not None and code not in materials:
                    report.add(
                        file,
                        (*loc, "materials", item_index, "code"),
                        f"raw material {code!r} is not in demo.yaml raw_materials",
                    )
        elif definition.kind == "price_product":
            refs = _weighted_refs(
                params.get("categories"), "code", file, (*loc, "categories"), report
            )
            for item_index, code, _ in refs or []:
                if category_codes is not None and code not in category_codes:
                    report.add(
                        file,
                        (*loc, "categories", item_index, "code"),
                        f"product category {code!r} is not in categories.yaml",
                    )
        elif not isinstance(params.get("series"), str):
            report.add(file, (*loc, "series"), f"a {definition.kind} index needs a 'series' name")


def _check_evaluation(evaluation: EvaluationFile, report: _Report) -> None:
    file = "evaluation.yaml"
    items = evaluation.indicators
    for index, duplicate in _duplicates((i, x.id) for i, x in _located(items)):
        report.add(
            file, ("indicators", index, "id"), f"indicator id {duplicate!r} is declared twice"
        )
    if items:
        total = sum(indicator.weight for indicator in items)
        if not math.isclose(total, 1.0, abs_tol=1e-3):
            report.add(file, ("indicators",), f"weights sum to {total:.3f}, not 1")


def _check_demo(
    demo: DemoParameters, meta: TemplateMeta | None, node_ids: set[str] | None, report: _Report
) -> None:
    file = "demo.yaml"
    if reference.regions().get(demo.county_code) is None:
        report.add(file, ("county_code",), f"GB/T 2260 has no county {demo.county_code!r}")
    elif meta is not None and not demo.county_code.startswith(meta.region_code[:4]):
        report.add(
            file,
            ("county_code",),
            f"county {demo.county_code} is not in the city of the template's region "
            f"{meta.region_code}",
        )
    towns = {town.name for town in reference.towns_of_county(demo.county_code)}
    for name in demo.town_weights:
        if name not in towns:
            report.add(
                file,
                ("town_weights", name),
                f"{name!r} is not a town of county {demo.county_code}",
            )
    if node_ids is not None:
        for key in ("node_weights", "industry_words", "scope_phrases"):
            for node_id in getattr(demo, key):
                if node_id not in node_ids:
                    report.add(file, (key, node_id), f"chain node {node_id!r} is not a node")
    for index, duplicate in _duplicates((i, m.code) for i, m in _located(demo.raw_materials)):
        report.add(
            file, ("raw_materials", index, "code"), f"raw material {duplicate!r} is declared twice"
        )
    for index, material in _located(demo.raw_materials):
        if material.hs_code is not None:
            _check_hs_codes([material.hs_code], file, ("raw_materials", index, "hs_code"), report)


# --- entry point ---------------------------------------------------------------------------------


def read_template(folder: Path) -> BrainTemplate:
    """Read and validate the template in ``folder``; raise :class:`TemplateError` listing all issues."""
    report = _Report()
    if not (folder / "template.yaml").is_file():
        raise TemplateError("template.yaml", "", f"{folder} is not a brain template folder")
    parsed: dict[str, Any] = {}
    for name, (model, required) in FILES.items():
        data = _read(folder, name, required, report)
        if data is None and not required and not (folder / name).exists():
            parsed[name] = model.model_validate({})
            continue
        if data is not None:
            parsed[name] = _validate(name, model, data, report)

    meta: TemplateMeta | None = parsed.get("template.yaml")
    chain: ChainFile | None = parsed.get("chain.yaml")
    categories: CategoriesFile | None = parsed.get("categories.yaml")
    tagging: TaggingFile | None = parsed.get("tagging.yaml")
    indices: IndicesFile | None = parsed.get("indices.yaml")
    evaluation: EvaluationFile | None = parsed.get("evaluation.yaml")
    demo: DemoParameters | None = parsed.get("demo.yaml")

    node_ids = (
        {node.id for node in chain.nodes} | report.dropped.get("chain.yaml", set())
        if chain
        else None
    )
    if meta:
        _check_meta(meta, folder, report)
    if chain:
        _check_chain(chain, report)
    if categories:
        _check_categories(
            categories,
            node_ids,
            {node.id: node.stage for node in chain.nodes} if chain else {},
            report,
        )
    if tagging:
        _check_tagging(tagging, node_ids, report)
    if indices:
        _check_indices(
            indices,
            {material.code for material in demo.raw_materials} if demo else None,
            {category.code for category in categories.categories} if categories else None,
            report,
        )
    if evaluation:
        _check_evaluation(evaluation, report)
    if demo:
        _check_demo(demo, meta, node_ids, report)

    if report.issues:
        raise TemplateError(report.issues, template=meta.id if meta else folder.name)
    assert meta and chain and categories and tagging and indices and evaluation and demo
    return BrainTemplate(
        **meta.model_dump(),
        path=folder,
        chain=Chain(nodes=chain.nodes, edges=chain.edges),
        categories=categories.categories,
        tagging_rules=tagging.rules,
        indices=indices.indices,
        indicators=evaluation.indicators,
        demo=demo,
    )

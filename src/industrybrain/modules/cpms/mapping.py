"""The mapping assistant: propose which column of an enterprise's sheet holds which attribute.

Signals, strongest first:

1. what this enterprise confirmed before (``remembered``: header label -> target);
2. the header label (without its unit) equal to an attribute's code, names or synonyms, or to a
   record field's labels (``产品名称``, ``商品条码`` ...);
3. the categories named in the sheet's category column: only attributes of those categories
   (and their ancestors) are candidates, which settles labels that name different attributes
   in different branches (``口径``);
4. the unit of the header, unit row or values, which must share the attribute's dimension;
5. the values: the share that parse as the attribute's type and fall inside its range or enum
   (used for near-miss labels and to rank ties);
6. a character-similarity score of the label against every candidate label.

Each column gets one target at most and each target one column; when two columns claim a
target, the better score wins and a tie goes to the rightmost column (catalogues put the
parameter block after the basic information), the other column is marked as a duplicate.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from industrybrain.modules.cpms import units
from industrybrain.modules.cpms.document import AttributeDef, StandardDocument
from industrybrain.modules.cpms.sheets import Sheet

IGNORE = "_ignore"
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    IGNORE: ("序号", "行号", "No.", "No", "#", "Seq"),
    "name": ("产品名称", "名称", "品名", "商品名称", "Product name", "Name", "Product"),
    "category": ("产品类别", "类别", "类目", "产品分类", "分类", "Category", "产品类目"),
    "sku": ("货号", "SKU", "物料编码", "物料号", "产品编码", "企业编码", "Item No.", "内部编码"),
    "gtin": ("商品条码", "条码", "条形码", "GTIN", "EAN", "国际条码", "EAN-13", "Barcode"),
    "handle": ("标识", "工业互联网标识", "标识码", "Handle", "标识编码"),
    "hs_code": ("HS编码", "HS code", "HS", "税则号", "海关商品编码", "商品编码"),
}


def _key(text: str) -> str:
    return (
        units.to_half_width(text)
        .lower()
        .replace(" ", "")
        .replace("³", "3")
        .replace("²", "2")
        .replace("（", "(")
        .replace("）", ")")
    )


@dataclass
class ColumnProposal:
    index: int
    header: str
    target: str | None  # attribute code, record field, or None (not mapped)
    score: float
    reason: str
    unit: str | None = None  # unit the column's values are in when they carry none
    transforms: list[str] = field(default_factory=list)
    duplicate_of: int | None = None


@dataclass
class MappingProposal:
    columns: list[ColumnProposal]
    categories: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"columns": [asdict(c) for c in self.columns], "categories": self.categories}

    def targets(self) -> dict[int, str]:
        return {c.index: c.target for c in self.columns if c.target and c.target != IGNORE}


def _labels(attribute: AttributeDef) -> list[str]:
    return [attribute.code, attribute.name_zh, attribute.name_en, *attribute.synonyms]


def _candidates_of_label(header: str) -> list[str]:
    """The header and the header with one or two unit brackets stripped."""
    result = [header]
    text = header
    for _ in range(2):
        base, unit = units.split_header(text)
        if unit is None or base == text:
            break
        result.append(base)
        text = base
    return result


def _value_fit(values: Sequence[str | None], attribute: AttributeDef) -> float:
    """Share of the non-empty sample values that fit the attribute's type, range or enum."""
    sample = [v for v in values if v][:50]
    if not sample:
        return 0.0
    good = 0
    for value in sample:
        if attribute.datatype in ("decimal", "integer"):
            parsed = units.parse_quantity(value)
            if parsed is None:
                continue
            number, unit = parsed
            if unit and attribute.unit and units.factor(unit, attribute.unit) is None:
                continue
            if attribute.min is not None and number < attribute.min:
                continue
            if attribute.max is not None and number > attribute.max:
                continue
            good += 1
        elif attribute.datatype == "enum":
            enum = {e.replace(" ", "").lower() for e in attribute.enum}
            good += _key(value) in enum
        else:
            good += 1
    return good / len(sample)


def _unit_of_values(values: Sequence[str | None]) -> str | None:
    seen: dict[str, int] = {}
    for value in values[:50]:
        if not value:
            continue
        parsed = units.parse_quantity(value)
        if parsed and parsed[1]:
            canonical = units.canonical(parsed[1])
            if canonical:
                seen[canonical] = seen.get(canonical, 0) + 1
    return max(seen, key=lambda u: seen[u]) if seen else None


def propose(
    sheet: Sheet,
    document: StandardDocument,
    remembered: dict[str, str] | None = None,
) -> MappingProposal:
    """A proposed target, score and reason for every column of ``sheet``."""
    remembered = {_key(k): v for k, v in (remembered or {}).items()}
    field_labels = {_key(label): name for name, labels in RECORD_FIELDS.items() for label in labels}
    # 1. the category column settles which attributes are candidates
    categories: set[str] = set()
    category_column: int | None = None
    for index in range(len(sheet.headers)):
        sample = [v for v in sheet.column(index) if v][:200]
        if not sample:
            continue
        resolved = [document.resolve_category(v) for v in sample]
        hits = [r for r in resolved if r]
        if len(hits) >= 0.8 * len(sample) and len(hits) > 0:
            category_column = index
            categories = set(hits)
            break
    if categories:
        pool: dict[str, AttributeDef] = {}
        for code in sorted(categories):
            for attribute in document.attributes_of(code):
                pool.setdefault(attribute.code, attribute)
    else:
        pool = document.all_attributes()
    attribute_labels: dict[str, set[str]] = {}
    for attribute in pool.values():
        for label in _labels(attribute):
            attribute_labels.setdefault(_key(label), set()).add(attribute.code)

    scored: list[list[tuple[float, str, str]]] = []  # per column: (score, target, reason)
    column_units: list[str | None] = []
    for index, header in enumerate(sheet.headers):
        values = sheet.column(index)
        unit = sheet.header_units[index] or _unit_of_values(values)
        column_units.append(sheet.header_units[index])
        options: dict[str, tuple[float, str]] = {}

        def offer(
            target: str,
            score: float,
            reason: str,
            options: dict[str, tuple[float, str]] = options,
        ) -> None:
            if target not in options or options[target][0] < score:
                options[target] = (score, reason)

        if index == category_column:
            offer("category", 1.0, "values are category names")
        labels = _candidates_of_label(header)
        for rank, label in enumerate(labels):
            key = _key(label)
            if key in remembered:
                offer(remembered[key], 1.2, "confirmed before by this enterprise")
            if key in field_labels:
                offer(field_labels[key], 1.0 - 0.02 * rank, f"label {label!r} names the field")
            for code in attribute_labels.get(key, ()):
                offer(code, 1.0 - 0.02 * rank, f"label {label!r} is a name or synonym")
        if not options:
            base = _key(labels[-1])
            for label_key, codes in attribute_labels.items():
                ratio = difflib.SequenceMatcher(None, base, label_key).ratio()
                if ratio >= 0.6:
                    for code in codes:
                        offer(code, 0.5 * ratio, f"label resembles {label_key!r}")
        for code in list(options):
            candidate = pool.get(code)
            if candidate is None:
                continue
            score, reason = options[code]
            if candidate.unit and unit:
                if units.factor(unit, candidate.unit) is None:
                    score -= 0.5
                    reason += f"; unit {unit} does not fit {candidate.unit}"
                else:
                    score += 0.05
            fit = _value_fit(values, candidate)
            options[code] = (score + 0.1 * fit, reason + f"; {fit:.0%} of values fit")
        scored.append(sorted(((s, t, r) for t, (s, r) in options.items()), reverse=True))

    # 2. one column per target: best score first, ties to the rightmost column
    claims = sorted(
        ((s, index, t, r) for index, ranked in enumerate(scored) for s, t, r in ranked),
        key=lambda item: (-item[0], -item[1]),
    )
    taken: dict[str, int] = {}
    chosen: dict[int, tuple[float, str, str]] = {}
    duplicates: dict[int, int] = {}
    for score, index, claimed, reason in claims:
        if index in chosen or score < 0.3:
            continue
        if claimed in taken and claimed != IGNORE:
            duplicates.setdefault(index, taken[claimed])
            continue
        taken[claimed] = index
        chosen[index] = (score, claimed, reason)
    columns: list[ColumnProposal] = []
    for index, header in enumerate(sheet.headers):
        target: str | None
        if index in chosen:
            score, target, reason = chosen[index]
        else:
            score, target = 0.0, None
            reason = (
                "same content as another column" if index in duplicates else "no attribute fits"
            )
        transforms: list[str] = []
        unit = column_units[index]
        mapped = pool.get(target or "")
        value_unit = _unit_of_values(sheet.column(index))
        if mapped is not None and mapped.unit:
            if value_unit:
                transforms.append(f"values carry units (e.g. {value_unit}) → {mapped.unit}")
            elif unit and unit != mapped.unit:
                transforms.append(f"convert {unit} → {mapped.unit}")
        if target == "category":
            transforms.append("category names → codes")
        columns.append(
            ColumnProposal(
                index=index,
                header=header,
                target=target,
                score=round(score, 3),
                reason=reason,
                unit=unit,
                transforms=transforms,
                duplicate_of=duplicates.get(index) if index not in chosen else None,
            )
        )
    return MappingProposal(columns=columns, categories=sorted(categories))


def apply(
    sheet: Sheet,
    document: StandardDocument,
    targets: dict[int, str],
    units_by_column: dict[int, str | None] | None = None,
) -> tuple[dict[str, list[str | None]], dict[str, str | None]]:
    """Columns of a record frame (``_row``, ``category`` as codes, fields, attributes) and the
    header unit of each attribute column, following a confirmed mapping."""
    units_by_column = units_by_column or {}
    data: dict[str, list[str | None]] = {"_row": [str(n) for n in sheet.row_numbers]}
    header_units: dict[str, str | None] = {}
    for index, target in targets.items():
        if target == IGNORE:
            continue
        values = sheet.column(index)
        if target == "category":
            resolved: dict[str, str | None] = {}
            column: list[str | None] = []
            for value in values:
                if value is None:
                    column.append(None)
                    continue
                if value not in resolved:
                    resolved[value] = document.resolve_category(value) or value
                column.append(resolved[value])
            data["category"] = column
        else:
            data[target] = values
            header_units[target] = units_by_column.get(index, sheet.header_units[index])
    return data, header_units

"""CPMS logic: standards and their versions, diff, import/export, product records. Flushes,
never commits (the action or request scope commits)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy.orm import Session

from industrybrain.kit.db import utcnow
from industrybrain.modules.cpms import repository
from industrybrain.modules.cpms.document import StandardDocument, from_template
from industrybrain.modules.cpms.models import Product, Standard, StandardVersion
from industrybrain.modules.cpms.validate import ValidationResult, completeness, validate_frame

if TYPE_CHECKING:
    from industrybrain.modules.cpms.intake import Intake

TRANSITIONS = {
    "draft": ("under_review",),
    "under_review": ("draft", "published"),
    "published": ("superseded",),
    "superseded": (),
}


class CpmsError(ValueError):
    """A refused CPMS operation (unknown standard, wrong status, invalid document)."""


# --- standards -------------------------------------------------------------------------------


def seed_from_template(session: Session, template_id: str, *, publish: bool = True) -> Standard:
    """Create the first standard of an industry from its brain template (version 1.0.0)."""
    from industrybrain.templates import load_template

    template = load_template(template_id)
    if repository.standard_by_code(session, template_id) is not None:
        raise CpmsError(f"standard {template_id} exists")
    document = from_template(template_id)
    standard = Standard(
        code=template_id,
        prefix=document.categories[0].code[:2],
        name_zh=f"{template.name_zh}产品主数据标准",
        name_en=f"{template.name_en} product master data standard",
        industry_classes=list(template.industry_classes),
        template=template_id,
    )
    session.add(standard)
    session.flush()
    version = StandardVersion(
        standard_id=standard.id,
        version="1.0.0",
        status="draft",
        content=document.model_dump(mode="json"),
        notes=f"seeded from brain template {template_id} {template.version}",
    )
    session.add(version)
    session.flush()
    if publish:
        transition(session, standard.code, "1.0.0", "under_review")
        transition(session, standard.code, "1.0.0", "published")
    return standard


def get_standard(session: Session, code: str) -> Standard:
    standard = repository.standard_by_code(session, code)
    if standard is None:
        raise CpmsError(f"no standard {code!r}")
    return standard


def get_version(session: Session, code: str, version: str | None = None) -> StandardVersion:
    """The named version, or the published one (or the latest when none is published)."""
    standard = get_standard(session, code)
    if version is not None:
        found = repository.version(session, standard.id, version)
        if found is None:
            raise CpmsError(f"standard {code} has no version {version}")
        return found
    found = repository.published(session, standard.id)
    if found is None:
        versions = repository.versions(session, standard.id)
        if not versions:
            raise CpmsError(f"standard {code} has no version")
        found = versions[-1]
    return found


def document_of(version: StandardVersion) -> StandardDocument:
    return StandardDocument.model_validate(version.content)


def transition(session: Session, code: str, version: str, status: str) -> StandardVersion:
    """Move a version along draft → under_review → published → superseded. Publishing
    supersedes the version published before."""
    target = get_version(session, code, version)
    if status not in TRANSITIONS[target.status]:
        raise CpmsError(f"{code} {version} is {target.status}; cannot become {status}")
    if status == "published":
        previous = repository.published(session, target.standard_id)
        if previous is not None:
            previous.status = "superseded"
            previous.superseded_at = utcnow()
        target.published_at = utcnow()
    if status == "superseded":
        target.superseded_at = utcnow()
    target.status = status
    session.flush()
    return target


def release_due(session: Session, code: str, now: datetime | None = None) -> StandardVersion | None:
    """Publish the version under review whose scheduled ``release_at`` has come."""
    now = now or utcnow()
    standard = get_standard(session, code)
    for candidate in repository.versions(session, standard.id):
        if (
            candidate.status == "under_review"
            and candidate.release_at is not None
            and candidate.release_at <= now
        ):
            return transition(session, code, candidate.version, "published")
    return None


def new_draft(
    session: Session,
    code: str,
    version: str,
    *,
    content: dict[str, Any] | None = None,
    based_on: str | None = None,
    notes: str = "",
) -> StandardVersion:
    """A new draft version: given ``content``, or a copy of ``based_on`` (default: the current)."""
    standard = get_standard(session, code)
    if repository.version(session, standard.id, version) is not None:
        raise CpmsError(f"standard {code} already has version {version}")
    if content is None:
        content = dict(get_version(session, code, based_on).content)
    document = StandardDocument.model_validate(content)
    draft = StandardVersion(
        standard_id=standard.id,
        version=version,
        status="draft",
        content=document.model_dump(mode="json"),
        notes=notes,
    )
    session.add(draft)
    session.flush()
    return draft


def update_draft(session: Session, code: str, version: str, content: dict[str, Any]) -> None:
    target = get_version(session, code, version)
    if target.status != "draft":
        raise CpmsError(f"{code} {version} is {target.status}; only a draft can change")
    target.content = StandardDocument.model_validate(content).model_dump(mode="json")
    session.flush()


# --- diff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # added / removed / changed
    what: str  # category / attribute
    path: str  # PV01.01 or PV01.01/flow_rate
    detail: str

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        return f"{sign} {self.what} {self.path}{': ' + self.detail if self.detail else ''}"


def diff(old: StandardDocument, new: StandardDocument) -> list[Change]:
    """Readable changes from ``old`` to ``new``: categories and own attributes, field by field."""
    changes: list[Change] = []
    before = {c.code: c for c in old.categories}
    after = {c.code: c for c in new.categories}
    for code in sorted(before.keys() - after.keys()):
        changes.append(Change("removed", "category", code, before[code].name_zh))
    for code in sorted(after.keys() - before.keys()):
        changes.append(Change("added", "category", code, after[code].name_zh))
    for code in sorted(before.keys() & after.keys()):
        a, b = before[code], after[code]
        for name in ("name_zh", "name_en", "parent", "hs_codes", "industry_classes"):
            if getattr(a, name) != getattr(b, name):
                changes.append(
                    Change(
                        "changed",
                        "category",
                        code,
                        f"{name} {getattr(a, name)!r} → {getattr(b, name)!r}",
                    )
                )
        old_attributes = {x.code: x for x in a.attributes}
        new_attributes = {x.code: x for x in b.attributes}
        for attribute in sorted(old_attributes.keys() - new_attributes.keys()):
            changes.append(Change("removed", "attribute", f"{code}/{attribute}", ""))
        for attribute in sorted(new_attributes.keys() - old_attributes.keys()):
            x = new_attributes[attribute]
            changes.append(
                Change("added", "attribute", f"{code}/{attribute}", f"{x.name_zh} ({x.datatype})")
            )
        for attribute in sorted(old_attributes.keys() & new_attributes.keys()):
            old_fields = old_attributes[attribute].model_dump()
            new_fields = new_attributes[attribute].model_dump()
            for field_name in old_fields:
                if old_fields[field_name] != new_fields[field_name]:
                    changes.append(
                        Change(
                            "changed",
                            "attribute",
                            f"{code}/{attribute}",
                            f"{field_name} {old_fields[field_name]!r} → {new_fields[field_name]!r}",
                        )
                    )
    return changes


# --- import and export -----------------------------------------------------------------------

_ATTRIBUTE_COLUMNS = (
    "category", "code", "name_zh", "name_en", "definition", "datatype", "unit", "min", "max",
    "enum", "required", "unique", "synonyms",
)  # fmt: skip
_CATEGORY_COLUMNS = (
    "code", "name_zh", "name_en", "parent", "hs_codes", "industry_classes", "keywords",
)  # fmt: skip


def export_json(document: StandardDocument) -> str:
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2)


def import_json(text: str) -> StandardDocument:
    return StandardDocument.model_validate_json(text)


def export_excel(document: StandardDocument) -> bytes:
    """Two sheets: 类目 categories and 属性 attributes (one row per category's own attribute);
    lists are joined with ``|``."""
    from openpyxl import Workbook

    workbook = Workbook()
    categories = workbook.active
    assert categories is not None
    categories.title = "categories"
    categories.append(list(_CATEGORY_COLUMNS))
    attributes = workbook.create_sheet("attributes")
    attributes.append(list(_ATTRIBUTE_COLUMNS))
    for c in document.categories:
        categories.append(
            [
                c.code,
                c.name_zh,
                c.name_en,
                c.parent or "",
                "|".join(c.hs_codes),
                "|".join(c.industry_classes),
                "|".join(c.keywords),
            ]
        )
        for a in c.attributes:
            attributes.append(
                [
                    c.code,
                    a.code,
                    a.name_zh,
                    a.name_en,
                    a.definition,
                    a.datatype,
                    a.unit or "",
                    a.min,
                    a.max,
                    "|".join(a.enum),
                    "yes" if a.required else "no",
                    "yes" if a.unique else "no",
                    "|".join(a.synonyms),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_excel(data: bytes) -> StandardDocument:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), data_only=True)

    def rows(name: str) -> list[dict[str, Any]]:
        sheet = workbook[name]
        values = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in values[0]]
        return [dict(zip(header, row, strict=False)) for row in values[1:] if any(row)]

    def split(value: Any) -> list[str]:
        return [v for v in str(value or "").split("|") if v]

    own: dict[str, list[dict[str, Any]]] = {}
    for row in rows("attributes"):
        own.setdefault(str(row["category"]), []).append(
            {
                "code": row["code"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "definition": row["definition"] or "",
                "datatype": row["datatype"],
                "unit": row["unit"] or None,
                "min": row["min"],
                "max": row["max"],
                "enum": split(row["enum"]),
                "required": row["required"] == "yes",
                "unique": row["unique"] == "yes",
                "synonyms": split(row["synonyms"]),
            }
        )
    categories = [
        {
            "code": row["code"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "parent": row["parent"] or None,
            "hs_codes": split(row["hs_codes"]),
            "industry_classes": split(row["industry_classes"]),
            "keywords": split(row["keywords"]),
            "attributes": own.get(str(row["code"]), []),
        }
        for row in rows("categories")
    ]
    return StandardDocument.model_validate({"categories": categories})


# --- product records -------------------------------------------------------------------------

_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def code_check_char(body: str) -> str:
    """ISO 7064 MOD 37,36 check character over digits and capital letters of ``body``."""
    modulus = 36
    product = modulus
    for char in body:
        if char not in _CODE_ALPHABET:
            continue
        total = (product + _CODE_ALPHABET.index(char)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return _CODE_ALPHABET[(modulus + 1 - product) % modulus]


def product_code(category_code: str, sequence: int) -> str:
    """``<category code without dots>-<7-digit sequence><check>``, e.g. ``PV010101-0000042K``."""
    body = f"{category_code.replace('.', '')}-{sequence:07d}"
    return body + code_check_char(body)


def is_valid_product_code(code: str) -> bool:
    return len(code) > 2 and code_check_char(code[:-1]) == code[-1]


@dataclass
class ImportOutcome:
    result: ValidationResult
    created: int
    updated: int
    rejected: int


def import_products(
    session: Session,
    organization_id: int,
    standard_code: str,
    frame: pl.DataFrame,
    *,
    header_units: dict[str, str | None] | None = None,
) -> ImportOutcome:
    """Validate ``frame`` against the published version and store the records without error
    (by ``sku``; the model when no SKU column was given). Each stored product keeps the id of
    the version it was validated against."""
    version = get_version(session, standard_code)
    if version.status != "published":
        raise CpmsError(f"standard {standard_code} has no published version")
    document = document_of(version)
    result = validate_frame(frame, document, header_units=header_units, version=version.version)
    values = result.values.with_columns(completeness(result.values, document))
    bad_rows = set(result.errors.get_column("_row").to_list())
    good = values.filter(~pl.col("_row").is_in(list(bad_rows)))
    attribute_columns = [
        c
        for c in good.columns
        if c not in ("_row", "category", "sku", "gtin", "handle", "hs_code", "completeness")
    ]
    records = good.to_dicts()
    sku_of = {}
    names = (
        dict(
            zip(frame.get_column("_row").to_list(), frame.get_column("name").to_list(), strict=True)
        )
        if "name" in frame.columns and "_row" in frame.columns
        else {}
    )
    for record in records:
        sku = record.get("sku") or record.get("model") or f"row-{record['_row']}"
        sku_of[record["_row"]] = str(sku)
    existing = repository.existing_skus(session, organization_id, list(sku_of.values()))
    created = updated = 0
    new_by_category: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        sku = sku_of[record["_row"]]
        attributes = {c: record[c] for c in attribute_columns if record.get(c) is not None}
        fields = {
            "category_code": record["category"],
            "name": str(names.get(record["_row"]) or ""),
            "gtin": record.get("gtin"),
            "handle": record.get("handle"),
            "hs_code": record.get("hs_code"),
            "attributes": attributes,
            "completeness": float(record["completeness"]),
            "standard_version_id": version.id,
        }
        if sku in existing:
            for key, value in fields.items():
                setattr(existing[sku], key, value)
            updated += 1
        else:
            new_by_category.setdefault(record["category"], []).append({"sku": sku, **fields})
    for category, items in new_by_category.items():
        first = repository.next_sequence(session, category, len(items))
        for offset, item in enumerate(items):
            session.add(
                Product(
                    organization_id=organization_id,
                    product_code=product_code(category, first + offset),
                    **item,
                )
            )
            created += 1
    session.flush()
    return ImportOutcome(result=result, created=created, updated=updated, rejected=len(bad_rows))


def set_lifecycle(
    session: Session, organization_id: int, product_id: int, lifecycle: str
) -> Product:
    found = repository.product(session, organization_id, product_id)
    if found is None:
        raise LookupError(product_id)
    if lifecycle not in ("active", "discontinued"):
        raise CpmsError(f"unknown lifecycle {lifecycle!r}")
    found.lifecycle = lifecycle
    session.flush()
    return found


# --- mapping memory --------------------------------------------------------------------------


def propose_mapping(
    session: Session, organization_id: int, standard_code: str, path: Path
) -> Intake:
    """Read an enterprise's file and propose its mapping, reusing what it confirmed before."""
    from industrybrain.modules.cpms.intake import read_records

    standard = get_standard(session, standard_code)
    document = document_of(get_version(session, standard_code))
    remembered = repository.memory(session, organization_id, standard.id)
    return read_records(path, document, remembered=remembered)


def confirm_mapping(
    session: Session,
    organization_id: int,
    standard_code: str,
    headers: list[str],
    targets: dict[int, str],
) -> int:
    """Remember the confirmed (or corrected) target of each column label for this enterprise."""
    standard = get_standard(session, standard_code)
    for index, target in targets.items():
        repository.remember(session, organization_id, standard.id, headers[index], target)
    return len(targets)

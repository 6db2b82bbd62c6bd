"""The content of one version of a product master data standard, as a Pydantic document.

A standard version is a snapshot: its category tree and attribute dictionary are stored as one
JSON document in ``cpms_standard_version.content``. A published version never changes (a new
version supersedes it), so a snapshot is the natural unit: products point at the version they
were validated against, a diff compares two documents, export and import are the document.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from industrybrain.modules.cpms import units

Datatype = Literal["decimal", "integer", "text", "enum", "boolean", "date"]
MAX_LEVEL = 6
CATEGORY_CODE = r"^[A-Z]{2}\d{2}(\.\d{2})*$"
ATTRIBUTE_CODE = r"^[a-z][a-z0-9_]*$"


class AttributeDef(BaseModel):
    """An attribute of the dictionary (属性): what it means, its type, unit and rules."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=ATTRIBUTE_CODE)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    definition: str = ""
    datatype: Datatype
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    enum: list[str] = Field(default_factory=list)
    required: bool = False
    unique: bool = False
    synonyms: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> AttributeDef:
        if self.datatype == "enum" and not self.enum:
            raise ValueError(f"{self.code}: an enum attribute needs its values")
        numeric = self.datatype in ("decimal", "integer")
        if not numeric and (self.unit or self.min is not None or self.max is not None):
            raise ValueError(f"{self.code}: unit/min/max only on numeric attributes")
        if self.unit and units.lookup(self.unit) is None:
            raise ValueError(f"{self.code}: unknown unit {self.unit!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.code}: min greater than max")
        return self

    def rule_key(self) -> tuple[object, ...]:
        return (
            self.datatype,
            self.unit,
            self.min,
            self.max,
            tuple(self.enum),
            self.required,
            self.unique,
        )


class CategoryDef(BaseModel):
    """A category (类目) of the tree; ``attributes`` are its own, children inherit them."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CATEGORY_CODE)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    parent: str | None = None
    hs_codes: list[str] = Field(default_factory=list)
    industry_classes: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    attributes: list[AttributeDef] = Field(default_factory=list)


class StandardDocument(BaseModel):
    """Everything a version of a standard says; checked for a sound tree on construction."""

    model_config = ConfigDict(extra="forbid")

    categories: list[CategoryDef]

    @model_validator(mode="after")
    def _tree(self) -> StandardDocument:
        from industrybrain import reference

        by_code: dict[str, CategoryDef] = {}
        for category in self.categories:
            if category.code in by_code:
                raise ValueError(f"category {category.code} appears twice")
            by_code[category.code] = category
        hs = reference.hs_codes()
        classes = reference.industry_classes()
        for category in self.categories:
            if category.parent is not None:
                if category.parent not in by_code:
                    raise ValueError(f"{category.code}: parent {category.parent} does not exist")
                if not category.code.startswith(category.parent + "."):
                    raise ValueError(f"{category.code}: code does not extend {category.parent}")
            level, seen, parent = 1, {category.code}, category.parent
            while parent is not None:
                if parent in seen:
                    raise ValueError(f"{category.code}: parent cycle")
                seen.add(parent)
                level += 1
                parent = by_code[parent].parent
            if level > MAX_LEVEL:
                raise ValueError(f"{category.code}: level {level} deeper than {MAX_LEVEL}")
            for code in category.hs_codes:
                if code not in hs:
                    raise ValueError(f"{category.code}: {code} is not an HS 2022 code")
            for code in category.industry_classes:
                if code not in classes:
                    raise ValueError(f"{category.code}: {code} is not a GB/T 4754-2017 class")
        for category in self.categories:
            codes = [a.code for a in self.attributes_of(category.code)]
            if len(set(codes)) != len(codes):
                raise ValueError(f"{category.code}: an attribute is defined twice on its path")
        return self

    @cached_property
    def _by_code(self) -> dict[str, CategoryDef]:
        return {c.code: c for c in self.categories}

    def category(self, code: str) -> CategoryDef:
        return self._by_code[code]

    def has_category(self, code: str) -> bool:
        return code in self._by_code

    def ancestors(self, code: str) -> list[CategoryDef]:
        chain: list[CategoryDef] = []
        parent = self._by_code[code].parent
        while parent is not None:
            chain.append(self._by_code[parent])
            parent = self._by_code[parent].parent
        return list(reversed(chain))

    def level(self, code: str) -> int:
        return len(self.ancestors(code)) + 1

    def attributes_of(self, code: str) -> list[AttributeDef]:
        """Own and inherited attributes, root first."""
        result: list[AttributeDef] = []
        for category in [*self.ancestors(code), self._by_code[code]]:
            result.extend(category.attributes)
        return result

    def children_of(self, code: str | None) -> list[CategoryDef]:
        return [c for c in self.categories if c.parent == code]

    def all_attributes(self) -> dict[str, AttributeDef]:
        """Every attribute by code (the first definition when branches share a code)."""
        result: dict[str, AttributeDef] = {}
        for category in self.categories:
            for attribute in category.attributes:
                result.setdefault(attribute.code, attribute)
        return result

    def resolve_category(self, text: str) -> str | None:
        """A category code from its code, Chinese or English name (exact, spaces ignored)."""
        key = units.to_half_width(text).strip().replace(" ", "").lower()
        return self._category_labels.get(key)

    @cached_property
    def _category_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for c in self.categories:
            for label in (c.code, c.name_zh, c.name_en):
                labels.setdefault(label.replace(" ", "").lower(), c.code)
        return labels


def from_template(template_id: str) -> StandardDocument:
    """The first standard of an industry, seeded from its brain template's categories."""
    from industrybrain.templates import load_template

    template = load_template(template_id)
    categories = []
    for category in template.categories:
        attributes = [
            AttributeDef(
                code=a.code,
                name_zh=a.name_zh,
                name_en=a.name_en,
                datatype=a.datatype,
                unit=a.unit,
                min=a.min,
                max=a.max,
                enum=list(a.enum),
                required=a.required,
                synonyms=list(a.synonyms),
            )
            for a in category.attributes
        ]
        categories.append(
            CategoryDef(
                code=category.code,
                name_zh=category.name_zh,
                name_en=category.name_en,
                parent=category.parent,
                hs_codes=list(category.hs_codes),
                industry_classes=list(category.industry_classes),
                keywords=list(category.keywords),
                attributes=attributes,
            )
        )
    return StandardDocument(categories=categories)

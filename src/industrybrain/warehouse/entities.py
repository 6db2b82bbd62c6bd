"""Standard entities of the warehouse: the typed fields a source can be mapped onto.

Every standard row also carries ``organization_id``, ``source_code``, ``record_id`` and the
lineage columns ``_file_sha256``, ``_file_order`` and ``_row``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "decimal", "integer", "date", "month", "uscc"]

SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "decimal": "DECIMAL(20,2)",
    "integer": "BIGINT",
    "date": "DATE",
    "month": "VARCHAR",
    "uscc": "VARCHAR",
}


@dataclass(frozen=True)
class EntityField:
    name: str
    type: FieldType = "text"
    description: str = ""


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    fields: tuple[EntityField, ...]
    indicators: bool = False
    """Monthly indicators: mapped ``indicator:<name>`` targets become rows of core."""

    def field(self, name: str) -> EntityField:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)


F = EntityField
ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity(
            "enterprise",
            "Enterprise",
            (
                F("uscc", "uscc", "unified social credit code"),
                F("name"),
                F("former_name"),
                F("legal_rep"),
                F("company_type"),
                F("registered_capital", "decimal", "yuan"),
                F("founded_on", "date"),
                F("status"),
                F("industry_class"),
                F("address"),
                F("phone"),
                F("business_scope"),
            ),
        ),
        Entity(
            "establishment",
            "Establishment",
            (F("uscc", "uscc"), F("name"), F("account_no"), F("address"), F("town")),
        ),
        Entity(
            "product",
            "Product",
            (
                F("gtin"),
                F("name"),
                F("model"),
                F("maker_name"),
                F("uscc", "uscc"),
                F("hs_code"),
                F("parameters"),
            ),
        ),
        Entity(
            "monthly_indicator",
            "Monthly indicator",
            (
                F("uscc", "uscc"),
                F("name"),
                F("account_no", description="the source's own unit key (户号, 单位编号)"),
                F("address"),
                F("month", "month", "YYYY-MM"),
                F("read_on", "date"),
            ),
            indicators=True,
        ),
        Entity(
            "relation",
            "Supply relation",
            (
                F("seller_name"),
                F("seller_uscc", "uscc"),
                F("buyer_name"),
                F("buyer_uscc", "uscc"),
                F("year", "integer"),
                F("amount", "decimal", "yuan"),
            ),
        ),
        Entity(
            "patent",
            "Patent",
            (
                F("application_no"),
                F("title"),
                F("patent_type"),
                F("filed_on", "date"),
                F("granted_on", "date"),
                F("applicant_name"),
                F("legal_status"),
            ),
        ),
        Entity(
            "trade_record",
            "Trade record",
            (
                F("customs_code"),
                F("uscc", "uscc"),
                F("name"),
                F("month", "month"),
                F("hs_code"),
                F("goods_name"),
                F("country"),
                F("quantity", "decimal"),
                F("quantity_unit"),
                F("amount_usd", "decimal"),
            ),
        ),
        Entity(
            "purchase_demand",
            "Purchase demand",
            (
                F("name"),
                F("uscc", "uscc"),
                F("month", "month"),
                F("material_code"),
                F("material_name"),
                F("quantity", "decimal"),
                F("quantity_unit"),
                F("unit_price", "decimal", "yuan"),
            ),
        ),
    )
}

ENTITY_NAMES: tuple[str, ...] = tuple(ENTITIES)

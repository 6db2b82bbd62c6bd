"""Pages of the CPMS, declared over the generic list/detail views: the standard browser
(categories of every standard's current version, searchable across standards, categories and
attributes) and an enterprise's product list with completeness."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.kit.pages import Column, Filter, ListPage, NavEntry
from industrybrain.kit.webctx import N_
from industrybrain.modules.cpms import repository, service


def _percent(value: Any) -> str:
    return f"{float(value) * 100:.0f}%"


def _category_rows(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for standard in repository.standards(session):
        try:
            version = service.get_version(session, standard.code)
        except service.CpmsError:
            continue
        document = service.document_of(version)
        for category in document.categories:
            attributes = document.attributes_of(category.code)
            rows.append(
                {
                    "key": f"{standard.code}:{category.code}",
                    "standard": standard.code,
                    "version": f"{version.version} ({version.status})",
                    "code": category.code,
                    "name_zh": category.name_zh,
                    "name_en": category.name_en,
                    "level": document.level(category.code),
                    "attributes": len(attributes),
                    "required": ", ".join(a.code for a in attributes if a.required),
                    "hs_codes": ", ".join(category.hs_codes),
                    "_search": " ".join(
                        [standard.code, category.code, category.name_zh, category.name_en]
                        + [f"{a.code} {a.name_zh} {a.name_en} {' '.join(a.synonyms)}"
                           for a in attributes]
                    ).lower(),
                    "attribute_list": "; ".join(
                        f"{a.code} {a.name_zh} ({a.datatype}{', ' + a.unit if a.unit else ''}"
                        f"{', required' if a.required else ''})"
                        for a in attributes
                    ),
                }
            )  # fmt: skip
    return rows


def query_categories(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    rows = _category_rows(session)
    needle = filters.get("q", "").strip().lower()
    if needle:
        rows = [r for r in rows if needle in r["_search"]]
    if filters.get("standard"):
        rows = [r for r in rows if r["standard"] == filters["standard"]]
    page: list[Mapping[str, Any]] = list(rows[offset : offset + limit])
    return page, len(rows)


def category_detail(session: Session, key: str) -> dict[str, Any] | None:
    return next((r for r in _category_rows(session) if r["key"] == key), None)


def query_products(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    """Products in the request's tenant scope (the guard filters by organisation)."""
    items, total = repository.products_in_scope(
        session, filters.get("q", "").strip(), offset=offset, limit=limit
    )
    rows: list[Mapping[str, Any]] = [_product_row(p) for p in items]
    return rows, total


def _product_row(p: Any) -> dict[str, Any]:
    return {
        "product_code": p.product_code,
        "name": p.name,
        "sku": p.sku,
        "category_code": p.category_code,
        "completeness": p.completeness,
        "lifecycle": p.lifecycle,
        "gtin": p.gtin or "",
    }


def product_detail(session: Session, key: str) -> dict[str, Any] | None:
    found = repository.product_by_code_in_scope(session, key)
    if found is None:
        return None
    row = _product_row(found)
    row.update({f"attribute {k}": v for k, v in sorted(found.attributes.items())})
    return row


CATEGORIES_PAGE = ListPage(
    path="/cpms/standards",
    title=N_("Product master data standards"),
    description=N_(
        "Categories and attributes of every standard's current version. Search across "
        "standards, categories and attributes."
    ),
    columns=[
        Column("code", N_("Category"), link=True),
        Column("name_zh", N_("Name")),
        Column("name_en", N_("English name")),
        Column("standard", N_("Standard")),
        Column("version", N_("Version")),
        Column("level", N_("Level")),
        Column("attributes", N_("Attributes")),
        Column("hs_codes", N_("HS codes")),
    ],
    query=query_categories,
    key="key",
    filters=[Filter("q", N_("Search"))],
    detail=category_detail,
    page_size=50,
)

PRODUCTS_PAGE = ListPage(
    path="/cpms/products",
    title=N_("Our products"),
    description=N_("The enterprise's product records with their completeness."),
    columns=[
        Column("product_code", N_("Product master code"), link=True),
        Column("name", N_("Name")),
        Column("sku", N_("SKU")),
        Column("category_code", N_("Category")),
        Column("completeness", N_("Completeness"), format=_percent),
        Column("lifecycle", N_("Lifecycle")),
    ],
    query=query_products,
    key="product_code",
    filters=[Filter("q", N_("Search"))],
    detail=product_detail,
    permission="org.read",
    page_size=50,
)

NAV = [
    NavEntry(path="/cpms/standards", label=N_("Product master data standards"),
             section="data", order=30),
    NavEntry(path="/cpms/products", label=N_("Our products"), section="data", order=31),
]  # fmt: skip

"""Declarative pages: sources (list, detail, register form) and runs (list, detail)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.kit.pages import Column, Form, FormError, FormField, ListPage, NavEntry
from industrybrain.kit.webctx import N_
from industrybrain.modules.warehouse import service
from industrybrain.modules.warehouse.models import CLASSIFICATIONS
from industrybrain.warehouse.entities import ENTITY_NAMES

PERMISSION = "warehouse.manage"


def _source_row(session: Session, source: Any) -> dict[str, Any]:
    return {
        "code": source.code,
        "name": source.name,
        "provider": source.provider,
        "organization_id": source.organization_id,
        "classification": source.classification,
        "grade": source.grade,
        "entity": source.entity,
        "schedule": source.schedule,
        "files": len(service.source_spec(session, source).files),
        "mapping": json.dumps(source.mapping, ensure_ascii=False),
        "quarantine": f"/warehouse/sources/{source.code}/quarantine",
    }


def _sources(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    rows: list[Mapping[str, Any]] = [_source_row(session, s) for s in service.list_sources(session)]
    if filters.get("q"):
        rows = [r for r in rows if filters["q"] in r["code"] or filters["q"] in r["name"]]
    return rows[offset : offset + limit], len(rows)


def _source_detail(session: Session, key: str) -> Mapping[str, Any] | None:
    try:
        return _source_row(session, service.get_source(session, key))
    except service.SourceNotFound:
        return None


def _register(session: Session, data: dict[str, Any]) -> str:
    from industrybrain.kit.tenancy import current_scope

    try:
        mapping = json.loads(str(data.get("mapping") or "[]"))
    except json.JSONDecodeError:
        raise FormError({"mapping": N_("Mapping is not a JSON list")}) from None
    scope = current_scope()
    org = data.get("organization_id")
    if org is None and scope is not None and scope.organization_ids:
        org = min(scope.organization_ids)
    if org is None:
        raise FormError({"organization_id": N_("Owner organisation is required")})
    if scope is not None and not scope.unscoped and int(org) not in (scope.organization_ids or ()):
        # A source of another organisation would be written outside the viewer's tenant.
        raise FormError({"organization_id": N_("Owner organisation is required")})
    try:
        return service.create_source(
            session,
            organization_id=int(org),
            code=str(data["code"]),
            name=str(data["name"]),
            entity=str(data["entity"]),
            mapping=mapping,
            classification=str(data.get("classification") or "企业数据"),
            grade=int(data.get("grade") or 2),
            provider=str(data.get("provider") or ""),
            schedule=str(data.get("schedule") or ""),
        ).code
    except service.WarehouseError as exc:
        raise FormError({"mapping": str(exc)}) from None


SOURCES_PAGE = ListPage(
    path="/warehouse/sources",
    title=N_("Data sources"),
    description=N_("Sources of the data warehouse: owner, classification and grade, mapping."),
    columns=[
        Column("code", N_("Code"), link=True),
        Column("name", N_("Name")),
        Column("provider", N_("Provider")),
        Column("classification", N_("Classification")),
        Column("grade", N_("Grade")),
        Column("entity", N_("Standard entity")),
        Column("files", N_("Files")),
        Column("schedule", N_("Schedule")),
    ],
    query=_sources,
    key="code",
    detail=_source_detail,
    permission=PERMISSION,
    form=Form(
        title=N_("Register a source"),
        fields=[
            FormField("code", N_("Code"), required=True),
            FormField("name", N_("Name"), required=True),
            FormField("provider", N_("Provider")),
            FormField("organization_id", N_("Owner organisation id"), kind="number"),
            FormField(
                "classification",
                N_("Classification"),
                kind="select",
                required=True,
                options=[(c, c) for c in CLASSIFICATIONS],
            ),
            FormField(
                "grade",
                N_("Grade"),
                kind="select",
                required=True,
                options=[(str(g), str(g)) for g in (1, 2, 3, 4)],
            ),
            FormField(
                "entity",
                N_("Standard entity"),
                kind="select",
                required=True,
                options=[(e, e) for e in ENTITY_NAMES],
            ),
            FormField(
                "mapping",
                N_("Column mapping (JSON)"),
                kind="textarea",
                required=True,
                help='[{"column": "所属期", "field": "month", "required": true}]',
            ),
            FormField("schedule", N_("Refresh schedule (cron)")),
        ],
        submit=_register,
    ),
)


def _runs(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    rows, total = service.list_runs(session, offset, limit)
    return list(rows), total


def _run_detail(session: Session, key: str) -> Mapping[str, Any] | None:
    try:
        return service.run_detail(session, int(key))
    except ValueError:
        return None


RUNS_PAGE = ListPage(
    path="/warehouse/runs",
    title=N_("Warehouse runs"),
    description=N_("Pipeline runs: counts per source, data quality and content hashes."),
    columns=[
        Column("id", N_("Run"), link=True),
        Column("engine", N_("Engine")),
        Column("status", N_("Status")),
        Column("started_at", N_("Started")),
        Column("finished_at", N_("Finished")),
        Column("tables", N_("Tables")),
        Column("message", N_("Message")),
    ],
    query=_runs,
    detail=_run_detail,
    permission=PERMISSION,
    extra={"detail_template": "warehouse/run_detail.html"},
)

PAGES = (SOURCES_PAGE, RUNS_PAGE)
NAV = (
    NavEntry("/warehouse/sources", N_("Data sources"), section="data", order=10),
    NavEntry("/warehouse/runs", N_("Warehouse runs"), section="data", order=11),
    NavEntry("/warehouse/lineage", N_("Lineage"), section="data", order=12),
)

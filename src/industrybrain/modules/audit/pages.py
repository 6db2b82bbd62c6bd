"""The audit viewer: a declarative list page with filters, and its navigation entry."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.kit.pages import Column, Filter, ListPage, NavEntry
from industrybrain.kit.webctx import N_
from industrybrain.modules.audit import service


def _row(entry: Any) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "actor": entry.actor_label
        if entry.actor_id is None
        else f"{entry.actor_label} (#{entry.actor_id})",
        "organization_id": entry.organization_id,
        "action": entry.action,
        "object": f"{entry.object_type}:{entry.object_id}",
        "request_id": entry.request_id,
        "change": json.dumps(entry.change, ensure_ascii=False, sort_keys=True),
        "leaf_hash": entry.leaf_hash,
    }


def _query(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    rows, total = service.list_entries(session, filters, offset, limit)
    return [_row(r) for r in rows], total


def _detail(session: Session, key: str) -> Mapping[str, Any] | None:
    if not key.isdigit():
        return None
    rows, _ = service.list_entries(session, {"seq": int(key)}, 0, 1)
    return _row(rows[0]) if rows else None


def _short(value: Any) -> str:
    text = str(value or "")
    return text if len(text) <= 80 else text[:79] + "…"


AUDIT_PAGE = ListPage(
    path="/audit",
    title=N_("Audit log"),
    description=N_(
        "Every write action, append-only and tamper-evident. Verify it against an exported "
        "checkpoint on the verification page."
    ),
    key="seq",
    columns=[
        Column("seq", N_("No."), link=True),
        Column("occurred_at", N_("Time")),
        Column("actor", N_("Actor")),
        Column("organization_id", N_("Organisation")),
        Column("action", N_("Action")),
        Column("object", N_("Object")),
        Column("change", N_("Change"), format=_short),
    ],
    query=_query,
    filters=[
        Filter("action", N_("Action")),
        Filter("object_type", N_("Object type")),
        Filter("actor", N_("Actor")),
    ],
    detail=_detail,
    extra={"verify_path": "/audit/verify"},
    permission="audit.read",
)

AUDIT_NAV = NavEntry(path="/audit", label=N_("Audit log"), section="admin", order=900)

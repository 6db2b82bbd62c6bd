"""Declarative pages of the jobs module (rendered by the web shell's generic views)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy.orm import Session

from industrybrain.kit.pages import Column, Filter, Form, FormError, FormField, ListPage, NavEntry
from industrybrain.kit.webctx import N_
from industrybrain.modules.jobs import service
from industrybrain.modules.jobs.models import STATUSES


def _percent(value: Any) -> str:
    return f"{round(float(value or 0) * 100)}%"


def _query(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[Mapping[str, Any]], int]:
    rows, total = service.list_jobs(session, filters, offset, limit)
    return list(rows), total


def _detail(session: Session, key: str) -> Mapping[str, Any] | None:
    try:
        job_id = int(key)
    except ValueError:
        return None
    return service.detail(session, job_id)


def _kind_options() -> list[tuple[str, str]]:
    return [(name, spec.title or name) for name, spec in sorted(service.job_specs().items())]


def _submit(session: Session, data: dict[str, Any]) -> int:
    kind = str(data.get("kind") or "")
    try:
        payload = orjson.loads(str(data.get("payload") or "{}"))
    except orjson.JSONDecodeError as exc:
        raise FormError({"payload": N_("Payload is not a JSON object")}) from exc
    if not isinstance(payload, dict):
        raise FormError({"payload": N_("Payload is not a JSON object")})
    try:
        return service.submit(session, kind, payload).id
    except service.UnknownJobKind as exc:
        raise FormError({"kind": N_("Unknown job kind")}) from exc


class _KindOptions(Sequence[tuple[str, str]]):
    """Job kinds are known only once plugins are loaded; list them when the form renders."""

    def __getitem__(self, index: Any) -> Any:
        return _kind_options()[index]

    def __len__(self) -> int:
        return len(_kind_options())


JOBS_PAGE = ListPage(
    path="/jobs",
    title=N_("Jobs"),
    description=N_("Background jobs: queued, running and finished work of the platform."),
    columns=[
        Column("id", N_("Job"), link=True),
        Column("kind", N_("Kind")),
        Column("status", N_("Status")),
        Column("progress", N_("Progress"), format=_percent),
        Column("message", N_("Message")),
        Column("attempts", N_("Attempts")),
        Column("created_at", N_("Created")),
        Column("finished_at", N_("Finished")),
    ],
    query=_query,
    filters=[
        Filter("status", N_("Status"), kind="select", options=[(s, s) for s in STATUSES]),
        Filter("kind", N_("Kind")),
    ],
    detail=_detail,
    form=Form(
        title=N_("Submit a job"),
        fields=[
            FormField("kind", N_("Kind"), kind="select", required=True, options=_KindOptions()),
            FormField("payload", N_("Payload (JSON)"), kind="textarea", help='e.g. {"steps": 5}'),
        ],
        submit=_submit,
    ),
    permission="job.submit",
    # The detail page embeds the live fragment of GET /jobs/{id}/progress (polls itself).
    extra={"detail_template": "jobs/detail.html"},
)

JOBS_NAV = NavEntry(path="/jobs", label=N_("Jobs"), section="system", order=900, icon="clock")

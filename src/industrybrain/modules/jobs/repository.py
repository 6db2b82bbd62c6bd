"""Every query of the jobs module. Nothing else touches the ``job`` table.

The claim is the one query that must be right under concurrency:

* PostgreSQL: ``SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1`` then ``UPDATE`` in the same
  transaction, so two workers never see the same queued row and never wait on each other.
* SQLite: one ``UPDATE ... WHERE id = (SELECT ... LIMIT 1) AND status = 'queued' RETURNING``;
  SQLite serialises writers, so the sub-select and the update see the same snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Executable, Select, bindparam, func, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.orm import Session

from industrybrain.kit.db import utcnow
from industrybrain.kit.fastrows import FastSelect
from industrybrain.kit.tenancy import criteria_for, scope_organization
from industrybrain.modules.jobs.models import CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED, Job

# Columns of the list view and of the list API: no payload, result or log (they can be large).
LIST_COLUMNS = (
    Job.id,
    Job.kind,
    Job.status,
    Job.progress,
    Job.message,
    Job.attempts,
    Job.max_attempts,
    Job.organization_id,
    Job.worker_id,
    Job.run_after,
    Job.created_at,
    Job.started_at,
    Job.finished_at,
)
DETAIL_COLUMNS = (
    *LIST_COLUMNS,
    Job.payload,
    Job.result,
    Job.error,
    Job.log,
    Job.heartbeat_at,
    Job.cancel_requested,
)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def insert_job(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    max_attempts: int,
    run_after: datetime | None = None,
    organization_id: int | None = None,
) -> Job:
    now = utcnow()
    job = Job(
        kind=kind,
        status=QUEUED,
        payload=payload,
        log="",
        progress=0.0,
        message="",
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        created_at=now,
        cancel_requested=False,
        organization_id=organization_id,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def get_job_row(conn: Connection | Session, job_id: int) -> RowMapping | None:
    # Core statements skip the ORM guard: the tenant filter is explicit.
    statement = select(*DETAIL_COLUMNS).where(Job.id == job_id, criteria_for(Job.organization_id))
    return conn.execute(statement).mappings().first()


# --- listing -------------------------------------------------------------------------------


def _scope_param(params: dict[str, Any]) -> bool:
    """Add the tenant scope's organisation to ``params``; False for platform code."""
    org = scope_organization()
    if org is None:
        return False
    params["org"] = org
    return True


@lru_cache(maxsize=8)
def _list_statement(
    by_status: bool, by_kind: bool, by_org: bool = False
) -> Select[*tuple[Any, ...]]:
    """One prepared statement per filter combination, so the hot path only binds values."""
    statement = select(*LIST_COLUMNS)
    if by_org:
        statement = statement.where(Job.organization_id == bindparam("org"))
    if by_status:
        statement = statement.where(Job.status == bindparam("status"))
    if by_kind:
        statement = statement.where(Job.kind == bindparam("kind"))
    return statement.order_by(Job.id.desc()).limit(bindparam("limit")).offset(bindparam("offset"))


@lru_cache(maxsize=8)
def _count_statement(by_status: bool, by_kind: bool, by_org: bool = False) -> Executable:
    statement = select(func.count()).select_from(Job)
    if by_org:
        statement = statement.where(Job.organization_id == bindparam("org"))
    if by_status:
        statement = statement.where(Job.status == bindparam("status"))
    if by_kind:
        statement = statement.where(Job.kind == bindparam("kind"))
    return statement


def list_rows(
    conn: Connection | Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[RowMapping]:
    """Jobs newest first; ``limit`` rows at most (ask for one more to learn ``has_more``)."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if status:
        params["status"] = status
    if kind:
        params["kind"] = kind
    org = _scope_param(params)
    result = conn.execute(_list_statement(bool(status), bool(kind), org), params)
    return list(result.mappings())


@lru_cache(maxsize=8)
def _fast_list(by_status: bool, by_kind: bool, by_org: bool) -> FastSelect:
    return FastSelect(_list_statement(by_status, by_kind, by_org))


def list_dicts_fast(
    conn: Connection,
    *,
    status: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """:func:`list_rows` for the hot API path, as JSON-ready dicts.

    The Core statement is compiled once per dialect and run on the pooled connection's DBAPI
    cursor (:class:`~industrybrain.kit.fastrows.FastSelect`), skipping SQLAlchemy's per-value
    result processing, which cost about three quarters of the request time for 50 rows
    (measured on SQLite: 2.8 ms per page through Core rows, 0.5-0.9 ms this way).
    """
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if status:
        params["status"] = status
    if kind:
        params["kind"] = kind
    org = _scope_param(params)
    return _fast_list(bool(status), bool(kind), org).rows(conn, params)


def count_rows(
    conn: Connection | Session, *, status: str | None = None, kind: str | None = None
) -> int:
    params: dict[str, Any] = {}
    if status:
        params["status"] = status
    if kind:
        params["kind"] = kind
    org = _scope_param(params)
    return int(conn.execute(_count_statement(bool(status), bool(kind), org), params).scalar_one())


# --- worker side -----------------------------------------------------------------------------


def claim_next(session: Session, worker_id: str, now: datetime | None = None) -> ClaimedJob | None:
    """Move the next due queued job to ``running`` for ``worker_id``; None when none is due."""
    now = now or utcnow()
    due = (
        select(Job.id)
        .where(Job.status == QUEUED, Job.run_after <= now)
        .order_by(Job.run_after, Job.id)
        .limit(1)
    )
    values = {
        "status": RUNNING,
        "attempts": Job.attempts + 1,
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "worker_id": worker_id,
        "progress": 0.0,
    }
    returning = (Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        job_id = session.execute(due.with_for_update(skip_locked=True)).scalar_one_or_none()
        if job_id is None:
            return None
        statement = update(Job).where(Job.id == job_id).values(**values).returning(*returning)
    else:
        statement = (
            update(Job)
            .where(Job.id == due.scalar_subquery(), Job.status == QUEUED)
            .values(**values)
            .returning(*returning)
        )
    row = session.execute(statement).first()
    if row is None:
        return None
    return ClaimedJob(
        id=row.id,
        kind=row.kind,
        payload=dict(row.payload or {}),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
    )


def _owned(job_id: int, worker_id: str) -> Sequence[Any]:
    """A worker only writes the outcome of a job it still holds (not one recovered from it)."""
    return (Job.id == job_id, Job.status == RUNNING, Job.worker_id == worker_id)


def finish(
    session: Session,
    job_id: int,
    worker_id: str,
    *,
    status: str,
    result: Any = None,
    error: str | None = None,
    log_tail: str = "",
) -> bool:
    assert status in (SUCCEEDED, FAILED, CANCELLED)
    now = utcnow()
    values: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
    if status == SUCCEEDED:
        values.update(result=result, progress=1.0, error=None)
    if error is not None:
        values["error"] = error
    if log_tail:
        values["log"] = Job.log + log_tail
    outcome = session.execute(update(Job).where(*_owned(job_id, worker_id)).values(**values))
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


def requeue(
    session: Session,
    job_id: int,
    worker_id: str,
    *,
    run_after: datetime,
    error: str,
    log_tail: str = "",
) -> bool:
    values: dict[str, Any] = {
        "status": QUEUED,
        "run_after": run_after,
        "error": error,
        "worker_id": None,
        "heartbeat_at": None,
    }
    if log_tail:
        values["log"] = Job.log + log_tail
    outcome = session.execute(update(Job).where(*_owned(job_id, worker_id)).values(**values))
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


def set_progress(
    session: Session, job_id: int, worker_id: str | None, fraction: float, message: str
) -> None:
    values: dict[str, Any] = {"progress": fraction, "heartbeat_at": utcnow()}
    if message:
        values["message"] = message[:500]
    conditions = [Job.id == job_id, Job.status == RUNNING]
    if worker_id is not None:
        conditions.append(Job.worker_id == worker_id)
    session.execute(update(Job).where(*conditions).values(**values))


def append_log(session: Session, job_id: int, text: str) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(log=Job.log + text))


def cancel_requested(session: Session, job_id: int) -> bool:
    value = session.execute(select(Job.cancel_requested).where(Job.id == job_id)).scalar()
    return bool(value)


def heartbeat(session: Session, worker_id: str, job_ids: Sequence[int]) -> None:
    if not job_ids:
        return
    session.execute(
        update(Job)
        .where(Job.id.in_(list(job_ids)), Job.status == RUNNING, Job.worker_id == worker_id)
        .values(heartbeat_at=utcnow())
    )


def cancel_queued(session: Session, job_id: int) -> bool:
    now = utcnow()
    outcome = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == QUEUED)
        .values(status=CANCELLED, cancel_requested=True, finished_at=now, message="cancelled")
    )
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


def request_cancel_running(session: Session, job_id: int) -> bool:
    outcome = session.execute(
        update(Job).where(Job.id == job_id, Job.status == RUNNING).values(cancel_requested=True)
    )
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


def recover_stale(session: Session, older_than: datetime) -> list[int]:
    """Take running jobs whose heartbeat is older than ``older_than`` back from their lost
    worker: fail those without an attempt left, queue the others again. Ids of both.

    Each is one ``UPDATE ... RETURNING`` (no read before the write, so SQLite never has to
    upgrade a read snapshot, and PostgreSQL re-checks the condition under the row lock).
    """
    now = utcnow()
    stale = (Job.status == RUNNING, Job.heartbeat_at < older_than)
    note = func.coalesce(Job.worker_id, "?")
    failed = session.execute(
        update(Job)
        .where(*stale, Job.attempts >= Job.max_attempts)
        .values(
            status=FAILED,
            finished_at=now,
            error="worker lost and no attempt left",
            log=Job.log + f"{now.isoformat()} worker " + note + " lost (no heartbeat); "
            "no attempt left\n",
        )
        .returning(Job.id)
    ).scalars()
    ids = list(failed)
    queued = session.execute(
        update(Job)
        .where(*stale)
        .values(
            status=QUEUED,
            run_after=now,
            worker_id=None,
            heartbeat_at=None,
            log=Job.log + f"{now.isoformat()} worker " + note + " lost (no heartbeat); "
            "queued again\n",
        )
        .returning(Job.id)
    ).scalars()
    return sorted(ids + list(queued))

"""Job logic: submit, cancel, claim, finish with retry and backoff, progress, stale recovery.

Functions take a :class:`~sqlalchemy.orm.Session` and flush, never commit: the caller (request,
CLI command or worker step) owns the transaction. The worker keeps each step in its own short
transaction so that progress is visible at once and no lock is held while a job runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.config import get_settings
from industrybrain.kit.db import utcnow
from industrybrain.kit.jobs import JobSpec
from industrybrain.kit.tenancy import scope_organization
from industrybrain.modules.jobs import repository
from industrybrain.modules.jobs.models import FINAL_STATUSES, STATUSES, Job
from industrybrain.modules.jobs.repository import ClaimedJob


class UnknownJobKind(ValueError):
    """No plugin declares a job of this kind."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown job kind {kind!r}")
        self.kind = kind


class JobNotFound(LookupError):
    pass


class JobAlreadyFinished(RuntimeError):
    pass


def job_specs() -> dict[str, JobSpec]:
    """Every job kind the installed plugins declare, by name."""
    from industrybrain.plugins import collect

    return {spec.name: spec for spec in collect("register_jobs")}


def submit(
    session: Session,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
    organization_id: int | None = None,
    specs: Mapping[str, JobSpec] | None = None,
) -> Job:
    """Queue a job of a declared kind; raise :class:`UnknownJobKind` (nothing written) otherwise."""
    specs = job_specs() if specs is None else specs
    spec = specs.get(kind)
    if spec is None:
        raise UnknownJobKind(kind)
    attempts = max_attempts or spec.max_attempts or get_settings().job_max_attempts
    if attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if organization_id is None:
        # A job belongs to the organisation whose request queued it (None: platform code).
        organization_id = scope_organization()
    return repository.insert_job(
        session,
        kind=kind,
        payload=dict(payload or {}),
        max_attempts=attempts,
        run_after=run_after,
        organization_id=organization_id,
    )


def get(session: Session, job_id: int) -> Job | None:
    return repository.get_job(session, job_id)


def detail(session: Session, job_id: int) -> dict[str, Any] | None:
    row = repository.get_job_row(session, job_id)
    return dict(row) if row is not None else None


def list_jobs(
    session: Session, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """(rows, exact total) for the list page; unknown status values match nothing."""
    status = filters.get("status") or None
    kind = filters.get("kind") or None
    if status is not None and status not in STATUSES:
        return [], 0
    rows = repository.list_rows(session, status=status, kind=kind, offset=offset, limit=limit)
    total = repository.count_rows(session, status=status, kind=kind)
    return [dict(row) for row in rows], total


def cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued job at once; ask a running job to stop (it sees ``ctx.cancelled()``)."""
    if repository.cancel_queued(session, job_id) or repository.request_cancel_running(
        session, job_id
    ):
        session.expire_all()
        job = repository.get_job(session, job_id)
        assert job is not None
        return job
    job = repository.get_job(session, job_id)
    if job is None:
        raise JobNotFound(job_id)
    if job.status in FINAL_STATUSES:
        raise JobAlreadyFinished(f"job {job_id} is already {job.status}")
    raise RuntimeError(f"job {job_id} changed state while cancelling; try again")


# --- worker side -----------------------------------------------------------------------------


def claim_next(session: Session, worker_id: str) -> ClaimedJob | None:
    return repository.claim_next(session, worker_id)


def succeed(session: Session, job: ClaimedJob, worker_id: str, result: Any) -> bool:
    return repository.finish(session, job.id, worker_id, status="succeeded", result=result)


def mark_cancelled(session: Session, job: ClaimedJob, worker_id: str) -> bool:
    return repository.finish(
        session,
        job.id,
        worker_id,
        status="cancelled",
        log_tail=f"{utcnow().isoformat()} cancelled on request\n",
    )


def backoff_seconds(attempt: int, base: float | None = None) -> float:
    """Delay before attempt ``attempt + 1``: base * 2 ** (attempt - 1)."""
    base = get_settings().job_backoff_seconds if base is None else base
    return float(base) * float(2 ** max(attempt - 1, 0))


def fail_or_retry(
    session: Session, job: ClaimedJob, worker_id: str, error: str, *, retry: bool = True
) -> str:
    """Queue the job again after the backoff while attempts remain, else fail it; new status."""
    stamp = utcnow().isoformat()
    if retry and job.attempts < job.max_attempts:
        delay = backoff_seconds(job.attempts)
        repository.requeue(
            session,
            job.id,
            worker_id,
            run_after=utcnow() + timedelta(seconds=delay),
            error=error,
            log_tail=f"{stamp} attempt {job.attempts} failed: {error.splitlines()[-1] if error else ''}"
            f"; retry in {delay:g}s\n",
        )
        return "queued"
    repository.finish(
        session,
        job.id,
        worker_id,
        status="failed",
        error=error,
        log_tail=f"{stamp} attempt {job.attempts} failed; giving up\n",
    )
    return "failed"


def set_progress(
    session: Session, job_id: int, fraction: float, message: str = "", worker_id: str | None = None
) -> None:
    repository.set_progress(
        session, job_id, worker_id, min(max(float(fraction), 0.0), 1.0), message
    )


def append_log(session: Session, job_id: int, line: str) -> None:
    repository.append_log(session, job_id, f"{utcnow().isoformat()} {line.rstrip()}\n")


def cancel_requested(session: Session, job_id: int) -> bool:
    return repository.cancel_requested(session, job_id)


def heartbeat(session: Session, worker_id: str, job_ids: list[int]) -> None:
    repository.heartbeat(session, worker_id, job_ids)


def recover_stale(session: Session, stale_seconds: float | None = None) -> list[int]:
    """Queue again (or fail, when no attempt is left) running jobs whose worker went silent."""
    stale_seconds = get_settings().job_stale_seconds if stale_seconds is None else stale_seconds
    return repository.recover_stale(session, utcnow() - timedelta(seconds=stale_seconds))

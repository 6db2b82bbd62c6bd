"""Jobs on SQLite: submit, claim, retry with backoff, cancel, stale recovery, progress."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from industrybrain.kit.db import Database, utcnow
from industrybrain.kit.jobs import JobContext, JobSpec
from industrybrain.modules.jobs import service
from industrybrain.modules.jobs.builtin import BUILTIN_JOBS
from industrybrain.modules.jobs.models import Job
from industrybrain.modules.jobs.worker import Worker


def _submit(db: Database, kind: str = "system.echo", payload: Any = None, **kwargs: Any) -> int:
    with db.session_scope() as session:
        return service.submit(session, kind, payload or {}, **kwargs).id


def _job(db: Database, job_id: int) -> Job:
    with db.session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_submit_then_claim_oldest_due_first(db: Database) -> None:
    first = _submit(db, payload={"n": 1})
    second = _submit(db, payload={"n": 2})
    later = _submit(db, run_after=utcnow() + timedelta(hours=1))
    with db.session_scope() as session:
        claimed = service.claim_next(session, "w1")
    assert claimed is not None
    assert (claimed.id, claimed.kind, claimed.payload, claimed.attempts) == (
        first,
        "system.echo",
        {"n": 1},
        1,
    )
    job = _job(db, first)
    assert (job.status, job.worker_id, job.attempts) == ("running", "w1", 1)
    assert job.started_at is not None and job.heartbeat_at is not None
    with db.session_scope() as session:
        again = service.claim_next(session, "w2")
        assert again is not None and again.id == second
        assert service.claim_next(session, "w2") is None  # `later` is not due
    assert _job(db, later).status == "queued"


def test_submit_unknown_kind_writes_nothing(db: Database) -> None:
    with pytest.raises(service.UnknownJobKind), db.session_scope() as session:
        service.submit(session, "no.such.kind", {})
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_max_attempts_comes_from_spec_then_settings(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = {"a": JobSpec("a", lambda c, p: None, max_attempts=7), "b": JobSpec("b", print)}
    with db.session_scope() as session:
        assert service.submit(session, "a", {}, specs=specs).max_attempts == 7
        assert service.submit(session, "b", {}, specs=specs).max_attempts == 3
        assert service.submit(session, "b", {}, specs=specs, max_attempts=1).max_attempts == 1


def test_backoff_doubles_per_attempt() -> None:
    assert [service.backoff_seconds(a, base=2.0) for a in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]


def test_failure_is_retried_with_exponential_backoff_then_fails(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IB_JOB_BACKOFF_SECONDS", "10")
    from industrybrain.config import reset_settings

    reset_settings()
    calls: list[int] = []

    def flaky(ctx: JobContext, payload: dict[str, Any]) -> None:
        calls.append(ctx.job_id)
        raise RuntimeError(f"boom {len(calls)}")

    specs = {"t.flaky": JobSpec("t.flaky", flaky)}
    with db.session_scope() as session:
        job_id = service.submit(session, "t.flaky", {}, specs=specs, max_attempts=3).id
    worker = Worker(db, "w", specs=specs, poll_seconds=0)

    for attempt, delay in ((1, 10), (2, 20)):
        before = utcnow()
        assert worker.run_one()
        job = _job(db, job_id)
        assert (job.status, job.attempts, job.worker_id) == ("queued", attempt, None)
        assert f"boom {attempt}" in (job.error or "")
        expected = before + timedelta(seconds=delay)
        assert expected <= job.run_after <= utcnow() + timedelta(seconds=delay)
        assert not worker.run_one()  # not due before the backoff has passed
        with db.session_scope() as session:  # let time pass
            session.execute(update(Job).where(Job.id == job_id).values(run_after=utcnow()))

    assert worker.run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts) == ("failed", 3)
    assert job.finished_at is not None and "boom 3" in (job.error or "")
    assert len(calls) == 3
    assert "giving up" in job.log and job.log.count("retry in") == 2


def test_success_stores_result_and_full_progress(db: Database) -> None:
    job_id = _submit(db, payload={"hello": "世界"})
    worker = Worker(db, "w", specs={s.name: s for s in BUILTIN_JOBS})
    assert worker.run(threading.Event(), burst=True) == 1
    job = _job(db, job_id)
    assert (job.status, job.result, job.progress, job.error) == (
        "succeeded",
        {"hello": "世界"},
        1.0,
        None,
    )


def test_non_json_result_fails_the_job(db: Database) -> None:
    specs = {"t.obj": JobSpec("t.obj", lambda c, p: object())}
    with db.session_scope() as session:
        job_id = service.submit(session, "t.obj", {}, specs=specs, max_attempts=1).id
    Worker(db, "w", specs=specs).run_one()
    job = _job(db, job_id)
    assert job.status == "failed" and "TypeError" in (job.error or "")


def test_job_of_a_kind_no_plugin_declares_fails_without_retry(db: Database) -> None:
    job_id = _submit(db, max_attempts=5)
    Worker(db, "w", specs={}).run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "unknown job kind" in (job.error or "")


def test_progress_and_log_are_visible_while_running(db: Database) -> None:
    seen: list[tuple[float, str, str]] = []

    def reporting(ctx: JobContext, payload: dict[str, Any]) -> str:
        ctx.progress(0.5, "half way")
        ctx.log("first line")
        # Another connection sees them at once: each update committed on its own.
        with db.session_scope() as session:
            row = session.execute(
                select(Job.progress, Job.message, Job.log).where(Job.id == ctx.job_id)
            ).one()
        seen.append((row.progress, row.message, row.log))
        ctx.progress(7.0)  # clamped
        return "ok"

    specs = {"t.report": JobSpec("t.report", reporting)}
    with db.session_scope() as session:
        job_id = service.submit(session, "t.report", {}, specs=specs).id
    Worker(db, "w", specs=specs).run_one()
    assert seen[0][:2] == (0.5, "half way")
    assert seen[0][2].endswith("first line\n")
    assert _job(db, job_id).status == "succeeded"


def test_cancel_queued_job_at_once(db: Database) -> None:
    job_id = _submit(db)
    with db.session_scope() as session:
        assert service.cancel(session, job_id).status == "cancelled"
    with db.session_scope() as session:
        assert service.claim_next(session, "w") is None
        with pytest.raises(service.JobAlreadyFinished):
            service.cancel(session, job_id)
        with pytest.raises(service.JobNotFound):
            service.cancel(session, 999)


def test_cancel_running_job_stops_it(db: Database) -> None:
    job_id = _submit(db, "system.sleep", {"steps": 500, "seconds": 0.01})
    stop = threading.Event()
    worker = Worker(db, "w", specs={s.name: s for s in BUILTIN_JOBS}, poll_seconds=0.01)
    thread = threading.Thread(target=worker.run, args=(stop,), kwargs={"burst": True})
    thread.start()
    try:
        _wait_for(lambda: _job(db, job_id).progress > 0)
        with db.session_scope() as session:
            job = service.cancel(session, job_id)
            assert (job.status, job.cancel_requested) == ("running", True)
        _wait_for(lambda: _job(db, job_id).status == "cancelled")
    finally:
        stop.set()
        thread.join(10)
    job = _job(db, job_id)
    assert job.progress < 1.0 and job.finished_at is not None
    assert "cancelled at step" in job.log


def test_stale_running_job_is_queued_again_and_runs_elsewhere(db: Database) -> None:
    job_id = _submit(db, payload={"v": 1})
    with db.session_scope() as session:
        claimed = service.claim_next(session, "dead-worker")
        assert claimed is not None
        # The dead worker's last heartbeat was two minutes ago.
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - timedelta(seconds=120))
        )
    with db.session_scope() as session:
        assert service.recover_stale(session, stale_seconds=60) == [job_id]
    job = _job(db, job_id)
    assert (job.status, job.worker_id) == ("queued", None)
    assert "dead-worker lost" in job.log

    Worker(db, "alive", specs={s.name: s for s in BUILTIN_JOBS}).run_one()
    job = _job(db, job_id)
    assert (job.status, job.attempts, job.worker_id) == ("succeeded", 2, "alive")
    # A late outcome from the lost worker is ignored.
    with db.session_scope() as session:
        assert not service.succeed(session, claimed, "dead-worker", {"late": True})
    assert _job(db, job_id).result == {"v": 1}


def test_stale_job_without_attempts_left_fails(db: Database) -> None:
    job_id = _submit(db, max_attempts=1)
    with db.session_scope() as session:
        service.claim_next(session, "dead")
        session.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(hours=1))
        )
        assert service.recover_stale(session, stale_seconds=60) == [job_id]
    job = _job(db, job_id)
    assert job.status == "failed" and job.error == "worker lost and no attempt left"


def test_heartbeat_keeps_a_long_job_from_being_recovered(db: Database) -> None:
    def slow(ctx: JobContext, payload: dict[str, Any]) -> None:
        time.sleep(0.6)

    specs = {"t.slow": JobSpec("t.slow", slow)}
    with db.session_scope() as session:
        job_id = service.submit(session, "t.slow", {}, specs=specs).id
    worker = Worker(db, "w", specs=specs, stale_seconds=0.3)  # beats every 0.075 s
    thread = threading.Thread(target=worker.run_one)
    thread.start()
    try:
        _wait_for(lambda: _job(db, job_id).status == "running")
        time.sleep(0.4)  # longer than stale_seconds
        with db.session_scope() as session:
            assert service.recover_stale(session, stale_seconds=0.3) == []
        job = _job(db, job_id)
        assert job.heartbeat_at is not None and job.started_at is not None
        assert job.heartbeat_at > job.started_at
    finally:
        thread.join(10)
    assert _job(db, job_id).status == "succeeded"


def test_list_jobs_filters_and_pages(db: Database) -> None:
    ids = [_submit(db, payload={"i": i}) for i in range(5)]
    sleeper = _submit(db, "system.sleep", {"steps": 0})
    with db.session_scope() as session:
        service.cancel(session, ids[0])
        rows, total = service.list_jobs(session, {}, 0, 3)
        assert total == 6 and [r["id"] for r in rows] == [sleeper, ids[4], ids[3]]
        rows, total = service.list_jobs(session, {"kind": "system.echo"}, 3, 3)
        assert total == 5 and [r["id"] for r in rows] == [ids[1], ids[0]]
        rows, total = service.list_jobs(session, {"status": "cancelled"}, 0, 50)
        assert total == 1 and rows[0]["id"] == ids[0]
        assert service.list_jobs(session, {"status": "bogus"}, 0, 50) == ([], 0)
        assert "payload" not in rows[0] and "log" not in rows[0]

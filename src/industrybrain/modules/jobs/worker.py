"""The job worker: claims queued jobs and runs their handlers, one job at a time per worker.

Run it embedded (a daemon thread of the web app, ``IB_EMBEDDED_WORKER=true``) or as separate
processes (``industrybrain worker --concurrency N``) against PostgreSQL. Each step (claim,
progress, log, outcome) is its own short transaction; no lock is held while a handler runs.
A heartbeat thread keeps ``heartbeat_at`` fresh so that a killed worker's job is recovered by
another worker after ``IB_JOB_STALE_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from industrybrain.config import get_settings
from industrybrain.kit.db import Database
from industrybrain.kit.jobs import JobCancelled, JobSpec
from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.jobs import service
from industrybrain.modules.jobs.repository import ClaimedJob

logger = logging.getLogger("industrybrain.jobs")
# Claiming, bookkeeping and handlers of the worker are system code across organisations.
WORKER_SCOPE = "job worker: system code"


def default_worker_id(suffix: str = "") -> str:
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}:{suffix}" if suffix else base


class RunningJobContext:
    """What a handler receives: progress and log in their own transactions, cancellation."""

    def __init__(self, database: Database, job: ClaimedJob, worker_id: str) -> None:
        self.database = database
        self.job_id = job.id
        self.attempt = job.attempts
        self.worker_id = worker_id

    def progress(self, fraction: float, message: str = "") -> None:
        with self.database.session_scope() as session:
            service.set_progress(session, self.job_id, fraction, message, self.worker_id)

    def log(self, line: str) -> None:
        with self.database.session_scope() as session:
            service.append_log(session, self.job_id, line)

    def cancelled(self) -> bool:
        with self.database.session_scope() as session:
            return service.cancel_requested(session, self.job_id)


class _Heartbeat:
    """Touches ``heartbeat_at`` of the running job every ``interval`` seconds."""

    def __init__(self, database: Database, worker_id: str, job_id: int, interval: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat,
            args=(database, worker_id, job_id, interval),
            name=f"heartbeat-{job_id}",
            daemon=True,
        )

    @unscoped(WORKER_SCOPE)
    def _beat(self, database: Database, worker_id: str, job_id: int, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                with database.session_scope() as session:
                    service.heartbeat(session, worker_id, [job_id])
            except Exception:  # a missed beat is retried; the job keeps running
                logger.exception("heartbeat of job %s failed", job_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Worker:
    def __init__(
        self,
        database: Database,
        worker_id: str | None = None,
        *,
        specs: Mapping[str, JobSpec] | None = None,
        poll_seconds: float | None = None,
        stale_seconds: float | None = None,
    ) -> None:
        settings = get_settings()
        self.database = database
        self.worker_id = worker_id or default_worker_id()
        self.specs = dict(service.job_specs() if specs is None else specs)
        self.poll_seconds = settings.worker_poll_seconds if poll_seconds is None else poll_seconds
        self.stale_seconds = settings.job_stale_seconds if stale_seconds is None else stale_seconds
        self.heartbeat_seconds = max(min(self.stale_seconds / 4, 10.0), 0.05)
        self._last_recovery = 0.0
        self.processed = 0

    @unscoped(WORKER_SCOPE)
    def run(self, stop_event: threading.Event, once: bool = False, burst: bool = False) -> int:
        """Process jobs until ``stop_event`` is set; ``once``: at most one job; ``burst``: stop
        when no job is due. Returns the number of jobs this worker ran."""
        logger.info("worker %s started", self.worker_id)
        while not stop_event.is_set():
            try:
                self._maybe_recover()
                ran = self.run_one()
            except Exception:
                # The store may be briefly unavailable; the job (if any) stays claimed and is
                # recovered from its stale heartbeat.
                logger.exception("worker %s: store error; retrying", self.worker_id)
                ran = False
                stop_event.wait(max(self.poll_seconds, 0.5))
                continue
            if ran:
                if once:
                    break
                continue
            if once or burst:
                break
            stop_event.wait(self.poll_seconds)
        logger.info("worker %s stopped after %d job(s)", self.worker_id, self.processed)
        return self.processed

    def _maybe_recover(self) -> None:
        now = time.monotonic()
        if now - self._last_recovery < self.stale_seconds / 2:
            return
        self._last_recovery = now
        with self.database.session_scope() as session:
            recovered = service.recover_stale(session, self.stale_seconds)
        if recovered:
            logger.warning("recovered stale job(s) %s", recovered)

    @unscoped(WORKER_SCOPE)
    def run_one(self) -> bool:
        """Claim and run one due job; False when none is due."""
        with self.database.session_scope() as session:
            job = service.claim_next(session, self.worker_id)
        if job is None:
            return False
        self.processed += 1
        self._execute(job)
        return True

    def _execute(self, job: ClaimedJob) -> None:
        spec = self.specs.get(job.kind)
        if spec is None:
            self._outcome(
                lambda s: service.fail_or_retry(
                    s, job, self.worker_id, f"unknown job kind {job.kind!r}", retry=False
                )
            )
            return
        context = RunningJobContext(self.database, job, self.worker_id)
        try:
            with _Heartbeat(self.database, self.worker_id, job.id, self.heartbeat_seconds):
                result = spec.run(context, job.payload)
            # Only JSON survives the store; refuse anything else as a failure of the job.
            result = orjson.loads(orjson.dumps(result)) if result is not None else None
        except JobCancelled:
            self._outcome(lambda s: service.mark_cancelled(s, job, self.worker_id))
            return
        except Exception:
            error = traceback.format_exc(limit=20)
            logger.warning("job %s (%s) attempt %d failed", job.id, job.kind, job.attempts)
            self._outcome(lambda s: service.fail_or_retry(s, job, self.worker_id, error))
            return
        self._outcome(lambda s: service.succeed(s, job, self.worker_id, result))

    def _outcome(self, write: Callable[[Any], object]) -> None:
        with self.database.session_scope() as session:
            write(session)


def run_workers(
    database: Database,
    stop_event: threading.Event,
    *,
    concurrency: int = 1,
    once: bool = False,
    burst: bool = False,
    worker_id: str | None = None,
) -> int:
    """Run ``concurrency`` worker threads until they stop; the total number of jobs run."""
    base = worker_id or default_worker_id()
    workers = [
        Worker(database, f"{base}:{index}" if concurrency > 1 else base)
        for index in range(concurrency)
    ]
    if concurrency == 1:
        return workers[0].run(stop_event, once=once, burst=burst)
    threads = [
        threading.Thread(
            target=worker.run, args=(stop_event, once, burst), name=worker.worker_id, daemon=True
        )
        for worker in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)
    return sum(worker.processed for worker in workers)

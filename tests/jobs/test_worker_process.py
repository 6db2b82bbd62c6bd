"""A worker process killed in the middle of a job does not lose it (SQLite, real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from industrybrain.kit.db import Database
from industrybrain.modules.jobs import service
from industrybrain.modules.jobs.models import Job

INDUSTRYBRAIN = str(Path(sys.executable).parent / "industrybrain")


def _job(db: Database, job_id: int) -> Job:
    with db.session_scope() as session:
        job = session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        return job


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.slow
def test_killed_worker_job_is_recovered_by_another_worker(db: Database) -> None:
    with db.session_scope() as session:
        job_id = service.submit(session, "system.sleep", {"steps": 40, "seconds": 0.05}).id
    env = {
        **os.environ,
        "IB_WORKER_POLL_SECONDS": "0.05",
        "IB_JOB_STALE_SECONDS": "1",
        "IB_LOG_LEVEL": "warning",
    }
    first = subprocess.Popen(
        [INDUSTRYBRAIN, "worker", "--worker-id", "doomed"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        _wait(lambda: _job(db, job_id).progress > 0.1, 30, "first worker never started the job")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    killed_at = _job(db, job_id)
    assert (killed_at.status, killed_at.worker_id) == ("running", "doomed")

    # A --burst worker exits when nothing is due: run it until the job has become stale
    # (IB_JOB_STALE_SECONDS=1) and been recovered and run.
    deadline = time.monotonic() + 30
    while True:
        rescuer = subprocess.run(
            [INDUSTRYBRAIN, "worker", "--burst", "--worker-id", "rescuer"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert rescuer.returncode == 0, rescuer.stderr
        if _job(db, job_id).status == "succeeded" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    job = _job(db, job_id)
    assert (job.status, job.worker_id, job.attempts, job.progress) == (
        "succeeded",
        "rescuer",
        2,
        1.0,
    )
    assert "doomed lost (no heartbeat); queued again" in job.log

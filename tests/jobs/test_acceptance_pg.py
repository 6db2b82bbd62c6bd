"""Acceptance: on PostgreSQL, 200 jobs submitted through the HTTP API are run by two separate
``industrybrain worker`` processes, each job exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from _signin import sign_in
from fastapi.testclient import TestClient

HERE = Path(__file__).parent
JOBS = 200


class _WorkerProcess:
    """An ``industrybrain worker`` OS process whose log lines are collected as they come."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "_probe_worker.py"), "worker", "--concurrency", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def started(self) -> bool:
        return sum(" started" in line for line in self.lines) >= 2  # both threads

    def output(self) -> str:
        return "".join(self.lines)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_worker_processes_run_each_job_exactly_once(pg_env: str) -> None:
    import _probe
    import psycopg

    from industrybrain.app import create_app
    from industrybrain.plugins import get_plugin_manager

    get_plugin_manager().register(_probe, name="probe")
    dsn = pg_env.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_probe.SIDE_TABLE)

    env = {
        **os.environ,
        "IB_DATABASE_URL": pg_env,
        "IB_PROBE_DSN": dsn,
        "IB_WORKER_POLL_SECONDS": "0.05",
        "IB_LOG_LEVEL": "info",
        "PYTHONUNBUFFERED": "1",
    }
    with TestClient(create_app()) as client:  # the lifespan migrates the database
        sign_in(client)
        workers = [_WorkerProcess(env), _WorkerProcess(env)]
        try:
            deadline = time.monotonic() + 30
            while not all(w.started() for w in workers):
                for worker in workers:
                    assert worker.process.poll() is None, worker.output()
                assert time.monotonic() < deadline, [w.output() for w in workers]
                time.sleep(0.05)

            submitted = []
            for n in range(JOBS):
                response = client.post(
                    "/api/jobs", json={"kind": "test.probe", "payload": {"n": n, "sleep": 0.01}}
                )
                assert response.status_code == 201, response.text
                submitted.append(response.json()["id"])

            deadline = time.monotonic() + 40
            while True:
                done = client.get(
                    "/api/jobs", params={"status": "succeeded", "with_total": True, "limit": 1}
                ).json()["total"]
                if done == JOBS:
                    break
                assert time.monotonic() < deadline, f"{done} of {JOBS} jobs done"
                time.sleep(0.1)

            for worker in workers:  # graceful stop
                worker.process.send_signal(signal.SIGTERM)
            for worker in workers:
                assert worker.process.wait(timeout=20) == 0, worker.output()
        finally:
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.kill()
                    worker.process.wait()

        failed = client.get("/api/jobs", params={"status": "failed", "with_total": True})
        assert failed.json()["total"] == 0

    with psycopg.connect(dsn) as conn:
        executions = conn.execute("SELECT job_id, n, pid FROM probe_execution").fetchall()
        attempts = conn.execute("SELECT attempts, count(*) FROM job GROUP BY attempts").fetchall()
    job_ids = [row[0] for row in executions]
    assert len(executions) == JOBS  # 200 executions
    assert len(set(job_ids)) == JOBS  # of 200 distinct jobs: no duplicate
    assert sorted(job_ids) == sorted(submitted)
    assert sorted(row[1] for row in executions) == list(range(JOBS))
    assert attempts == [(1, JOBS)]
    per_process: dict[int, int] = {}
    for _job_id, _n, pid in executions:
        per_process[pid] = per_process.get(pid, 0) + 1
    assert set(per_process) == {w.process.pid for w in workers}  # both workers did some
    assert all(count > 0 for count in per_process.values())
    print(f"executions per worker process: {per_process}")

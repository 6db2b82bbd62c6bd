"""``industrybrain jobs ...`` and ``industrybrain worker`` (in process, SQLite)."""

from __future__ import annotations

import re
import threading

from typer.testing import CliRunner

from industrybrain.kit.db import Database
from industrybrain.modules.jobs.worker import Worker

runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    from industrybrain.cli import build_cli

    result = runner.invoke(build_cli(), list(args))
    return result.exit_code, result.output


def test_submit_list_show_cancel(db: Database) -> None:
    code, out = _invoke("jobs", "submit", "system.echo", "--payload", '{"a": 1}')
    assert code == 0, out
    match = re.search(r"queued job (\d+)", out)
    assert match
    job_id = match.group(1)

    code, out = _invoke("jobs", "list")
    assert code == 0 and "system.echo" in out and "1 of 1 job(s)" in out
    code, out = _invoke("jobs", "show", job_id)
    assert code == 0 and "queued" in out and '{"a":1}' in out

    code, out = _invoke("jobs", "cancel", job_id)
    assert code == 0 and f"job {job_id} cancelled" in out
    code, out = _invoke("jobs", "cancel", job_id)
    assert code == 1 and "already cancelled" in out
    code, out = _invoke("jobs", "list", "--status", "cancelled")
    assert "1 of 1 job(s)" in out


def test_submit_refusals(db: Database) -> None:
    code, out = _invoke("jobs", "submit", "nope")
    assert code == 2 and "unknown job kind" in out
    code, out = _invoke("jobs", "submit", "system.echo", "--payload", "[1]")
    assert code == 2
    code, out = _invoke("jobs", "list")
    assert "0 of 0 job(s)" in out
    code, _ = _invoke("jobs", "show", "99")
    assert code == 1


def test_worker_once_and_burst(db: Database) -> None:
    for _ in range(3):
        assert _invoke("jobs", "submit", "system.echo")[0] == 0
    code, out = _invoke("worker", "--once")
    assert code == 0 and "1 job(s) run" in out
    code, out = _invoke("worker", "--burst", "--concurrency", "2")
    assert code == 0 and "2 job(s) run" in out
    code, out = _invoke("jobs", "list", "--status", "succeeded")
    assert "3 of 3 job(s)" in out


def test_show_follow_until_the_job_ends(db: Database) -> None:
    _invoke("jobs", "submit", "system.sleep", "--payload", '{"steps": 4, "seconds": 0.05}')
    stop = threading.Event()
    thread = threading.Thread(target=Worker(db, "w", poll_seconds=0.02).run, args=(stop,))
    thread.start()
    try:
        code, out = _invoke("jobs", "show", "1", "--follow", "--interval", "0.05")
    finally:
        stop.set()
        thread.join(10)
    assert code == 0, out
    assert "succeeded" in out and "step 4/4" in out and "100%" in out


def test_claims_are_exclusive_between_threads_on_sqlite(db: Database) -> None:
    """Four worker threads on one SQLite file: every job runs exactly once."""
    from industrybrain.kit.jobs import JobSpec
    from industrybrain.modules.jobs import service

    runs: list[int] = []
    lock = threading.Lock()

    def record(ctx: object, payload: dict[str, int]) -> None:
        with lock:
            runs.append(payload["n"])

    specs = {"t.record": JobSpec("t.record", record)}
    with db.session_scope() as session:
        for n in range(60):
            service.submit(session, "t.record", {"n": n}, specs=specs)
    stop = threading.Event()
    workers = [Worker(db, f"w{i}", specs=specs, poll_seconds=0.01) for i in range(4)]
    threads = [
        threading.Thread(target=w.run, args=(stop,), kwargs={"burst": True}) for w in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(runs) == list(range(60))
    assert sum(w.processed for w in workers) == 60

"""Generic JSON list endpoint under load: 50 rows from a 100,000-row table, wrk -t2 -c50, on the
same 2 cores, 2 server workers. Side by side with bare FastAPI (sync SQLite endpoint with
jsonable_encoder) and a plain /health, measured in the same run.

Target (issue 2): at least 1,500 requests/s and p99 under 100 ms for ``GET /api/jobs?limit=50``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import free_port, print_table, record, wait_http, wrk

ROWS = 100_000
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))


def seed(data_dir: Path) -> tuple[Path, str]:
    """100,000 jobs of one organisation, and an API key of it (the jobs API needs a principal
    and lists the caller's organisation's jobs)."""
    env = {**os.environ, "IB_DATA_DIR": str(data_dir), "IB_MODE": "test"}
    subprocess.run(
        [sys.executable, "-m", "industrybrain", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update({"IB_DATA_DIR": str(data_dir), "IB_MODE": "test"})
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from industrybrain.modules.jobs.models import Job
    from industrybrain.runtime import get_database

    now = datetime.now(UTC)
    rows = [
        {
            "kind": "system.echo",
            "status": ("queued", "running", "succeeded", "failed")[i % 4],
            "payload": {"i": i},
            "log": "",
            "progress": (i % 100) / 100,
            "message": f"step {i % 17} of 17",
            "attempts": i % 3,
            "max_attempts": 3,
            "run_after": now,
            "created_at": now,
            "cancel_requested": False,
        }
        for i in range(ROWS)
    ]
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.modules.identity import service
    from industrybrain.modules.identity.permissions import max_permissions

    database = get_database()
    with unscoped("benchmark seed"), database.session_scope() as session:
        org = service.create_organization(session, org_type="operator", name_zh="基准运营公司")
        principal = service.Principal(
            organization_id=org.id,
            organization_type=org.type,
            permissions=max_permissions(org.type),
            method="api_key",
        )
        key = service.create_api_key(
            session, principal, organization_id=org.id, name="bench", permissions=["job.submit"]
        ).secret
        for row in rows:
            row["organization_id"] = org.id
    with database.engine.begin() as conn:
        conn.execute(insert(Job.__table__), rows)
    database.dispose()
    return data_dir / "industrybrain.sqlite3", key


def serve(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(url)
    time.sleep(1.0)  # let both workers come up
    return process


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        db_file, key = seed(data_dir)
        auth = {"X-API-Key": key}
        env = {
            **os.environ,
            "IB_DATA_DIR": str(data_dir),
            "IB_MODE": "test",
            "IB_EMBEDDED_WORKER": "false",
            "IB_LOG_LEVEL": "warning",
            "BASELINE_DB": str(db_file),
        }
        results: dict[str, tuple[float, float]] = {}
        port = free_port()
        ours = serve(
            [sys.executable, "-m", "industrybrain", "serve", "--port", str(port), "--workers", "2"],
            env,
            f"http://127.0.0.1:{port}/health",
        )
        try:
            wrk(f"http://127.0.0.1:{port}/api/jobs?limit=50", seconds=3, headers=auth)  # warm-up
            results["industrybrain GET /api/jobs?limit=50 (API key)"] = wrk(
                f"http://127.0.0.1:{port}/api/jobs?limit=50", seconds=SECONDS, headers=auth
            )
            results["industrybrain GET /health"] = wrk(
                f"http://127.0.0.1:{port}/health", seconds=SECONDS
            )
        finally:
            ours.terminate()
            ours.wait(30)
        port = free_port()
        baseline = serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "benchmarks._baseline_app:app",
                "--port",
                str(port),
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env,
            f"http://127.0.0.1:{port}/jobs",
        )
        try:
            wrk(f"http://127.0.0.1:{port}/jobs?limit=50", seconds=3)
            results["bare FastAPI sync SQLite + jsonable_encoder"] = wrk(
                f"http://127.0.0.1:{port}/jobs?limit=50", seconds=SECONDS
            )
        finally:
            baseline.terminate()
            baseline.wait(30)

    rows = [[name, f"{rps:,.0f}", f"{p99:.1f}"] for name, (rps, p99) in results.items()]
    print_table(["endpoint (2 workers, wrk -t2 -c50)", "requests/s", "p99 ms"], rows)
    ours_rps, ours_p99 = results["industrybrain GET /api/jobs?limit=50 (API key)"]
    base_rps, base_p99 = results["bare FastAPI sync SQLite + jsonable_encoder"]
    ok = ours_rps >= 1500 and ours_p99 < 100
    print(f"target >= 1,500 req/s and p99 < 100 ms: {'met' if ok else 'NOT met'}")
    record(
        "API list, 50 of 100,000 rows, wrk -t2 -c50, 2 workers",
        f"{ours_rps:,.0f} req/s, p99 {ours_p99:.1f} ms",
        f"bare FastAPI sync SQLite: {base_rps:,.0f} req/s, p99 {base_p99:.1f} ms",
        f"{ours_rps / base_rps:.2f}x throughput",
    )
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

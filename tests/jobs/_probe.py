"""A test-only plugin: job kind ``test.probe`` records every execution in a side table.

The side table (``probe_execution``) is written over its own psycopg connection, outside the
jobs module, so that counting its rows counts handler executions, not status changes.
"""

from __future__ import annotations

import os
import time
from typing import Any

from industrybrain.hookspecs import hookimpl
from industrybrain.kit.jobs import JobContext, JobSpec

SIDE_TABLE = """
CREATE TABLE IF NOT EXISTS probe_execution (
    id serial PRIMARY KEY,
    job_id integer NOT NULL,
    n integer NOT NULL,
    pid integer NOT NULL,
    executed_at timestamptz NOT NULL DEFAULT now()
)
"""


def probe(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(os.environ["IB_PROBE_DSN"], autocommit=True) as conn:
        conn.execute(
            "INSERT INTO probe_execution (job_id, n, pid) VALUES (%s, %s, %s)",
            (ctx.job_id, int(payload["n"]), os.getpid()),
        )
    time.sleep(float(payload.get("sleep", 0)))
    return {"n": payload["n"], "pid": os.getpid()}


@hookimpl
def register_jobs() -> list[JobSpec]:
    return [JobSpec("test.probe", probe, title="Probe (tests)")]

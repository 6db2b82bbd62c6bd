"""The tool a user would otherwise write: bare FastAPI, a sync SQLite endpoint returning the same
50 rows through ``jsonable_encoder``. Served by uvicorn in the API list benchmark."""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder

app = FastAPI()
_local = threading.local()
COLUMNS = (
    "id, kind, status, progress, message, attempts, max_attempts, created_at, "
    "started_at, finished_at, organization_id"
)


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BASELINE_DB"], check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _local.conn = conn
    return conn


@app.get("/jobs")
def jobs(limit: int = 50, offset: int = 0) -> Any:
    rows = (
        _conn()
        .execute(f"SELECT {COLUMNS} FROM job ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))
        .fetchall()
    )
    return jsonable_encoder({"items": [dict(row) for row in rows]})

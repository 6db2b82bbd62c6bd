"""The jobs branch upgrades, downgrades and matches the models on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect


def _check(url: str) -> None:
    from industrybrain.kit.db import make_engine
    from industrybrain.migrations import downgrade, drift, upgrade

    upgrade(url)
    engine = make_engine(url, pool=False)
    try:
        inspector = inspect(engine)
        assert "job" in inspector.get_table_names()
        indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("job")}
        assert indexes["ix_job_claim"] == ["status", "run_after", "id"]
        assert drift(engine) == []
        downgrade(url, "jobs@base")
        assert "job" not in inspect(engine).get_table_names()
        upgrade(url)
        assert drift(engine) == []
    finally:
        engine.dispose()


def test_migrations_on_sqlite(ib_env: Path) -> None:
    from industrybrain.config import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _check(settings.sqlalchemy_url)


@pytest.mark.postgres
def test_migrations_on_postgres(pg_env: str) -> None:
    _check(pg_env)

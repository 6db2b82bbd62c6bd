"""The identity and brain branches upgrade, downgrade and match the models (SQLite, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

IDENTITY_TABLES = {
    "identity_organization",
    "identity_user",
    "identity_membership",
    "identity_session",
    "identity_api_key",
}
BRAIN_TABLES = {"brain", "brain_partition", "brain_enterprise", "brain_event"}


def _check(url: str) -> None:
    from industrybrain.kit.db import make_engine
    from industrybrain.migrations import downgrade, drift, upgrade

    upgrade(url)
    engine = make_engine(url, pool=False)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables >= IDENTITY_TABLES | BRAIN_TABLES
        assert drift(engine) == []
        downgrade(url, "brain@base")
        tables = set(inspect(engine).get_table_names())
        assert not BRAIN_TABLES & tables and tables >= IDENTITY_TABLES
        # Brain depends on identity: taking identity down takes brain down first.
        upgrade(url)
        downgrade(url, "identity@base")
        assert not (IDENTITY_TABLES | BRAIN_TABLES) & set(inspect(engine).get_table_names())
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

"""Acceptance: every plugin's migrations upgrade from empty on SQLite and PostgreSQL, and
autogenerate finds no drift between the models and the migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from industrybrain.kit.db import Base, make_engine
from industrybrain.migrations import alembic_config, downgrade, drift, upgrade
from industrybrain.plugins import get_plugin_manager


def _sqlite_url(data_dir: Path, name: str) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / name}"


def _check(url: str) -> None:
    get_plugin_manager()
    upgrade(url)
    engine = make_engine(url, pool=False)
    try:
        assert drift(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_revision_files_are_date_prefixed_and_branches_labelled(ib_env: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert revisions, "no migrations found"
    for revision in revisions:
        name = Path(revision.path).name
        assert name[:4].isdigit() and name[4] == "_" and name[7] == "_", name
    bases = [r for r in revisions if r.down_revision is None]
    assert all(r.branch_labels for r in bases), "each plugin branch starts with a label"


def test_upgrade_from_empty_on_sqlite_has_no_drift(ib_env: Path) -> None:
    _check(_sqlite_url(ib_env, "migrate.sqlite3"))


def test_downgrade_to_base_and_up_again_on_sqlite(ib_env: Path) -> None:
    url = _sqlite_url(ib_env, "roundtrip.sqlite3")
    upgrade(url)
    downgrade(url, "base")
    engine = make_engine(url, pool=False)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    _check(url)


@pytest.mark.postgres
def test_upgrade_from_empty_on_postgres_has_no_drift(pg_env: str) -> None:
    _check(pg_env)

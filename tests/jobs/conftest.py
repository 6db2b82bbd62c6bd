"""Fixtures of the jobs tests: a migrated SQLite store, and the test-only probe plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from industrybrain.kit.db import Database


@pytest.fixture
def db(ib_env: Path) -> Database:
    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade
    from industrybrain.runtime import get_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    return get_database()

"""Fixtures of the jobs tests: a migrated SQLite store, and the test-only probe plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _signin import sign_in
from fastapi.testclient import TestClient

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


@pytest.fixture(autouse=True)
def _system_code() -> Iterator[None]:
    """These tests drive the jobs directly, as system code does: explicitly unscoped
    (requests through the app still get their principal's tenant scope)."""
    from industrybrain.kit.tenancy import unscoped

    with unscoped("jobs tests: system code"):
        yield


@pytest.fixture
def client(ib_env: Path) -> Iterator[TestClient]:
    """The app, signed in (see :func:`sign_in`)."""
    from industrybrain.app import create_app

    with TestClient(create_app()) as test_client:
        yield sign_in(test_client)

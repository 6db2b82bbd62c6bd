"""Shared fixtures: an isolated data directory per test, the app, an HTTP client, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from _live import browser, live_server, page  # noqa: F401  (browser-test fixtures)
from _pg import pg_env, postgres_cluster, postgres_url  # noqa: F401  (PostgreSQL fixtures)
from _tenancy_guard import strict_tenancy_guard  # noqa: F401  (strict guard, whole suite)
from industrybrain.config import reset_settings
from industrybrain.plugins import reset_plugin_manager
from industrybrain.runtime import reset_runtime


def _reset_all() -> None:
    reset_runtime()
    reset_settings()
    reset_plugin_manager()


@pytest.fixture
def ib_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data directory and settings for one test (SQLite, test mode, no embedded worker)."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("IB_DATA_DIR", str(data_dir))
    monkeypatch.setenv("IB_MODE", "test")
    monkeypatch.setenv("IB_EMBEDDED_WORKER", "false")
    monkeypatch.delenv("IB_DATABASE_URL", raising=False)
    _reset_all()
    yield data_dir
    _reset_all()


@pytest.fixture
def client(ib_env: Path) -> Iterator[TestClient]:
    from industrybrain.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client

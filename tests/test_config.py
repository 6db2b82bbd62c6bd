from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from industrybrain.config import DEFAULT_SECRET, ConfigurationError, Settings


def test_defaults_use_embedded_stores(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{(tmp_path / 'industrybrain.sqlite3').resolve()}"
    assert settings.warehouse_file == tmp_path / "warehouse.duckdb"


def test_postgres_url_switches_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IB_DATABASE_URL", "postgresql+psycopg://u:p@localhost/ib")
    settings = Settings()
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")
    assert not settings.is_sqlite


def test_production_refuses_default_secret() -> None:
    with pytest.raises(ConfigurationError, match="IB_SECRET_KEY"):
        Settings(mode="production", secret_key=DEFAULT_SECRET).check_production()


def test_production_refuses_unsafe_durability() -> None:
    with pytest.raises(ConfigurationError, match="IB_SQLITE_SYNCHRONOUS=OFF"):
        Settings(
            mode="production", secret_key="x" * 40, sqlite_synchronous="OFF"
        ).check_production()


def test_production_accepts_safe_settings() -> None:
    Settings(mode="production", secret_key="x" * 40, sqlite_synchronous="FULL").check_production()


def test_serve_refuses_and_says_why(tmp_path: Path) -> None:
    env = {**os.environ, "IB_MODE": "production", "IB_DATA_DIR": str(tmp_path)}
    env.pop("IB_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "industrybrain", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refusing to start in production mode" in result.stderr + result.stdout
    assert "IB_SECRET_KEY" in result.stderr + result.stdout

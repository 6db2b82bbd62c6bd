"""Settings, read from the environment with the prefix ``IB_`` (and from ``.env``).

Every setting is documented in ``docs/settings.md``; a test checks that the two agree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"


class ConfigurationError(RuntimeError):
    """The settings are unsafe or inconsistent; the message says what to change."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_", env_file=".env", extra="ignore")

    mode: Literal["development", "production", "test"] = Field(
        "development",
        description="development, test or production; production refuses unsafe settings",
    )
    data_dir: Path = Field(
        Path(".industrybrain"),
        description="folder of the embedded stores (SQLite file, DuckDB warehouse)",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the transactional store; default is SQLite in data_dir. "
        "Use postgresql+psycopg://user:pass@host/db in production",
    )
    warehouse_path: Path | None = Field(
        None, description="DuckDB warehouse file; default data_dir/warehouse.duckdb"
    )
    secret_key: str = Field(
        DEFAULT_SECRET, description="signs sessions and CSRF tokens; must be set in production"
    )
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = Field(
        "NORMAL", description="SQLite PRAGMA synchronous (WAL mode); OFF is refused in production"
    )
    default_locale: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="language of the UI when none is chosen"
    )
    embedded_worker: bool = Field(
        True, description="run an in-process job worker inside the web app (embedded mode)"
    )
    worker_poll_seconds: float = Field(
        0.5, description="how often an idle worker looks for queued jobs"
    )
    job_max_attempts: int = Field(
        3, description="default attempts of a job before it fails for good"
    )
    job_backoff_seconds: float = Field(
        2.0, description="base delay of the exponential retry backoff"
    )
    job_stale_seconds: float = Field(
        60.0,
        description="a running job whose worker sent no heartbeat for this long is queued again",
    )
    host: str = Field("127.0.0.1", description="address the web server binds to")
    port: int = Field(8000, description="port the web server listens on")
    web_workers: int = Field(1, description="number of web server processes")
    log_level: str = Field("info", description="log level of the app and the server")
    disabled_plugins: list[str] = Field(
        default_factory=list, description="names of plugins not to load (JSON list)"
    )
    audit_key_file: Path | None = Field(
        None,
        description="Ed25519 key that signs audit checkpoints (PEM, created on first use); "
        "default data_dir/audit_signing_key.pem",
    )

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'industrybrain.sqlite3').resolve()}"

    @property
    def warehouse_file(self) -> Path:
        return self.warehouse_path or self.data_dir / "warehouse.duckdb"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def check_production(self) -> None:
        """Refuse to run in production with settings that lose data or leak secrets."""
        if self.mode != "production":
            return
        problems: list[str] = []
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            problems.append(
                "IB_SECRET_KEY is the default or shorter than 32 characters; "
                "set a long random secret (e.g. `python -c 'import secrets;print(secrets.token_urlsafe(48))'`)"
            )
        if self.is_sqlite and self.sqlite_synchronous == "OFF":
            problems.append(
                "IB_SQLITE_SYNCHRONOUS=OFF can lose committed data on power loss; use NORMAL or FULL"
            )
        if problems:
            raise ConfigurationError(
                "refusing to start in production mode:\n- " + "\n- ".join(problems)
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()

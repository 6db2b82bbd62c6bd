"""Process-wide handles: settings, the transactional database, the plugin manager."""

from __future__ import annotations

from functools import lru_cache

from industrybrain.config import get_settings
from industrybrain.kit.db import Database


@lru_cache(maxsize=1)
def get_database() -> Database:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.sqlalchemy_url, sqlite_synchronous=settings.sqlite_synchronous)


def reset_runtime() -> None:
    """Drop cached handles (tests switch databases)."""
    if get_database.cache_info().currsize:
        get_database().dispose()
    get_database.cache_clear()

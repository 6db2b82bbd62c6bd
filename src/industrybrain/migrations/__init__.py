"""Alembic migrations: one branch per plugin, found through the ``register_migrations`` hook.

Revision files are date-prefixed (``2026_11_28_1200_<slug>.py``). ``industrybrain db upgrade``
runs ``upgrade heads`` so that every plugin's branch reaches its head. Keeping each plugin's
revisions in its own folder lets third-party plugins ship tables and keeps built-in modules from
colliding on one linear history.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

SCRIPT_LOCATION = Path(__file__).parent


def alembic_config(url: str) -> Config:
    from industrybrain.plugins import collect

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    locations = [str(p) for p in collect("register_migrations")]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def upgrade_locked(url: str, data_dir: Path) -> None:
    """Upgrade under an exclusive file lock, so that several web workers starting together on a
    fresh embedded store do not race to create the same tables."""
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            upgrade(url)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database (empty when in step)."""
    from industrybrain.kit.db import Base
    from industrybrain.plugins import get_plugin_manager

    get_plugin_manager()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, Base.metadata))

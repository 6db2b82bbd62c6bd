"""Fixtures of the audit tests: a migrated SQLite database in a fresh data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The identity tests' app (with identity, brain and audit plugins) and its organisations and
# users; ``tests/identity`` is the package ``identity`` on pytest's path.
from identity.conftest import client, world  # noqa: F401
from industrybrain.kit.db import Database


@pytest.fixture
def audit_db(ib_env: Path) -> Iterator[Database]:
    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade
    from industrybrain.runtime import get_database

    database = get_database()  # creates the data directory
    upgrade(get_settings().sqlalchemy_url, "audit@head")
    yield database


@pytest.fixture(autouse=True)
def _system_code() -> Iterator[None]:
    """These tests drive the audit log directly, as system code does: explicitly unscoped
    (requests through the app still get their principal's tenant scope)."""
    from industrybrain.kit.tenancy import unscoped

    with unscoped("audit log tests: system code"):
        yield

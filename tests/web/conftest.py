"""Fixtures of the web shell's tests: the app with the test-only ``webtest`` plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from _live import LiveServer, register_plugin_file, start_live_server

WEBTEST_PLUGIN = Path(__file__).resolve().parent / "webtest_plugin.py"


@pytest.fixture
def web_client(ib_env: Path) -> Iterator[TestClient]:
    """The app with the ``webtest`` plugin; server errors become 500 answers, as in production."""
    register_plugin_file(WEBTEST_PLUGIN)
    from industrybrain.app import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def web_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server with the ``webtest`` plugin (``live_server`` has the installed plugins only)."""
    server = start_live_server(tmp_path_factory.mktemp("web-live") / "data", [WEBTEST_PLUGIN])
    yield server
    server.stop()

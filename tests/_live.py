"""Browser-test fixtures: the app on a real uvicorn server, Debian's Chromium through Playwright.

Fixtures (available in every test through ``tests/conftest.py``):

- ``live_server`` (session): the app with every installed plugin, served by uvicorn in a
  subprocess on a free local port, on a fresh temporary ``IB_DATA_DIR`` (test mode, migrated by
  the app's lifespan). ``live_server.url`` is ``http://127.0.0.1:<port>``.
- ``browser`` (session): a Playwright ``Browser`` (Chromium at ``/usr/bin/chromium``, headless).
- ``page`` (function): a new ``Page`` in a fresh context (1280x800, zh-CN) closed after the test.

Mark browser tests with ``@pytest.mark.browser``. For a server with extra test-only plugins
call :func:`start_live_server` with plugin files (each a module with hookimpls).

Run as a script (``python tests/_live.py --port N [--plugin FILE]...``) it is the server itself.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_plugin_file(path: Path) -> ModuleType:
    """Import a plugin module from a file (once per process) under a stable name."""
    name = f"ib_test_plugin_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def register_plugin_file(path: Path) -> ModuleType:
    """Register a test plugin with the (current) plugin manager under its ``PLUGIN_NAME``."""
    from industrybrain.plugins import get_plugin_manager

    module = load_plugin_file(path)
    get_plugin_manager().register(module, name=getattr(module, "PLUGIN_NAME", path.stem))
    return module


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    log_file: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_live_server(
    data_dir: Path, plugins: Sequence[Path] = (), env: dict[str, str] | None = None
) -> LiveServer:
    """Start the app under uvicorn in a subprocess and wait until ``/health`` answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = dict(os.environ)
    environment.pop("IB_DATABASE_URL", None)
    environment.update(
        {
            "IB_DATA_DIR": str(data_dir),
            "IB_MODE": "test",
            "IB_EMBEDDED_WORKER": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    environment.update(env or {})
    command = [sys.executable, str(Path(__file__).resolve()), "--port", str(port)]
    for plugin in plugins:
        command += ["--plugin", str(Path(plugin).resolve())]
    log_file = data_dir.parent / f"server-{port}.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, log_file, process)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the live server exited ({process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the live server did not start in {STARTUP_SECONDS} s:\n{server.log()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    with contextlib.suppress(Exception):
        context.close()


def _serve(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="serve Industry Brain for browser tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plugin", type=Path, action="append", default=[])
    args = parser.parse_args(argv)

    import uvicorn

    for plugin in args.plugin:
        register_plugin_file(plugin)
    from industrybrain.app import create_app

    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    _serve()

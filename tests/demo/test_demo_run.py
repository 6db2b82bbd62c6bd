"""Acceptance: ``industrybrain demo run`` (what ``make demo`` runs) builds the demo brain, prints
the demo accounts, serves; /health answers 200 and the home page renders in zh-CN and English."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from _live import free_port

ACCOUNT_TYPES = (
    "province_authority",
    "gov_department",
    "operator",
    "enterprise",
    "provider",
    "financier",
)


def test_demo_build_reports_accounts_and_brain(ib_env: Path) -> None:
    from industrybrain.modules.demo.build import build_demo, demo_steps

    names = [step.name for step in demo_steps()]
    assert names.index("accounts-and-brain") < names.index("generate")
    lines = build_demo(enterprises=40, seed=3)
    text = "\n".join(lines)
    for account_type in ACCOUNT_TYPES:
        assert f"account {account_type}" in text
    assert "温岭泵阀产业大脑" in text
    assert (ib_env / "demo" / "truth" / "manifest.json").is_file()
    # A second build changes nothing and reports the same accounts.
    again = "\n".join(build_demo(enterprises=40, seed=3))
    assert [line for line in again.splitlines() if line.startswith("account")] == [
        line for line in text.splitlines() if line.startswith("account")
    ]


@pytest.mark.browser
@pytest.mark.slow
def test_demo_run_serves_the_portal(tmp_path: Path, browser: Any) -> None:
    port = free_port()
    env = {**os.environ, "IB_DATA_DIR": str(tmp_path / "data"), "IB_MODE": "development"}
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "industrybrain",
            "demo",
            "run",
            "--enterprises",
            "60",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "demo did not start"
            time.sleep(0.5)
        output = (tmp_path / "demo.log").read_text()
        for account_type in ACCOUNT_TYPES:
            assert f"account {account_type}" in output, output
        assert base in output
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        assert page.locator("h1").inner_text() == "产业大脑"
        page.goto(base + "/?lang=en")
        assert page.locator("h1").inner_text() == "Industry Brain"
        page.screenshot(path=str(tmp_path / "demo-home-en.png"))
        page.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

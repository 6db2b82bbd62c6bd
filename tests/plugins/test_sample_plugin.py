"""Acceptance: a third-party plugin installed through the entry point adds a page, a nav entry, a
CLI command, a job and a component, and all five show up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from industrybrain.plugins import reset_plugin_manager

SAMPLE = Path(__file__).resolve().parents[1] / "sample_plugin"


def install_sample_plugin(target: Path) -> Path:
    """Install the sample plugin into ``target`` the way ``pip install --target`` lays it out:
    the package plus a ``.dist-info`` whose ``entry_points.txt`` names the plugin."""
    shutil.copytree(SAMPLE / "ib_sample_plugin", target / "ib_sample_plugin")
    dist_info = target / "ib_sample_plugin-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ib-sample-plugin\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[industrybrain.plugins]\nsample = ib_sample_plugin\n", encoding="utf-8"
    )
    (dist_info / "INSTALLER").write_text("tests\n", encoding="utf-8")
    (dist_info / "RECORD").write_text("", encoding="utf-8")
    return target


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    return install_sample_plugin(tmp_path / "site")


@pytest.fixture
def with_sample(sample_site: Path, ib_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(sample_site))
    reset_plugin_manager()
    yield ib_env
    reset_plugin_manager()
    sys.modules.pop("ib_sample_plugin", None)


def _cli(site: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "IB_DATA_DIR": str(data_dir),
        "IB_MODE": "test",
        "COLUMNS": "250",  # Rich tables would otherwise fold ids at 80 columns
    }
    return subprocess.run(
        [sys.executable, "-m", "industrybrain", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_command_component_and_plugin_listed(sample_site: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    listed = _cli(sample_site, data_dir, "plugins", "list")
    assert listed.returncode == 0, listed.stderr
    assert "sample" in listed.stdout and "ib-sample-plugin" in listed.stdout
    hello = _cli(sample_site, data_dir, "sample-hello", "--name", "温岭")
    assert hello.returncode == 0, hello.stderr
    assert "hello 温岭 from the sample plugin" in hello.stdout
    components = _cli(sample_site, data_dir, "components", "list")
    assert components.returncode == 0, components.stderr
    assert "sample.squarer" in components.stdout and "1.2.3" in components.stdout


def test_without_the_plugin_nothing_shows(tmp_path: Path) -> None:
    result = _cli(tmp_path / "empty-site", tmp_path / "data", "components", "list")
    assert "sample.squarer" not in result.stdout


def test_page_and_nav_entry(with_sample: Path) -> None:
    from industrybrain.app import create_app

    with TestClient(create_app()) as client:
        home = client.get("/?lang=en")
        assert home.status_code == 200
        assert 'href="/sample/widgets"' in home.text
        assert "Sample widgets" in home.text
        page = client.get("/sample/widgets?lang=en")
        assert page.status_code == 200
        assert "Impeller 叶轮" in page.text and "Valve seat 阀座" in page.text
        filtered = client.get(
            "/sample/widgets", params={"colour": "blue"}, headers={"HX-Request": "true"}
        )
        assert "Valve seat 阀座" in filtered.text and "Impeller 叶轮" not in filtered.text
        assert client.get("/sample/widgets/w3").status_code == 200
        assert client.get("/sample/widgets/nope").status_code == 404


def _platform_bearer(client: TestClient) -> str:
    """A province authority admin's bearer token (``job.submit``)."""
    from industrybrain.kit.tenancy import unscoped
    from industrybrain.modules.identity import service
    from industrybrain.runtime import get_database

    with unscoped("test setup"), get_database().session_scope() as session:
        org = service.create_organization(session, org_type="province_authority", name_zh="省厅")
        user = service.create_user(session, username="sample-admin", password="sample-password")
        service.add_membership(session, user.id, org.id, "admin")
    login = {"username": "sample-admin", "password": "sample-password"}
    token = client.post("/api/auth/token", json=login)
    assert token.status_code == 200, token.text
    return "Bearer " + token.json()["access_token"]


def test_job_runs_through_a_worker(with_sample: Path, sample_site: Path) -> None:
    from industrybrain.app import create_app

    with TestClient(create_app()) as client:
        client.headers["Authorization"] = _platform_bearer(client)  # jobs need a principal
        created = client.post("/api/jobs", json={"kind": "sample.square", "payload": {"n": 12}})
        assert created.status_code in (200, 201, 202), created.text
        job_id = created.json()["id"]
        worker = _cli(sample_site, with_sample, "worker", "--burst")
        assert worker.returncode == 0, worker.stderr
        job = client.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "succeeded", job
        assert job["result"] == {"square": 144}

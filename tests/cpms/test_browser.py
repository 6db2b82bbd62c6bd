"""The CPMS pages in Debian's Chromium: the standard browser (search across standards,
categories and attributes) and an enterprise's product list with completeness; another
enterprise sees none of them and gets the 404 page for one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from _live import LiveServer, start_live_server

pytestmark = pytest.mark.browser

PLUGINS = {"identity", "brain", "audit", "jobs", "brain_template", "cpms"}
PASSWORD = "browser-cpms-password"
SEED = """
import polars as pl
from industrybrain.kit.tenancy import tenant_scope, unscoped
from industrybrain.modules.audit.schemas import Actor
from industrybrain.modules.cpms import actions
from industrybrain.modules.identity import service
from industrybrain.runtime import get_database

with unscoped("browser test seed"), get_database().session_scope() as session:
    orgs = {}
    for username, name in (("pump-admin", "甲泵业有限公司"), ("valve-admin", "乙阀门有限公司")):
        org = service.create_organization(session, org_type="enterprise", name_zh=name)
        user = service.create_user(session, username=username, password=PASSWORD)
        service.add_membership(session, user.id, org.id, "admin")
        orgs[username] = org.id
actions.ensure_seeded(Actor("seed"))
frame = pl.DataFrame(
    {"category": ["PV01.01.01"], "sku": ["QJ-50"], "name": ["QJ-50 井用潜水泵"],
     "model": ["QJ-50"], "flow_rate": ["15 m³/h"], "head": ["40"], "power": ["3 kW"],
     "min_well_diameter": ["100"]}
)
with tenant_scope([orgs["pump-admin"]]):
    actions.do_import_products(orgs["pump-admin"], "pumps-valves", frame, Actor("seed"))
"""


@pytest.fixture(scope="module")
def cpms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from industrybrain.plugins import builtin_module_names

    others = sorted({n.rsplit(".", 1)[-1] for n in builtin_module_names()} - PLUGINS)
    env = {"IB_DISABLED_PLUGINS": json.dumps(others)}
    server = start_live_server(tmp_path_factory.mktemp("cpms-live") / "data", env=env)
    environment = {"IB_DATA_DIR": str(server.data_dir), "IB_MODE": "test", **env}
    subprocess.run(
        [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n" + SEED],
        check=True,
        env={**os.environ, **environment},
        timeout=180,
    )
    yield server
    server.stop()


def _sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login?lang=zh_CN&next=/cpms/products")
    page.fill("#ib-username", username)
    page.fill("#ib-password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cpms/products")


def test_standard_browser_search(page: Any, cpms_server: LiveServer) -> None:
    page.goto(cpms_server.url + "/cpms/standards?lang=zh_CN")
    assert page.locator("h1").inner_text() == "产品主数据标准"
    page.fill("input[name='q']", "min_well_diameter")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=min_well_diameter**")
    page.locator("#ib-table").get_by_text("PV01.01.01").wait_for()
    body = page.locator("#ib-table").inner_text()
    assert "PV01.01.01" in body and "PV02" not in body
    page.get_by_role("link", name="PV01.01.01").first.click()
    page.wait_for_url("**/cpms/standards/pumps-valves*PV01.01.01")
    assert "min_well_diameter" in page.content()


def test_products_with_completeness_and_tenant_isolation(
    page: Any, cpms_server: LiveServer
) -> None:
    _sign_in(page, cpms_server, "pump-admin")
    row = page.locator("#ib-table tr", has_text="QJ-50")
    row.wait_for()
    text = row.inner_text()
    assert "PV010101-" in text and "%" in text
    code = row.get_by_role("link").first.inner_text()
    page.context.clear_cookies()
    _sign_in(page, cpms_server, "valve-admin")
    assert "QJ-50" not in page.locator("main").inner_text()
    response = page.goto(f"{cpms_server.url}/cpms/products/{code}")
    assert response is not None and response.status == 404

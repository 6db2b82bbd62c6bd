"""The admin pages in Debian's Chromium, in Chinese and in English: sign in through the login
page, then organisations (create), users (disable), memberships (change role), API keys (the
secret is shown once; revoke), the brain registry (browse by region and industry, create, edit,
change status, merge partitions) and the audit log."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from _live import LiveServer, start_live_server

pytestmark = pytest.mark.browser

PLUGINS = {"identity", "brain", "audit", "jobs", "brain_template"}
PASSWORD = "browser-admin-password"
SEED = """
from industrybrain.kit.tenancy import unscoped
from industrybrain.modules.brain import service as brains
from industrybrain.modules.identity import service
from industrybrain.runtime import get_database

with unscoped("browser test seed"), get_database().session_scope() as session:
    province = service.create_organization(
        session, org_type="province_authority", name_zh="浙江省经信厅", region_code="33"
    )
    operator = service.create_organization(
        session, org_type="operator", name_zh="温岭运营公司", region_code="331081"
    )
    for username, org in (("prov-admin", province), ("op-admin", operator)):
        user = service.create_user(session, username=username, password=PASSWORD)
        service.add_membership(session, user.id, org.id, "admin")
    clerk = service.create_user(session, username="op-clerk", password=PASSWORD)
    service.add_membership(session, clerk.id, operator.id, "member")
    brain = brains.create_brain(
        session, None, code="wl-pumps", name_zh="温岭泵阀大脑", industry_class="3441",
        region_code="331081", operator_organization_id=operator.id, status="operating",
    )
    for name in ("东部分区", "西部分区"):
        brains.create_partition(session, None, brain, region_code="331081", name=name)
"""


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from industrybrain.plugins import builtin_module_names

    others = sorted({n.rsplit(".", 1)[-1] for n in builtin_module_names()} - PLUGINS)
    env = {"IB_DISABLED_PLUGINS": json.dumps(others)}
    server = start_live_server(tmp_path_factory.mktemp("admin-live") / "data", env=env)
    seed = f"PASSWORD = {PASSWORD!r}\n" + SEED
    environment = {"IB_DATA_DIR": str(server.data_dir), "IB_MODE": "test", **env}
    import os

    subprocess.run(
        [sys.executable, "-c", seed], check=True, env={**os.environ, **environment}, timeout=120
    )
    yield server
    server.stop()


WORDS = {
    "zh_CN": {
        "sign_in": "登录",
        "orgs": "组织",
        "users": "用户",
        "keys": "API 密钥",
        "brains": "产业大脑名录",
        "audit": "审计日志",
        "create": "创建",
        "disable": "停用",
        "revoke": "吊销",
        "merge": "合并",
        "change_status": "变更状态",
        "change_role": "修改角色",
        "save": "保存",
    },
    "en": {
        "sign_in": "Sign in",
        "orgs": "Organisations",
        "users": "Users",
        "keys": "API keys",
        "brains": "Brain registry",
        "audit": "Audit log",
        "create": "Create",
        "disable": "Disable",
        "revoke": "Revoke",
        "merge": "Merge",
        "change_status": "Change status",
        "change_role": "Change role",
        "save": "Save",
    },
}


def _sign_in(page: Any, server: LiveServer, lang: str, username: str) -> None:
    page.goto(f"{server.url}/login?lang={lang}&next=/admin/orgs")
    page.fill("#ib-username", username)
    page.fill("#ib-password", PASSWORD)
    page.get_by_role("button", name=WORDS[lang]["sign_in"]).click()
    page.wait_for_url("**/admin/orgs")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_admin_pages(page: Any, admin_server: LiveServer, lang: str) -> None:
    words = WORDS[lang]
    _sign_in(page, admin_server, lang, "prov-admin")
    assert page.locator("h1").inner_text() == words["orgs"]
    # The admin section of the navigation lists every admin page.
    for label in ("orgs", "users", "keys", "brains", "audit"):
        assert page.locator("[data-section='admin']").get_by_text(words[label]).count() >= 1

    # Organisations: create one, land on its page.
    form = page.locator("[data-testid='org-create']")
    form.locator("select[name='type']").select_option("enterprise")
    form.locator("input[name='name_zh']").fill(f"浏览器测试企业{lang}")
    form.get_by_role("button", name=words["create"]).click()
    page.wait_for_url("**/admin/orgs/*")
    assert page.locator("h1").inner_text() == f"浏览器测试企业{lang}"

    # Memberships: the operator's clerk becomes an analyst.
    page.goto(admin_server.url + "/admin/orgs")
    page.get_by_role("link", name="温岭运营公司").click()
    row = page.locator("[data-testid='members-table'] tr", has_text="op-clerk")
    row.locator("select[name='role']").select_option("analyst")
    row.get_by_role("button", name=words["change_role"]).click()
    page.wait_for_load_state()
    row = page.locator("[data-testid='members-table'] tr", has_text="op-clerk")
    assert row.locator("select[name='role']").input_value() == "analyst"

    # Users: disable the clerk (then enable again for the other language's run).
    page.goto(admin_server.url + "/admin/users")
    assert page.locator("h1").inner_text() == words["users"]
    row = page.locator("[data-testid='users-table'] tr", has_text="op-clerk")
    row.get_by_role("button", name=words["disable"]).click()
    page.wait_for_load_state()
    row = page.locator("[data-testid='users-table'] tr", has_text="op-clerk")
    assert row.get_by_role("button").count() == 1
    row.get_by_role("button").click()
    page.wait_for_load_state()

    # API keys: the secret is shown once, then the key can be revoked.
    page.goto(admin_server.url + "/admin/api-keys")
    assert page.locator("h1").inner_text() == words["keys"]
    form = page.locator("[data-testid='api-key-create']")
    form.locator("input[name='name']").fill(f"key-{lang}")
    form.locator("input[value='org.read']").check()
    form.get_by_role("button", name=words["create"]).click()
    secret = page.locator("[data-testid='api-key-secret'] code").inner_text()
    assert secret.startswith("ibk_")
    page.goto(admin_server.url + "/admin/api-keys")
    assert page.locator("[data-testid='api-key-secret']").count() == 0
    assert secret not in page.content()
    row = page.locator("[data-testid='api-keys-table'] tr", has_text=f"key-{lang}")
    row.get_by_role("button", name=words["revoke"]).click()
    page.wait_for_load_state()
    row = page.locator("[data-testid='api-keys-table'] tr", has_text=f"key-{lang}")
    assert row.get_by_role("button").count() == 0

    # Brain registry: browse Zhejiang → Taizhou, and industry C → 34, find the brain.
    page.goto(admin_server.url + "/admin/brains")
    assert page.locator("h1").inner_text() == words["brains"]
    page.locator("[data-testid='browse-region']").get_by_role("link", name="浙江省").click()
    page.locator("[data-testid='browse-region']").get_by_role("link", name="台州市").click()
    page.locator("[data-testid='browse-industry']").get_by_role(
        "link", name="C ", exact=False
    ).first.click()
    assert "region=3310" in page.url and "industry=C" in page.url
    page.get_by_role("link", name="温岭泵阀大脑").click()
    page.wait_for_url("**/admin/brains/*")

    # Edit, change status, merge partitions.
    edit = page.locator("[data-testid='brain-edit']")
    edit.locator("input[name='name_en']").fill(f"Wenling pumps {lang}")
    edit.get_by_role("button", name=words["save"]).click()
    page.wait_for_load_state()
    assert f"Wenling pumps {lang}" in page.locator("[data-testid='brain-detail']").inner_text()
    status_form = page.locator("[data-testid='brain-status-form']")
    before = page.locator("[data-testid='brain-status']").inner_text()
    options = status_form.locator("select[name='status'] option").all_inner_texts()
    values = [o.get_attribute("value") for o in status_form.locator("option").all()]
    status_form.locator("select[name='status']").select_option(
        next(v for v in values if v != "exited")
    )
    assert options
    status_form.get_by_role("button", name=words["change_status"]).click()
    page.wait_for_load_state()
    assert page.locator("[data-testid='brain-status']").inner_text() != before
    if page.locator("[data-testid='partition-merge']").count():
        page.locator("[data-testid='partition-merge']").get_by_role(
            "button", name=words["merge"]
        ).click()
        page.wait_for_load_state()
        assert "partition_merge" in page.content()

    # A new brain through the form.
    page.goto(admin_server.url + "/admin/brains")
    form = page.locator("[data-testid='brain-create']")
    form.locator("input[name='code']").fill(f"browser-{lang.lower().replace('_', '-')}")
    form.locator("input[name='name_zh']").fill(f"浏览器大脑{lang}")
    form.locator("input[name='industry_class']").fill("3441")
    form.locator("input[name='region_code']").fill("331081")
    form.locator("input[name='operator_organization_id']").fill("2")
    form.get_by_role("button", name=words["create"]).click()
    page.wait_for_url("**/admin/brains/*")
    assert page.locator("h1").inner_text() == f"浏览器大脑{lang}"

    # The audit log lists what just happened.
    page.goto(admin_server.url + "/audit")
    assert page.locator("h1").inner_text() == words["audit"]
    assert "api_key" in page.content() or "apikey" in page.content()


def test_operator_cannot_reach_another_operators_forms(page: Any, admin_server: LiveServer) -> None:
    """An operator admin sees the registry but no API key of another organisation and no
    manage forms of a brain it does not operate (the brain here is its own: forms shown)."""
    _sign_in(page, admin_server, "en", "op-admin")
    page.goto(admin_server.url + "/admin/api-keys")
    assert "key-zh_CN" not in page.content() and "key-en" not in page.content()
    response = page.goto(admin_server.url + "/admin/orgs/999999")
    assert response is not None and response.status == 404

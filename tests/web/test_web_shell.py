"""The web shell over HTTP: locale, request id, home, generic pages, forms, error pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import industrybrain.web as web_pkg
from industrybrain.kit import webctx

from .webtest_plugin import PAGE_SIZE, SEED_ROWS

WEB_DIR = Path(web_pkg.__file__).resolve().parent


def widget_count(client: TestClient) -> int:
    from _live import load_plugin_file

    from .conftest import WEBTEST_PLUGIN

    plugin = load_plugin_file(WEBTEST_PLUGIN)
    app = client.app
    assert isinstance(app, FastAPI)
    with app.state.db.session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(plugin.widgets)) or 0)


# -- locale ------------------------------------------------------------------------------------
def test_home_is_chinese_by_default(web_client: TestClient) -> None:
    response = web_client.get("/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "<h1>产业大脑</h1>" in response.text
    assert "三层架构" in response.text
    assert "Three layers" not in response.text


def test_home_in_english_and_language_cookie(web_client: TestClient) -> None:
    response = web_client.get("/?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "<h1>Industry Brain</h1>" in response.text
    assert "Three layers" in response.text
    assert "ib_lang=en" in response.headers["set-cookie"]
    # The cookie now chooses the language without the parameter.
    again = web_client.get("/")
    assert "<h1>Industry Brain</h1>" in again.text
    assert "set-cookie" not in again.headers
    back = web_client.get("/?lang=zh_CN")
    assert "<h1>产业大脑</h1>" in back.text
    assert "ib_lang=zh_CN" in back.headers["set-cookie"]


def test_unknown_language_falls_back_without_cookie(web_client: TestClient) -> None:
    response = web_client.get("/?lang=fr")
    assert "<h1>产业大脑</h1>" in response.text
    assert "set-cookie" not in response.headers
    web_client.cookies.set("ib_lang", "klingon")
    assert "<h1>产业大脑</h1>" in web_client.get("/").text


def test_language_switch_keeps_the_query(web_client: TestClient) -> None:
    response = web_client.get("/webtest/widgets?kind=pump")
    assert 'href="/webtest/widgets?kind=pump&amp;lang=en"' in response.text


def test_home_lists_plugins_and_counts(web_client: TestClient) -> None:
    text = web_client.get("/").text
    assert "<td>webtest</td>" in text
    pages = re.search(r'id="ib-count-pages">(\d+)<', text)
    plugins = re.search(r'id="ib-count-plugins">(\d+)<', text)
    assert pages and int(pages.group(1)) >= 1
    assert plugins and int(plugins.group(1)) == text.count("<tr><td>")


def test_nav_entries_come_from_plugins_translated(web_client: TestClient) -> None:
    text = web_client.get("/").text
    assert '<a href="/webtest/widgets" >部件</a>' in text
    assert '<a href="/webtest/chart" >图表示例</a>' in text
    active = web_client.get("/webtest/widgets/W001").text
    assert '<a href="/webtest/widgets" aria-current="page">部件</a>' in active


def test_fuzzy_translations_are_not_used(web_client: TestClient) -> None:
    renderer = web_client.app.state.templates  # type: ignore[attr-defined]
    assert renderer.translations.get("zh_CN").gettext("Fuzzy draft") == "Fuzzy draft"
    assert renderer.translations.get("zh_CN").gettext("Widgets") == "部件"
    assert renderer.translations.get("en").gettext("Widgets") == "Widgets"


# -- request id ----------------------------------------------------------------------------------
def test_request_id_is_kept_or_made(web_client: TestClient) -> None:
    kept = web_client.get("/", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    made = web_client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    hostile = web_client.get("/", headers={"X-Request-ID": "<script>" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])


# -- generic list / detail / form ------------------------------------------------------------------
def test_list_page_renders_table_total_and_pagination(web_client: TestClient) -> None:
    response = web_client.get("/webtest/widgets")
    assert response.status_code == 200
    text = response.text
    assert "<h1>部件</h1>" in text
    assert f"共 {SEED_ROWS} 条记录" in text
    assert text.count('<a href="/webtest/widgets/W') == PAGE_SIZE
    assert '<th scope="col">编码</th>' in text
    assert "第 1 页，共 3 页" in text
    assert 'href="/webtest/widgets?page=2"' in text
    last = web_client.get("/webtest/widgets?page=3").text
    assert last.count('<a href="/webtest/widgets/W') == SEED_ROWS - 2 * PAGE_SIZE
    assert "W060" in last and "W001" not in last


def test_list_filters_and_htmx_partial(web_client: TestClient) -> None:
    full = web_client.get("/webtest/widgets?kind=valve")
    assert "共 30 条记录" in full.text
    assert '<option value="valve" selected>阀</option>' in full.text
    partial = web_client.get("/webtest/widgets?kind=valve&q=闸阀 1", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="ib-table"')
    assert "<html" not in partial.text and "ib-filters" not in partial.text
    # 闸阀 11, 13, 15, 17, 19
    assert "共 5 条记录" in partial.text
    assert partial.text.count('<a href="/webtest/widgets/W') == 5
    restore = web_client.get(
        "/webtest/widgets?kind=valve",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text and "ib-filters" in restore.text
    nothing = web_client.get("/webtest/widgets?q=nothing-like-this", headers={"HX-Request": "true"})
    assert "没有符合条件的记录。" in nothing.text


def test_detail_page_and_404_for_unknown_key(web_client: TestClient) -> None:
    response = web_client.get("/webtest/widgets/W007")
    assert response.status_code == 200
    assert "<h1>W007</h1>" in response.text
    assert "<dt>名称</dt><dd>闸阀 07</dd>" in response.text
    assert "<dt>重量（千克）</dt><dd>17.0</dd>" in response.text
    missing = web_client.get("/webtest/widgets/NOPE")
    assert missing.status_code == 404
    assert "页面不存在" in missing.text
    assert missing.headers["content-type"].startswith("text/html")


def test_form_renders_and_rejects_missing_fields(web_client: TestClient) -> None:
    form = web_client.get("/webtest/widgets/new")
    assert form.status_code == 200
    assert "<h1>新建部件</h1>" in form.text
    response = web_client.post("/webtest/widgets/new", data={"code": "", "name": "", "kind": ""})
    assert response.status_code == 422
    assert response.text.count("此项为必填项。") == 3
    assert 'id="e-code"' in response.text and 'id="e-weight"' not in response.text
    bad_number = web_client.post(
        "/webtest/widgets/new", data={"code": "X1", "name": "n", "kind": "pump", "weight": "abc"}
    )
    assert bad_number.status_code == 422
    assert "请输入数字。" in bad_number.text
    assert 'value="X1"' in bad_number.text  # what was typed is kept
    bad_choice = web_client.post(
        "/webtest/widgets/new", data={"code": "X1", "name": "n", "kind": "rocket"}
    )
    assert bad_choice.status_code == 422
    assert "请从选项中选择。" in bad_choice.text
    assert widget_count(web_client) == SEED_ROWS


def test_form_error_from_submit_saves_nothing(web_client: TestClient) -> None:
    duplicate = web_client.post(
        "/webtest/widgets/new", data={"code": "W001", "name": "again", "kind": "pump"}
    )
    assert duplicate.status_code == 422
    assert "该编码已被使用。" in duplicate.text
    # The plugin writes, flushes, then refuses: the write must be rolled back.
    rejected = web_client.post(
        "/webtest/widgets/new", data={"code": "R1", "name": "reject me", "kind": "pump"}
    )
    assert rejected.status_code == 422
    assert "不允许使用该名称。" in rejected.text
    assert widget_count(web_client) == SEED_ROWS
    assert web_client.get("/webtest/widgets/R1").status_code == 404


def test_form_saves_and_redirects_to_detail(web_client: TestClient) -> None:
    response = web_client.post(
        "/webtest/widgets/new",
        data={"code": "N1", "name": "新阀门", "kind": "valve", "weight": "12.5"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/webtest/widgets/N1"
    assert widget_count(web_client) == SEED_ROWS + 1
    detail = web_client.get("/webtest/widgets/N1")
    assert "<dt>名称</dt><dd>新阀门</dd>" in detail.text
    assert "<dt>重量（千克）</dt><dd>12.5</dd>" in detail.text


# -- error pages -------------------------------------------------------------------------------
def test_404_html_for_browsers_json_for_api(web_client: TestClient) -> None:
    html = web_client.get("/no/such/page")
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert "<h1>页面不存在</h1>" in html.text
    english = web_client.get("/no/such/page?lang=en")
    assert "<h1>Page not found</h1>" in english.text
    api = web_client.get("/api/no/such/thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}
    accept = web_client.get("/no/such/page", headers={"Accept": "application/json"})
    assert accept.json() == {"detail": "Not Found"}


def test_405_html_and_json(web_client: TestClient) -> None:
    html = web_client.post("/")
    assert html.status_code == 405
    assert "不支持该请求方式" in html.text
    assert html.headers["allow"] == "GET"
    api = web_client.post("/health", headers={"Accept": "application/json"})
    assert api.status_code == 405
    assert api.json() == {"detail": "Method Not Allowed"}


def test_500_shows_request_id_and_no_details(web_client: TestClient) -> None:
    html = web_client.get("/webtest/boom", headers={"X-Request-ID": "req-500-check"})
    assert html.status_code == 500
    assert html.headers["x-request-id"] == "req-500-check"
    assert "出错了" in html.text
    assert '<code id="ib-request-id">req-500-check</code>' in html.text
    assert "secret-boom-detail" not in html.text
    assert "Traceback" not in html.text and "RuntimeError" not in html.text
    api = web_client.get("/webtest/boom", headers={"Accept": "application/json"})
    assert api.status_code == 500
    body = api.json()
    assert body == {"detail": "Internal Server Error", "request_id": api.headers["x-request-id"]}


def test_api_docs_still_work(web_client: TestClient) -> None:
    docs = web_client.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    schema = web_client.get("/api/openapi.json").json()
    assert "/health" in schema["paths"]
    assert not any(path.startswith("/webtest/widgets") for path in schema["paths"])


def test_static_files_are_served(web_client: TestClient) -> None:
    css = web_client.get("/static/ib.css")
    assert css.status_code == 200
    assert "Noto Sans CJK SC" in css.text


# -- module-facing helpers ---------------------------------------------------------------------
def test_module_route_renders_through_kit_webctx(web_client: TestClient) -> None:
    response = web_client.get("/webtest/chart")
    assert response.status_code == 200
    assert "<h1>图表示例</h1>" in response.text
    match = re.search(r"data-echarts-options='([^']*)'", response.text)
    assert match is not None
    assert "<script>" not in match.group(1)  # options are escaped JSON
    assert json.loads(match.group(1))["xAxis"]["data"][0] == "一月"


def test_webctx_without_shell_says_so() -> None:
    app = FastAPI()
    request = Request({"type": "http", "app": app, "headers": [], "method": "GET", "path": "/"})
    with pytest.raises(RuntimeError, match="web shell is not mounted"):
        webctx.render(request, "base.html")
    assert webctx.N_("Widgets") == "Widgets"
    assert not webctx.is_htmx(request)


# -- catalog ---------------------------------------------------------------------------------------
def test_every_web_message_has_a_chinese_translation() -> None:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(WEB_DIR), method_map, options_map=options, keywords={"_": None, "N_": None}
        )
    }
    assert "Industry Brain" in extracted and "Page not found" in extracted
    po_path = WEB_DIR / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and m.string
        and not m.fuzzy
        and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(extracted - translated)
    assert missing == [], f"untranslated web messages: {missing}"

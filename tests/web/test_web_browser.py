"""The web shell in Debian's Chromium: rendering, language, navigation, HTMX, forms, charts."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from _live import LiveServer

from .webtest_plugin import PAGE_SIZE, SEED_ROWS

pytestmark = pytest.mark.browser


def assert_rendered(png: bytes) -> Image.Image:
    """The screenshot shows a page: many colours, real contrast, not one flat fill."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1280, 800)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    stddev = ImageStat.Stat(image.convert("L")).stddev[0]
    assert stddev > 20, stddev
    return image


def ocr(image: Image.Image, languages: str) -> str:
    """Text that tesseract reads on the image (enlarged 2x: small CJK glyphs read better)."""
    big = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    big.save(buffer, format="PNG")
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout.decode("utf-8").replace(" ", "")


def has_tesseract(language: str) -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return language in listed.stdout.split()


def visible_box(page: Any, selector: str) -> dict[str, float]:
    locator = page.locator(selector).first
    locator.wait_for(state="visible")
    box = locator.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10, box
    return box


def test_home_in_chinese_is_rendered(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "产业大脑"
    assert "三层架构" in page.locator("main").inner_text()
    visible_box(page, "h1")
    visible_box(page, ".ib-brand__name")
    # Real CJK glyphs, not tofu: a CJK font wider than the fallback boxes renders 产业大脑.
    width = page.evaluate(
        "() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = '32px \"Noto Sans CJK SC\"'; return c.measureText('产业大脑').width; }"
    )
    assert width > 100
    png = page.screenshot(path=str(tmp_path / "home-zh.png"))
    image = assert_rendered(png)
    if has_tesseract("chi_sim"):
        text = ocr(image, "chi_sim")
        # Large and body text read reliably; small headings less so, so those are not asserted.
        assert "产业大脑" in text, text
        assert "产业集群共享的数字化平台" in text, text


def test_home_in_english_and_cookie(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    page.goto(live_server.url + "/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Industry Brain"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["ib_lang"] == "en"
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Industry Brain"
    png = page.screenshot(path=str(tmp_path / "home-en.png"))
    image = assert_rendered(png)
    if has_tesseract("eng"):
        text = ocr(image, "eng")
        assert "IndustryBrain" in text and "Threelayers" in text, text
    # The switch in the header goes back to Chinese and the cookie follows.
    page.locator(".ib-lang a[hreflang='zh-CN']").click()
    page.wait_for_url("**/?lang=zh_CN")
    assert page.locator("h1").inner_text() == "产业大脑"
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "产业大脑"


def test_plugin_nav_entries_lead_to_their_pages(page: Any, web_live_server: LiveServer) -> None:
    page.goto(web_live_server.url + "/")
    nav = page.locator("nav.ib-nav")
    assert nav.get_by_role("link", name="部件").is_visible()
    assert nav.get_by_role("link", name="图表示例").is_visible()
    nav.get_by_role("link", name="部件").click()
    page.wait_for_url("**/webtest/widgets")
    assert page.locator("h1").inner_text() == "部件"
    assert page.locator("#ib-table tbody tr").count() == PAGE_SIZE
    assert f"共 {SEED_ROWS} 条记录" in page.locator("#ib-total").inner_text()
    assert nav.locator("a[aria-current='page']").inner_text() == "部件"


def test_htmx_filter_refreshes_only_the_table(page: Any, web_live_server: LiveServer) -> None:
    page.goto(web_live_server.url + "/webtest/widgets")
    page.evaluate("() => { window.__notReloaded = true; }")
    with page.expect_response(lambda r: "kind=valve" in r.url) as answer:
        page.locator("select[name='kind']").select_option("valve")
    assert answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_function("() => document.querySelector('#ib-total').innerText.includes('30')")
    assert "共 30 条记录" in page.locator("#ib-total").inner_text()
    page.locator("input[name='q']").fill("闸阀 1")
    page.wait_for_function("() => document.querySelector('#ib-total').innerText.includes(' 5 ')")
    assert page.locator("#ib-table tbody tr").count() == 5
    assert page.evaluate("() => window.__notReloaded") is True
    assert "kind=valve" in page.url  # hx-push-url keeps the filter in the address
    page.locator("#ib-table a", has_text="W011").click()
    page.wait_for_url("**/webtest/widgets/W011")
    assert page.locator("h1").inner_text() == "W011"
    assert "闸阀 11" in page.locator("dl.ib-detail").inner_text()


def test_pagination_and_unknown_detail(page: Any, web_live_server: LiveServer) -> None:
    page.goto(web_live_server.url + "/webtest/widgets")
    page.locator(".ib-pager a[rel='next']").click()
    page.wait_for_function(
        "() => document.querySelector('.ib-pager').innerText.includes('第 2 页')"
    )
    assert page.locator("#ib-table tbody tr").first.inner_text().startswith("W026")
    response = page.goto(web_live_server.url + "/webtest/widgets/NOPE")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    visible_box(page, ".ib-error__code")


def test_form_errors_then_save(page: Any, web_live_server: LiveServer) -> None:
    page.goto(web_live_server.url + "/webtest/widgets/new")
    with page.expect_response(lambda r: r.url.endswith("/webtest/widgets/new")) as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.status == 422
    assert page.locator(".ib-field-error").count() == 3
    assert page.locator("#ib-form-errors").is_visible()
    page.locator("#f-code").fill("W002")  # taken
    page.locator("#f-name").fill("重复的编码")
    page.locator("#f-kind").select_option("pump")
    with page.expect_response(lambda r: r.url.endswith("/webtest/widgets/new")) as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.status == 422
    assert page.locator("#e-code").inner_text() == "该编码已被使用。"
    assert page.locator("#f-name").input_value() == "重复的编码"
    page.goto(web_live_server.url + "/webtest/widgets?q=重复的编码")
    assert "共 0 条记录" in page.locator("#ib-total").inner_text()
    page.goto(web_live_server.url + "/webtest/widgets/new")
    page.locator("#f-code").fill("B100")
    page.locator("#f-name").fill("浏览器新建的泵")
    page.locator("#f-kind").select_option("pump")
    page.locator("#f-weight").fill("7")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/webtest/widgets/B100")
    assert "浏览器新建的泵" in page.locator("dl.ib-detail").inner_text()


def test_chart_macro_draws_with_echarts(page: Any, web_live_server: LiveServer) -> None:
    page.goto(web_live_server.url + "/webtest/chart")
    page.locator("#webtest-chart[data-chart-ready='true']").wait_for()
    canvas = visible_box(page, "#webtest-chart canvas")
    assert canvas["height"] >= 250
    drawn = page.evaluate(
        "() => { const c = document.querySelector('#webtest-chart canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let ink = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; }"
        " return ink; }"
    )
    assert drawn > 500


def test_server_error_page_shows_request_id_only(page: Any, web_live_server: LiveServer) -> None:
    response = page.goto(web_live_server.url + "/webtest/boom")
    assert response is not None and response.status == 500
    request_id = page.locator("#ib-request-id").inner_text()
    assert request_id == response.headers["x-request-id"]
    body = page.locator("body").inner_text()
    assert "secret-boom-detail" not in body and "Traceback" not in body

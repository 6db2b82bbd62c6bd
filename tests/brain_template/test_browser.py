"""The brain template pages in Debian's Chromium: navigation, the chain graph, categories."""

from __future__ import annotations

from typing import Any

import pytest

from _live import LiveServer

pytestmark = pytest.mark.browser


def test_browse_a_template_from_the_navigation(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="产业大脑模板").first.click()
    page.wait_for_url("**/templates")
    page.get_by_role("link", name="温岭泵阀产业大脑").click()
    page.wait_for_url("**/templates/pumps-valves")

    page.locator("#template-chain-graph[data-chart-ready='true']").wait_for()
    drawn = page.evaluate(
        "() => { const c = document.querySelector('#template-chain-graph canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let ink = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; }"
        " return ink; }"
    )
    assert drawn > 2000

    for stage in ("upstream", "midstream", "downstream", "service"):
        assert page.locator(f"[data-testid='stage-{stage}'] tbody tr").count() >= 5

    category = page.locator("details#category-PV01\\.01\\.01")
    table = category.locator("table")
    assert not table.is_visible()
    category.locator("summary").click()
    table.wait_for(state="visible")
    assert "min_well_diameter" in table.inner_text()
    assert "flow_rate" in category.locator(".is-inherited").inner_text()

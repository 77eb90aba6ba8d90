"""The map in a real browser (issue 25): 自贡's six counties draw from inline outlines with no outside
request, each area says pass or fail, and a click on an area drills down to it as the rankings do; at the
province, 地图单元 区县 draws every county and a click on one drills down to it.

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.helpers import (
    assert_clean,
    drop_deep_link_noise,
    open_page,
    save_screenshot,
    wait_until_idle,
)
from tests.support.places import region_code

pytestmark = pytest.mark.browser

AREA = "[data-testid='stVegaLiteChart'] path[aria-roledescription='geoshape']"


def click_into(page, area) -> None:  # noqa: ANN001 (Playwright)
    """Click `area` left of its middle (off the label written at its centre) and wait for the county's page,
    which says its towns have no outlines."""
    box = area.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    wait_until_idle(page)
    page.get_by_text("没有乡镇/街道的边界数据").first.wait_for(timeout=30_000)


def test_the_map_draws_offline_and_a_click_drills_down(page, page_log, browser_db: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    city, county = region_code(browser_db, "自贡市"), region_code(browser_db, "荣县")
    started = time.perf_counter()
    open_page(page, f"/?city={city}")
    areas = page.locator(AREA)
    areas.first.wait_for(timeout=30_000)
    print(f"[maps] 自贡's map drawn {time.perf_counter() - started:.2f} s after navigation")
    assert areas.count() == 6
    labels = areas.evaluate_all("paths => paths.map(p => p.getAttribute('aria-label'))")
    assert any("荣县" in label for label in labels)
    assert page.get_by_text("示意图").first.is_visible()
    rong = page.locator(f"{AREA}[aria-label*='荣县']")
    rong.scroll_into_view_if_needed()
    save_screenshot(page, "map-zigong", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "the map of 自贡")

    click_into(page, rong)
    assert f"county={county}" in page.url or page.get_by_role("combobox", name="区县").input_value() == "荣县"
    assert_clean(page_log, "the drill-down from the map")


def test_a_county_on_the_province_map_drills_down(page, page_log, browser_db: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    county = region_code(browser_db, "荣县")
    open_page(page, "/")
    areas = page.locator(AREA)
    areas.first.wait_for(timeout=30_000)
    assert areas.count() == 5
    page.get_by_role("radiogroup", name="地图单元").get_by_role("radio", name="区县").click()
    wait_until_idle(page)
    page.locator(f"{AREA}[aria-label*='荣县']").wait_for(timeout=30_000)
    assert areas.count() > 20 and "map_units=county" in page.url
    rong = page.locator(f"{AREA}[aria-label*='荣县']")
    rong.scroll_into_view_if_needed()
    save_screenshot(page, "map-province-counties", full_page=False)
    assert_clean(page_log, "the province's county map")

    click_into(page, rong)
    assert f"county={county}" in page.url
    assert page.get_by_role("combobox", name="地市").input_value() == "自贡市"
    assert page.get_by_role("combobox", name="区县").input_value() == "荣县"
    assert_clean(page_log, "the drill-down from the province's county map")

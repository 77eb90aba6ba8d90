"""The public-health page in a real browser at 1280×720: county and city scorecards render without errors or
external requests, and the legend names every band. (Sorting by a header is checked by hand: the grid is a
canvas.)

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import assert_clean, drop_deep_link_noise, open_page, save_screenshot
from tests.support.places import region_code

pytestmark = pytest.mark.browser

SCORECARD = '[data-testid="stDataFrame"]'


@pytest.mark.parametrize(("place", "key", "level"), [("名山区", "county", "乡镇/街道"), ("雅安市", "city", "区县")])
def test_scorecard_renders_with_its_legend(page, page_log, browser_db: Path, place: str, key: str,
                                           level: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"/public-health?{key}={region_code(browser_db, place)}&period=custom&from=2024-01&to=2024-06")
    assert page.get_by_role("heading", name="公共卫生").first.is_visible()
    card = page.locator(SCORECARD).first
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    # The grid is drawn on a canvas; its accessible table names the columns and places.
    headers = card.locator('th[role="columnheader"]').all_inner_texts()
    assert headers[:3] == [level, "未达标项数", "签约率"]
    assert card.locator('td[role="gridcell"]').count() > 0
    for words in ("低于目标10个百分点以上", "差距不超过10个百分点", "恰好等于目标即为达标", "未设目标"):
        assert page.get_by_text(words).first.is_visible(), words
    save_screenshot(page, f"public-health-{key}", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, f"public health, {place}")


def test_poverty_section_opens_from_a_link_and_follows_the_place(page, page_log, browser_db: Path) -> None:
    from tests.browser.test_browser_pages import choose

    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"/public-health?city={region_code(browser_db, '自贡市')}&period=custom&from=2018-01&to=2018-12")
    heading = page.get_by_role("heading", name="防止因病返贫监测")
    heading.scroll_into_view_if_needed()
    assert heading.is_visible()
    assert page.get_by_text("脱贫（消除风险）36,000人、13,403户").is_visible()
    save_screenshot(page, "public-health-poverty-city", full_page=False)
    choose(page, "区县", "荣县")
    assert f"county={region_code(browser_db, '荣县')}" in page.url
    heading.scroll_into_view_if_needed()
    table = page.locator(SCORECARD).filter(has=page.locator('th[role="columnheader"]', has_text="家医签约率"))
    assert table.locator('th[role="columnheader"]').first.inner_text().strip() == "乡镇/街道"
    save_screenshot(page, "public-health-poverty-county", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "public health, poverty section")


def test_the_maps_legend_names_the_indicator_in_full_in_english(page, page_log, browser_db: Path) -> None:
    """Vega cuts a legend's title at 180 px unless told otherwise: the map's read "Family-doctor contract co…"."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"/public-health?city={region_code(browser_db, '雅安市')}&lang=en")
    area = page.locator("path[aria-roledescription='geoshape']")
    area.first.wait_for(timeout=30_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]', has=area)
    texts = chart.locator("text").evaluate_all("nodes => nodes.map(node => node.textContent)")
    assert "Family-doctor contract coverage" in texts
    assert not [text for text in texts if text.endswith("…")], texts
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "public health in English, 雅安市")

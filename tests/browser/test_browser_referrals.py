"""The referrals page in a real browser at 1280×720: every section renders — the ECharts flow diagram
included, which must draw from Streamlit's own bundle — without errors or external requests.

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import assert_clean, drop_deep_link_noise, open_page, save_screenshot
from tests.support.places import region_code

pytestmark = pytest.mark.browser



def test_referrals_page_draws_every_section(page, page_log, browser_db: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"/referrals?county={region_code(browser_db, '鹿寨县')}")
    assert page.get_by_role("heading", name="双向转诊").first.is_visible()
    for section in ("月度趋势", "层级间转诊流向", "县外转诊去向", "机构间转诊矩阵", "机构转诊明细"):
        heading = page.get_by_role("heading", name=section).first
        heading.scroll_into_view_if_needed()
        assert heading.is_visible(), section
    sankey = page.locator('[data-testid="stEChartsChart"] canvas').first
    sankey.scroll_into_view_if_needed()
    box = sankey.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200, "the flow diagram is drawn"
    save_screenshot(page, "referrals-county", full_page=True)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "referrals, 鹿寨县")

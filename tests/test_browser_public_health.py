"""The public-health page in a real browser at 1280×720: county and city scorecards render without errors or
external requests, and the legend names every band. (Sorting by a header is checked by hand: the grid is a
canvas.)

Same fixtures as tests/test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.browser.helpers import assert_clean, open_page, save_screenshot

pytest_plugins = ["tests.browser.plugin"]

pytestmark = pytest.mark.browser

# A brand-new server may answer the first deep link with "page not found" before the navigation is known,
# and the frontend probes /<page>/_stcore/... first: Streamlit's behaviour, not the page's.
STREAMLIT_DEEP_LINK = ("/_stcore/health", "/_stcore/host-config", "does not seem to exist")
SCORECARD = '[data-testid="stDataFrame"]'


def drop_deep_link_noise(log) -> None:
    log.console_errors[:] = [e for e in log.console_errors if not any(s in e for s in STREAMLIT_DEEP_LINK)]


def region_code(db: Path, name: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select code from region where name = $name", {"name": name}).fetchall()[0][0]


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

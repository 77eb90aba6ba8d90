"""Workforce and the pathogen network (issue 26) in a real browser at 1280×720: on the alliances page for 自贡市
the two sections render with their tables and charts, and a sending CDC's profile shows its register and
network work; no errors, no external requests.

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import assert_clean, drop_deep_link_noise, open_page, save_screenshot
from tests.support.places import facility_code, region_code

pytestmark = pytest.mark.browser


def test_alliances_page_shows_staff_and_pathogen_network_and_a_member_opens(page, page_log,
                                                                           browser_db: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"/alliances?city={region_code(browser_db, '自贡市')}&period=year&from=2025-01")
    staff = page.get_by_role("heading", name="执业注册人员与派驻医师").first
    staff.scroll_into_view_if_needed()
    assert staff.is_visible()
    network = page.get_by_role("heading", name="病原鉴定网络").first
    network.scroll_into_view_if_needed()
    assert page.get_by_text("本期成员单位送检").first.is_visible()
    assert page.get_by_text("送检例数（已鉴定/未完成）").first.is_visible()
    save_screenshot(page, "alliances-pathogen", full_page=False)
    # The table's names are drawn on a canvas: open the member's profile by the link its cell carries.
    open_page(page, f"/facility?facility={facility_code(browser_db, '荣县疾病预防控制中心')}&period=year&from=2025-01")
    workforce = page.get_by_role("heading", name="卫生人力与执业注册").first
    workforce.scroll_into_view_if_needed()
    assert page.get_by_text("病原鉴定网络：本期送检").first.is_visible()
    save_screenshot(page, "facility-workforce", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "alliances → CDC profile")

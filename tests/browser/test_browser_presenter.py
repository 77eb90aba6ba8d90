"""Presenter mode in a real browser: at 1280×720 and 1920×1080 the sidebar and toolbar are gone, the title
line shows the selection, text is larger, and the slideshow steps through the what-if page.

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    assert_clean,
    drop_deep_link_noise,
    open_page,
    save_screenshot,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
def font_size(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)"))


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presenter_mode_hides_the_sidebar_and_enlarges_text(page, page_log, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, "/what-if?back=30")
    assert page.locator(SIDEBAR).first.is_visible()
    normal_size = font_size(page, "html")

    open_page(page, "/what-if?back=30&present=1")
    assert not page.locator(SIDEBAR).first.is_visible(), "the sidebar is hidden in presenter mode"
    assert page.locator(".hd-selection-line").first.is_visible()
    assert "全部地市" in page.locator(".hd-selection-line").first.inner_text()
    assert font_size(page, "html") > normal_size
    assert page.get_by_text("退出演示").first.is_visible()
    save_screenshot(page, f"presenter-whatif-{width}x{height}", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "presenter mode")


def test_slideshow_steps_with_buttons(page, page_log) -> None:
    open_page(page, "/what-if?present=1")
    page.get_by_role("button", name="逐图放映").click()
    wait_until_idle(page)
    assert "slide=1" in page.url
    page.get_by_role("button", name="下一张").click()
    wait_until_idle(page)
    assert "slide=2" in page.url
    assert page.get_by_text("2 / 4").first.is_visible()
    save_screenshot(page, "presenter-whatif-slide-2", full_page=False)
    page.get_by_role("button", name="结束放映").click()
    wait_until_idle(page)
    assert "slide=" not in page.url and "present=1" in page.url
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "slideshow")


def _below_the_fold(page) -> int:
    """Pixels of the page below the window (0 when the slide fits)."""
    return int(page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
        return main.scrollHeight - main.clientHeight; }"""))


def test_clicker_keys_step_slides_that_fit_the_screen(page, page_log) -> None:
    """A presenter's clicker sends PageDown/PageUp (a keyboard Space): each moves one slide; the Overview's
    nine cards fit 1280×720 and 1920×1080 with the share link on screen."""
    for width, height in [(1920, 1080), (1280, 720)]:
        page.set_viewport_size({"width": width, "height": height})
        open_page(page, "/?present=1&slide=1")
        assert _below_the_fold(page) <= 2, f"slide 1 scrolls at {width}×{height}"
        assert page.get_by_text("复制链接").first.is_visible()
        save_screenshot(page, f"presenter-overview-slide-1-{width}x{height}", full_page=False)
    total = int(page.get_by_text(re.compile(r"^1 / \d+$")).first.inner_text().split(" / ")[1])
    assert total >= 3
    page.locator('[data-testid="stMain"]').click(position={"x": 600, "y": 650})
    for key, slide in [("PageDown", 2), ("Space", 3), ("PageUp", 2), ("PageUp", 1)]:
        page.keyboard.press(key)
        wait_until_idle(page)
        assert f"slide={slide}" in page.url, (key, page.url)
        assert page.get_by_text(f"{slide} / {total}").first.is_visible()
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "clicker keys")


def test_print_leaves_out_the_sidebar_and_controls(page, page_log) -> None:
    """Ctrl+P (print media): no sidebar, no buttons; the cards keep their width."""
    page.set_viewport_size({"width": 1280, "height": 900})
    open_page(page, "/referrals")
    assert page.locator(SIDEBAR).first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(SIDEBAR).first.is_visible()
    assert not page.locator('[data-testid="stDownloadButton"]').first.is_visible()
    card = page.locator('[data-testid="stMetric"]').first.bounding_box()
    assert card is not None and card["width"] > 200
    save_screenshot(page, "print-referrals")
    page.emulate_media(media="screen")
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "print")

"""Presenter mode in a real browser: at 1280×720 and 1920×1080 the sidebar and toolbar are gone, the title
line shows the selection, text is larger, and the slideshow steps through the what-if page.

Same fixtures as test_browser.py (tests/browser/plugin.py). Screenshots: artifacts/screenshots/.
"""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.browser.helpers import (
    assert_clean,
    drop_deep_link_noise,
    open_page,
    save_screenshot,
    wait_until_idle,
)
from tests.support.places import facility_code, region_code

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
    assert page.get_by_text("2 / 5").first.is_visible()
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


def _fits(page, what: str) -> None:
    """Wait (the page fits slides and tables a few times a second, once charts have drawn) until nothing is
    below the fold, the slide is zoomed no further than 70% (a projector's audience still reads it), its title
    line is whole on one line beside its buttons and no grid cuts a column off."""
    try:
        page.wait_for_function("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const slide = document.querySelector('.st-key-hd-slide');
            const line = document.querySelector('.st-key-hd-slide-head .hd-selection-line');
            const exit = document.querySelector('.st-key-present_exit');
            const grids = [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')];
            return main.scrollHeight - main.clientHeight <= 2
                && (!slide || (parseFloat(slide.style.zoom) || 1) >= 0.7)
                && (!line || (line.scrollWidth <= line.clientWidth + 1
                              && Math.abs(line.getBoundingClientRect().top - exit.getBoundingClientRect().top) < 40))
                && grids.every(grid => grid.scrollWidth <= grid.clientWidth + 2);
        }""", timeout=15_000)  # a grid draws late on a loaded machine
    except Exception:  # noqa: BLE001 — the figures say what did not fit
        save_screenshot(page, f"unfit-{what}", full_page=False)
        zoom = page.evaluate("() => document.querySelector('.st-key-hd-slide')?.style.zoom")
        raise AssertionError(f"{what} does not fit: below the fold {_below_the_fold(page)} px, zoom {zoom}") from None


SCREENS = [(1280, 720), (1920, 1080)]


def _every_slide_fits(page, path: str, screens: list[tuple[int, int]] = SCREENS) -> int:
    """Open slide 1 of `path` at the first of `screens` and step with PageDown (as a clicker does) through
    every slide; each must fit on every screen, the window resized as a presenter moves to the projector, and
    again on the first (a grid drawn wide keeps its wide columns: the narrower window must still show them
    all). The number of slides."""
    width, height = screens[0]
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, f"{path}{'&' if '?' in path else '?'}present=1&slide=1")
    total = int(page.get_by_text(re.compile(r"^1 / \d+$")).first.inner_text().split(" / ")[1])
    for slide in range(1, total + 1):
        if slide > 1:
            page.locator('[data-testid="stMain"]').click(position={"x": 5, "y": 300})  # keys go to the page
            page.keyboard.press("PageDown")
            wait_until_idle(page)
            assert f"slide={slide}" in page.url, (path, slide, page.url)
        for width, height in [*screens, screens[0]] if len(screens) > 1 else screens:
            page.set_viewport_size({"width": width, "height": height})
            _fits(page, f"{path} slide {slide} at {width}×{height}")
    return total


def _paths(db) -> list[str]:  # noqa: ANN001
    county, hospital = region_code(db, "名山区"), facility_code(db, "名山区人民医院")
    return ["/", "/alliances", "/referrals", f"/county?county={county}", f"/facility?facility={hospital}",
            "/what-if?back=30&res_bed=10", "/public-health", "/appraisal", "/quality"]


def test_every_slide_of_every_page_fits_both_screens(page, page_log, browser_db) -> None:
    """Every page's slides need no scrolling and cut no table at 1280×720 or 1920×1080 (before: 27 slide views
    of overview, alliances, referrals, the profiles and quality scrolled or cut a table); the what-if title
    line names the levers set and stays one line at 1280×720."""
    counts = {path: _every_slide_fits(page, path) for path in _paths(browser_db)}
    assert all(count >= 3 for count in counts.values()), counts
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, "/what-if?back=30&res_bed=10&present=1&slide=2")
    assert "杠杆：回流30%，号源20%，床位10%" in page.locator(".hd-selection-line").first.inner_text()
    save_screenshot(page, "presenter-whatif-levers-1280x720", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "slides fit")


def test_every_english_slide_fits_both_screens(page, page_log, browser_db) -> None:
    """In English, whose headers and titles are longer, every slide fits 1280×720 and 1920×1080 too (before:
    six slides of alliances, referrals and the county profile cut a table's last columns at 1280, and a grid
    drawn at 1920 cut its last column when the window went back to 1280)."""
    for path in _paths(browser_db):
        _every_slide_fits(page, f"{path}{'&' if '?' in path else '?'}lang=en")
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "English slides fit")


def test_wide_tables_show_every_column_at_1280(page, page_log) -> None:
    """需要关注, the public-health scorecard and the audit log: no column cut off at the right at 1280×720."""
    page.set_viewport_size({"width": 1280, "height": 720})
    for path in ("/", "/public-health", "/admin"):
        open_page(page, path)
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1, path
        widths = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
            .map(grid => [grid.scrollWidth, grid.clientWidth])"""
        try:
            page.wait_for_function(f"() => ({widths})().every(([need, room]) => room > 0 && need <= room + 2)",
                                   timeout=8_000)
        except Exception:  # noqa: BLE001 — the widths say which table is cut
            save_screenshot(page, f"unfit-table-{path}", full_page=False)
            raise AssertionError(f"{path}: a table is cut off (content, room): {page.evaluate(widths)}") from None
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "wide tables")


def test_the_monitoring_table_breaks_only_item_names_at_1280(page, page_log) -> None:
    """监测与考核's 14-item table at 1280×720: the item names wrap, no short word (紧密型, 定性, 达标) is broken
    over two lines (before: 紧密/型, 定/性)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, "/appraisal")
    broken = page.evaluate("""() => {
        const table = document.querySelector('.st-key-appraisal_report_table table');
        const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
        const item = heads.indexOf('指标'), broken = [];
        for (const row of table.querySelectorAll('tbody tr')) {
            [...row.children].forEach((cell, i) => {
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), lines = new Set();
                for (let text = walker.nextNode(); text; text = walker.nextNode()) {
                    const range = document.createRange();
                    range.selectNodeContents(text);
                    [...range.getClientRects()].forEach(r => lines.add(Math.round(r.top)));
                }
                if (i !== item && lines.size > 1) broken.push(cell.innerText);
            });
        }
        return [item, table.querySelectorAll('tbody tr').length, broken];
    }""")
    item, rows, cut = broken
    assert item > 0 and rows == 14 and cut == [], broken
    save_screenshot(page, "appraisal-monitoring-table-1280", full_page=False)
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "monitoring table")


def _printed(page) -> list[str]:
    """The page printed to A4 as Chromium prints it (Ctrl+P), each sheet's text: head, page number and foot
    first, then the body (NFKC: the PDF's CJK compatibility forms read back as the usual characters)."""
    return [unicodedata.normalize("NFKC", sheet.extract_text()) for sheet in PdfReader(BytesIO(page.pdf())).pages]


def _flat(text: str) -> str:
    """Compared as the PDF gives text back: NFKC, without the spaces it puts around Latin words and numbers."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _starts(printed: str, expected: str) -> bool:
    """Whether the printed text begins with `expected`: a CJK radical read back for its character (⺠ for 民:
    the font's glyph maps to the radical, which NFKC keeps) stands for any character."""
    printed, expected = _flat(printed), _flat(expected)
    return len(printed) >= len(expected) and all(
        mine == theirs or 0x2E80 <= ord(mine) <= 0x2EFF for mine, theirs in zip(printed, expected, strict=False))


def test_every_page_prints_with_its_title_block_and_a_page_per_section(page, page_log, browser_db) -> None:
    """Ctrl+P (print media) on every page: no sidebar, no buttons or pickers, the cards keep their width; the
    page's title and selection head every printed sheet, numbered N / M with the dashboard's name; each
    section after the first starts a sheet of its own. A print-media screenshot of each page."""
    page.set_viewport_size({"width": 1280, "height": 900})
    for path in _paths(browser_db):
        open_page(page, path)
        assert page.locator(SIDEBAR).first.is_visible()
        page.emulate_media(media="print")
        assert not page.locator(SIDEBAR).first.is_visible(), path
        for control in ("stDownloadButton", "stButton", "stFormSubmitButton", "stButtonGroup", "stSelectbox"):
            assert not page.locator(f'[data-testid="{control}"]').first.is_visible(), (path, control)
        card = page.locator('[data-testid="stMetric"]').first
        assert not card.count() or card.bounding_box()["width"] > 200, path
        title = page.locator("h1").first.inner_text().strip()
        starts = [heading.strip() for heading in page.locator('[class*="st-key-hd-print-section"] h3').evaluate_all(
            "hs => hs.filter(h => !h.parentElement.closest('[class*=\"st-key-hd-print-section\"]') "
            "|| h.closest('[class*=\"st-key-hd-print-section\"]').querySelector('h3') === h).map(h => h.innerText)")]
        save_screenshot(page, f"print-{path.strip('/').split('?')[0] or 'overview'}")
        sheets = _printed(page)
        page.emulate_media(media="screen")
        assert len(sheets) > len(starts) >= 1, (path, len(sheets), starts)
        for number, sheet in enumerate(sheets, start=1):
            head, count = sheet.split("\n")[:2]
            assert _starts(head, f"{title} · "), (path, number, head)
            assert _flat(count).startswith(f"{number}/{len(sheets)}") and "医联体运行监测看板" in _flat(count), (path, count)
        bodies = ["".join(sheet.split("\n")[2:]) for sheet in sheets]
        for heading in starts:
            assert any(_starts(body, heading) for body in bodies), (path, heading, [_flat(b)[:20] for b in bodies])
    drop_deep_link_noise(page_log)
    assert_clean(page_log, "print")

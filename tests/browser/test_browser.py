"""The app in a real browser: it opens in Chinese, shows no exception and asks nothing of the internet.

Runs `streamlit run app.py` on a demo database and drives Debian's headless Chromium with Playwright
(fixtures in tests/browser/plugin.py, registered in tests/conftest.py). Fails, never skips, when Chromium or the CJK fonts are missing.
Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_clean, open_page, save_screenshot

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_root_opens_in_chinese_without_errors_or_external_requests(page, page_log):
    open_page(page, "/")

    title = page.title()
    heading = page.locator("h1").first.inner_text(timeout=30_000)
    assert HAN.search(title), f"page title has no Chinese: {title!r}"
    assert HAN.search(heading), f"first heading has no Chinese: {heading!r}"

    save_screenshot(page, "root")
    assert_clean(page_log, "/")

"""Browser-test harness: the app served by `streamlit run`, driven by Playwright in Debian's Chromium.

plugin.py holds the fixtures (loaded by `pytest_plugins = ["tests.browser.plugin"]` in a test module),
helpers.py what a test calls (open_page, assert_clean, save_screenshot).
"""

"""Browser tests and their harness: the app served by `streamlit run`, driven by Playwright in Debian's Chromium.

plugin.py holds the fixtures (registered by `pytest_plugins` in tests/conftest.py), helpers.py what a test
calls (open_page, assert_clean, save_screenshot), test_browser*.py the tests (marked `browser`).
"""

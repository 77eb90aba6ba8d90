"""Fixtures shared by the test modules; the helpers they build on are in tests/support/."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.data import db
from tests.support.app import new_session

# Every chart a test draws is checked against the Vega-Lite schema (healthdash.ui.chart_cache.CHECK_SPECS),
# in this process and in the servers the browser tests start; set before healthdash is imported.
os.environ["HEALTHDASH_CHECK_CHARTS"] = "1"
# The tests' small worlds are not the demo, where sign-in is on by default; only the tests of sign-in turn
# it on (tests/access, tests/browser/test_browser_access.py), here and in the servers they start.
os.environ["HEALTHDASH_AUTH"] = "off"

# Tests that call a domain's data functions directly read as the province's account would; the app's own
# runs (AppTest, the browser) set their jurisdiction at the sign-in gate, as in production.
db.read_within(db.EVERYTHING)

# The browser harness (Chromium, the app under `streamlit run`): registered here, once, for the tests in
# tests/browser/ and the load test that watches a served page.
pytest_plugins = ["tests.browser.plugin"]

# Modules whose tests share something outside their temporary folder (the offline bundle's wheel cache).
SHARED_OUTSIDE = {"test_offline_bundle.py"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make test` (pytest-xdist, --dist loadgroup) one worker runs every test that drives Chromium or
    starts servers of its own, one after another, while the other runs the rest: two browsers at once
    would fight over a small machine's cores and their tests' waits."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("system") or item.path.name in SHARED_OUTSIDE:
            item.add_marker(pytest.mark.xdist_group("serial"))


# Niceness of a worker's other tests while the serial one drives the browser (see pytest_runtest_setup).
BACKGROUND_NICENESS = 10


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under pytest-xdist, a test that computes runs at a lower CPU priority than one that drives Chromium, so
    the app server and the browser (started by the serial tests' fixtures, after this, at normal priority)
    are not starved and their waits mean what they say. Raising the priority back needs root, as in CI."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    wanted = 0 if item.get_closest_marker("xdist_group") else BACKGROUND_NICENESS
    if os.getpriority(os.PRIO_PROCESS, 0) != wanted:
        with contextlib.suppress(PermissionError):
            os.setpriority(os.PRIO_PROCESS, 0, wanted)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo database (scale 1, default seed), built once for the whole session.

    Scale 1 because calibration.csv is reproduced exactly only there; once because a build takes seconds
    and every test only reads it.
    """
    from healthdash.data.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "health.duckdb"
    build_demo(path)
    return path


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A new session of the dashboard on the demo database, not yet run: the test sets the URL, then runs."""
    return new_session(demo_db, monkeypatch)

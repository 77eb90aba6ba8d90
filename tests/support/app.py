"""The dashboard as one browser session sees it, through Streamlit's AppTest (no browser, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
# Generous: the first run of a session imports the pages and warms the query cache.
TIMEOUT_S = 180


def new_session(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A new session of app.py reading `db`, not yet run (what a fresh browser tab would open)."""
    monkeypatch.setenv("HEALTHDASH_DB", str(db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)


def open_page(db: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None,
              query: dict[str, str] | None = None, *, lang: str | None = None) -> AppTest:
    """A new session on `page` (a file such as "pages/referrals.py"; None: the Overview) with `query` in
    its URL, run once; fails the test if the page raised."""
    at = new_session(db, monkeypatch)
    if lang is not None:
        at.session_state["lang"] = lang
    at.query_params.update(query or {})
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_data_page(db: Path, monkeypatch: pytest.MonkeyPatch, officer: dict | None = None) -> AppTest:
    """A new session on the data page (数据管理), `officer` being the data officer's secrets (None: none set)."""
    at = new_session(db, monkeypatch)
    if officer is not None:
        at.secrets["data_officer"] = officer
    at.run()  # the navigation registers the pages (url_path "data") on the first run
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

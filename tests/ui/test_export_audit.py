"""Every file a page offers is audited when it is made, and made within the jurisdiction of the viewer it
was offered to: a signed-in county analyst opens the pages (AppTest), then each download is made as a click
makes it, on another thread with no jurisdiction of its own. Roles without the export permission are
offered no files at all."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from healthdash.access import accounts, audit, signin
from healthdash.access.audit import Action
from healthdash.access.roles import Role
from healthdash.access.scope import Scope, file_reader
from healthdash.access.store import open_store
from healthdash.data import db
from tests.support.app import new_session
from tests.support.downloads import Files, offered_files
from tests.support.places import region_code

PASSWORD = "export-test-2026"
FAST = 1_000


@pytest.fixture(scope="module")
def county_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "health.duckdb"
    shutil.copy(demo_db, path)
    store = open_store(path, iterations=FAST)
    county = Scope("county", region_code(path, "鹿寨县"))
    for name, role in (("analyst", Role.ANALYST), ("looker", Role.VIEWER), ("officer", Role.OFFICER)):
        accounts.add_account(store, name, role, county, PASSWORD, by="test", registry=file_reader(path),
                             must_change=False)
    store.close()
    return path


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> Files:
    """Every deferred file the pages offer, by file name: what a click on its button fetches."""
    return offered_files(monkeypatch)


def signed_in(db_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, page: str | None = None) -> AppTest:
    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    store = open_store(db_path, iterations=FAST)
    token = signin.sign_in(store, name, PASSWORD, "127.0.0.1").token
    store.close()
    at = new_session(db_path, monkeypatch)
    at.session_state["_account_token"] = token
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def clicked(make: Callable[[], bytes | str]) -> bytes | str:
    """The file as a click makes it: on a thread of its own, where no page run set a jurisdiction."""
    made: list[bytes | str] = []
    worker = threading.Thread(target=lambda: made.append(make()))
    worker.start()
    worker.join(120)
    assert made, "the file was made"
    return made[0]


def exports_of(db_path: Path, action: Action, actor: str = "analyst") -> list[audit.Entry]:
    return audit.entries(open_store(db_path), actor=actor, action=action)


def test_a_table_download_is_made_within_the_county_and_audited(county_db: Path, files: Files,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    signed_in(county_db, monkeypatch, "analyst")
    before = len(exports_of(county_db, Action.EXPORT))
    name = next(name for name in files if name.endswith(".csv"))  # the ranking's, through download_row
    content = bytes(clicked(files[name])).decode("utf-8-sig")  # type: ignore[arg-type]
    assert "鹿寨县" in content
    rows = [line for line in content.splitlines()[8:] if line.strip()]
    assert len(rows) > 1, "the file holds the ranking of the county's towns"
    after = exports_of(county_db, Action.EXPORT)
    assert len(after) == before + 1
    entry = after[0]
    assert entry.scope == f"county:{region_code(county_db, '鹿寨县')}"  # AppTest has no client address
    assert entry.detail["file"] == name and "鹿寨县" in str(entry.detail["place"]) and entry.detail["period"]


def test_the_briefing_is_audited_as_a_briefing(county_db: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    signed_in(county_db, monkeypatch, "analyst")
    name = next(name for name in files if name.endswith(".pdf"))
    asked: list[tuple[str, dict]] = []
    real = db.execute
    monkeypatch.setattr(db, "execute", lambda con, query, params=None, **kw: asked.append((query, dict(params or {})))
                        or real(con, query, params, **kw))
    st.cache_data.clear()  # the page's results are cached: the click must read afresh to be seen
    st.cache_resource.clear()
    assert bytes(clicked(files[name]))[:4] == b"%PDF"  # type: ignore[arg-type]
    scoped = {(params.get("scope_kind"), params.get("scope_code")) for query, params in asked if query not in db.UNSCOPED}
    assert scoped == {("county", region_code(county_db, "鹿寨县"))}, "the briefing read within the county"
    entry = exports_of(county_db, Action.BRIEFING)[0]
    assert entry.detail["file"] == name and "鹿寨县" in str(entry.detail["place"])


def test_the_word_report_and_slides_are_made_within_the_county_and_audited(
        county_db: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    signed_in(county_db, monkeypatch, "analyst", "pages/referrals.py")
    before = len(exports_of(county_db, Action.BRIEFING))
    for extension in ("docx", "pptx"):
        name = next(name for name in files if name.endswith(f".{extension}") and name.startswith("双向转诊"))
        assert "鹿寨县" in name
        assert bytes(clicked(files[name]))[:2] == b"PK"  # type: ignore[arg-type]
        entry = exports_of(county_db, Action.BRIEFING)[0]
        assert entry.detail["file"] == name and "鹿寨县" in str(entry.detail["place"])
        assert entry.scope == f"county:{region_code(county_db, '鹿寨县')}"
    assert len(exports_of(county_db, Action.BRIEFING)) == before + 2


def test_the_scorecard_workbook_is_audited(county_db: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    signed_in(county_db, monkeypatch, "analyst", "pages/public_health.py")
    before = len(exports_of(county_db, Action.EXPORT))
    name = next(name for name in files if name.endswith(".xlsx") and "公共卫生" in name)
    assert bytes(clicked(files[name]))[:2] == b"PK"  # type: ignore[arg-type]
    after = exports_of(county_db, Action.EXPORT)
    assert len(after) == before + 1 and after[0].detail["file"] == name


def test_the_data_template_lists_the_registry_and_is_audited(county_db: Path, files: Files,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from healthdash.ingest.template import FILE_NAME

    signed_in(county_db, monkeypatch, "officer", "pages/data.py")
    before = len(exports_of(county_db, Action.EXPORT, actor="officer"))
    assert bytes(clicked(files[FILE_NAME]))[:2] == b"PK"  # type: ignore[arg-type]
    after = exports_of(county_db, Action.EXPORT, actor="officer")
    assert len(after) == before + 1 and after[0].detail["file"] == FILE_NAME


def test_nothing_is_audited_before_a_click(county_db: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    before = len(exports_of(county_db, Action.EXPORT)) + len(exports_of(county_db, Action.BRIEFING))
    signed_in(county_db, monkeypatch, "analyst")
    assert files, "the page offered files"
    assert len(exports_of(county_db, Action.EXPORT)) + len(exports_of(county_db, Action.BRIEFING)) == before


def test_a_viewer_role_is_offered_no_files(county_db: Path, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(county_db, monkeypatch, "looker")
    assert at.metric, "the page shows its figures"
    assert not files

"""The data page's password lockout: five wrong passwords from anywhere lock it for everyone for 15
minutes, the right password included; every attempt is recorded beside the database.

The rules on healthdash.access.lockout with a given clock; then the page itself in two AppTest sessions (two
browsers, or one reloaded) sharing one database, and attempts from many threads at once.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.access import lockout, upload_guard
from healthdash.access.lockout import LOCK_SECONDS, MAX_FAILURES
from healthdash.ui import officer
from tests.support.app import open_data_page
from tests.support.load_world import build_tiny
from tests.support.officer import HASH, PASSWORD

T0 = 1_750_000_000.0  # a fixed "now" for the rules


def wrong() -> bool:
    return False


def right() -> bool:
    return True


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "health.duckdb"  # the record lives beside it; the rules never open the database


def records(db: Path) -> list[dict]:
    return json.loads(lockout.store_path(db).read_text(encoding="utf-8"))["failures"]


# ---------------------------------------------------------------------------------------------- the rules


def test_five_failures_lock_for_fifteen_minutes_even_the_right_password(db: Path) -> None:
    for n in range(MAX_FAILURES - 1):
        result = lockout.attempt(db, wrong, "10.0.0.1", now=T0 + n)
        assert not result.ok and result.locked_for == 0 and result.failures_left == MAX_FAILURES - 1 - n
    fifth = lockout.attempt(db, wrong, "10.0.0.2", now=T0 + 10)
    assert fifth.locked_for == LOCK_SECONDS == 15 * 60

    checked = []
    during = lockout.attempt(db, lambda: checked.append(1) or True, "10.0.0.3", now=T0 + 10 + 60)
    assert not during.ok and not checked, "the right password is not even checked while locked"
    assert during.locked_for == LOCK_SECONDS - 60
    assert lockout.locked_for(db, now=T0 + 10 + 60) == LOCK_SECONDS - 60

    after = lockout.attempt(db, right, "10.0.0.3", now=T0 + 10 + LOCK_SECONDS)
    assert after.ok and lockout.locked_for(db, now=T0 + 10 + LOCK_SECONDS) == 0


def test_failures_are_recorded_with_time_and_address_and_told_at_the_next_login(db: Path) -> None:
    lockout.attempt(db, wrong, "192.168.1.7", now=T0)
    lockout.attempt(db, wrong, None, now=T0 + 5)
    kept = records(db)
    assert [(item["at"], item["address"]) for item in kept] == [(T0, "192.168.1.7"), (T0 + 5, None)]
    assert all(item["time"].startswith("2025-") for item in kept), "a readable local time beside the number"

    login = lockout.attempt(db, right, "192.168.1.8", now=T0 + 9)
    assert [failure.address for failure in login.since_last_login] == ["192.168.1.7", None]
    assert lockout.attempt(db, right, "192.168.1.8", now=T0 + 20).since_last_login == [], "told once"
    assert len(records(db)) == 2, "a success is not a failure"


def test_a_success_starts_the_count_again_and_old_failures_expire(db: Path) -> None:
    for n in range(MAX_FAILURES - 1):
        lockout.attempt(db, wrong, None, now=T0 + n)
    lockout.attempt(db, right, None, now=T0 + 10)
    for n in range(MAX_FAILURES - 1):
        assert lockout.attempt(db, wrong, None, now=T0 + 20 + n).locked_for == 0
    # Four failures over 15 minutes ago and one now are not five within the window.
    late = lockout.attempt(db, wrong, None, now=T0 + 24 + LOCK_SECONDS)
    assert late.locked_for == 0 and late.failures_left == MAX_FAILURES - 1


def test_attempts_from_many_tabs_at_once_are_checked_one_at_a_time(db: Path) -> None:
    """36 guesses in parallel (six tabs, six each): only five are ever compared with the password."""
    checks = []

    def guess() -> bool:
        checks.append(1)
        return False

    threads = [threading.Thread(target=lockout.attempt, args=(db, guess, f"10.0.0.{n % 6}")) for n in range(36)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == MAX_FAILURES
    assert len(records(db)) == 36 and sum(item["while_locked"] for item in records(db)) == 36 - MAX_FAILURES
    assert lockout.locked_for(db) > LOCK_SECONDS - 60


# ---------------------------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("lockout-master") / "health.duckdb", kind="demo")


@pytest.fixture
def page_db(tiny_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(tiny_master, path)
    return path


def open_officer_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A new browser session on the data page (what a reload or another computer opens)."""
    monkeypatch.setattr(officer, "_FAILURE_DELAY_S", 0)  # the per-try pause is not what is tested here
    return open_data_page(db, monkeypatch, {"password_pbkdf2": HASH})


def submit(at: AppTest, password: str) -> AppTest:
    at.text_input(key="data_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_five_failures_in_one_session_lock_the_page_in_another(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = open_officer_page(page_db, monkeypatch)  # another computer, its form drawn before the lock
    first = open_officer_page(page_db, monkeypatch)
    for n in range(1, MAX_FAILURES):
        submit(first, f"guess-{n}")
        assert f"再错 {MAX_FAILURES - n} 次" in first.error[0].value
    submit(first, "guess-5")
    assert "已对所有人锁定 15 分钟" in first.error[0].value
    assert first.button[0].disabled

    submit(other, PASSWORD)
    assert not other.file_uploader, "the right password does not open it now"
    assert "已对所有人锁定" in other.error[0].value

    reloaded = open_officer_page(page_db, monkeypatch)
    message = reloaded.error[0].value
    assert re.search(r"请 1[45] 分 \d\d 秒后再试", message), "the time left, before anyone types"
    assert reloaded.button[0].disabled

    kept = records(page_db)
    assert len(kept) == MAX_FAILURES and all(item["time"] for item in kept), "every wrong password recorded"


def test_the_officer_hears_of_failed_attempts_after_unlocking(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stranger = open_officer_page(page_db, monkeypatch)
    submit(stranger, "guess")
    submit(stranger, "guess again")
    officer_tab = open_officer_page(page_db, monkeypatch)
    submit(officer_tab, PASSWORD)
    assert [box.key for box in officer_tab.file_uploader] == ["data_files_0", "boundary_file_0"]
    assert "2 次失败的密码尝试" in officer_tab.warning[0].value
    officer_tab.run()
    assert not any("失败的密码尝试" in box.value for box in officer_tab.warning), "said once"


def test_only_an_unlocked_session_is_allowed_to_upload(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_guard, "_allowed", set())
    at = open_officer_page(page_db, monkeypatch)
    assert not at.file_uploader, "a locked session has no uploader at all"
    assert not upload_guard._allowed
    submit(at, PASSWORD)
    assert [box.key for box in at.file_uploader] == ["data_files_0", "boundary_file_0"], "reports and boundaries"
    (session,) = upload_guard._allowed
    at.sidebar.button(key="data_lock").click().run()
    assert not at.file_uploader and not upload_guard.allowed(session), "locking again withdraws it"


def test_when_attempts_cannot_be_recorded_nothing_unlocks(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_officer_page(page_db, monkeypatch)

    def read_only(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(lockout, "_write", read_only)
    submit(at, PASSWORD)
    assert "无法记录登录尝试" in at.error[0].value and "Permission denied" in at.error[0].value
    assert not at.file_uploader

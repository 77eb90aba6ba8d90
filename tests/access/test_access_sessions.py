"""Server-side sessions, on SQLite and PostgreSQL: a reload or a new tab presents the token and needs no new
sign-in; a session ends 1 hour after the last request, 8 hours after the sign-in at the latest, at sign-out,
and when an admin disables the account or resets its password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from healthdash.access import accounts, audit, sessions, signin
from healthdash.access.audit import Action
from healthdash.access.config import AccessConfig
from healthdash.access.scope import Scope
from healthdash.access.store import Store, open_store
from tests.access.conftest import FAST, Clock

PASSWORD = "right-password"


@pytest.fixture
def token(store: Store) -> str:
    accounts.add_account(store, "zhang", "viewer", Scope("county", "K1"), PASSWORD, by="admin")
    accounts.add_account(store, "admin", "admin", Scope("province"), "admin-password", by="setup")
    result = signin.sign_in(store, "zhang", PASSWORD, "10.0.0.1")
    assert result.ok and result.token
    return result.token


def test_a_reload_or_a_new_tab_finds_the_session(store: Store, clock: Clock, token: str) -> None:
    first = sessions.current(store, token)
    clock.advance(20 * 60)
    reload = sessions.current(store, token)  # the same token, as the browser presents it again
    assert first is not None and reload is not None
    assert (reload.account.name, reload.account.scope, reload.address) == ("zhang", Scope("county", "K1"), "10.0.0.1")
    assert reload.last_seen_at == clock.now and reload.created_at == first.created_at
    assert [entry.action for entry in audit.entries(store, actor="zhang")] == [Action.SIGN_IN]  # no new sign-in


def test_an_hour_without_a_request_ends_the_session(store: Store, clock: Clock, token: str) -> None:
    clock.advance(59 * 60)
    assert sessions.current(store, token) is not None
    clock.advance(60 * 60)
    assert sessions.current(store, token) is None
    clock.advance(-30 * 60)  # ended for good, not merely out of time
    assert sessions.current(store, token) is None


def test_eight_hours_after_the_sign_in_the_session_ends_however_busy(store: Store, clock: Clock, token: str) -> None:
    for _ in range(15):  # a request every half hour for seven and a half hours
        clock.advance(30 * 60)
        assert sessions.current(store, token) is not None
    clock.advance(29 * 60)
    assert sessions.current(store, token) is not None
    clock.advance(60)
    assert sessions.current(store, token) is None


def test_the_timeouts_come_from_the_configuration(tmp_path: Path) -> None:
    clock = Clock()
    store = open_store(tmp_path / "health.duckdb", AccessConfig(session_hours=1, idle_minutes=5), clock=clock,
                       iterations=FAST)
    accounts.add_account(store, "zhang", "viewer", None, PASSWORD, by="admin")
    token = signin.sign_in(store, "zhang", PASSWORD, None).token
    clock.advance(4 * 60)
    assert sessions.current(store, token) is not None
    clock.advance(5 * 60)
    assert sessions.current(store, token) is None
    assert (tmp_path / "accounts.sqlite").exists()


def test_sign_out_ends_the_session_and_is_audited(store: Store, token: str) -> None:
    assert sessions.end(store, token, "10.0.0.1")
    assert sessions.current(store, token) is None
    assert not sessions.end(store, token, "10.0.0.1")  # a second sign-out has nothing to end
    out = audit.entries(store, action=Action.SIGN_OUT)
    assert [(entry.actor, entry.address, entry.scope) for entry in out] == [("zhang", "10.0.0.1", "county:K1")]


@pytest.mark.parametrize("token_given", [None, "", "not-a-token"])
def test_no_token_or_an_unknown_one_opens_nothing(store: Store, token: str, token_given: str | None) -> None:
    assert sessions.current(store, token_given) is None


def test_disabling_the_account_ends_its_sessions(store: Store, token: str) -> None:
    accounts.set_enabled(store, "zhang", False, by="admin")
    assert sessions.current(store, token) is None
    accounts.set_enabled(store, "zhang", True, by="admin")
    assert sessions.current(store, token) is None  # enabling again opens no old session


def test_a_password_reset_ends_its_sessions(store: Store, token: str) -> None:
    accounts.reset_password(store, "zhang", "new-first-password", by="admin")
    assert sessions.current(store, token) is None


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(store: Store, token: str) -> None:
    other = signin.sign_in(store, "zhang", PASSWORD, "10.0.0.2").token
    signin.change_password(store, "zhang", PASSWORD, "my-own-password", address="10.0.0.1", keep=token)
    assert sessions.current(store, token) is not None
    assert sessions.current(store, other) is None


def test_a_role_or_scope_change_reaches_an_open_session_at_once(store: Store, token: str) -> None:
    accounts.update_account(store, "zhang", role="analyst", scope=Scope("county", "K2"), by="admin")
    seen = sessions.current(store, token)
    assert (seen.account.role.value, seen.account.scope) == ("analyst", Scope("county", "K2"))


def test_the_store_keeps_only_a_hash_of_the_token(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite"
    store = Store(path, iterations=FAST)
    accounts.add_account(store, "zhang", "viewer", None, PASSWORD, by="admin")
    token = signin.sign_in(store, "zhang", PASSWORD, None).token
    with sqlite3.connect(path) as con:
        dump = "\n".join(con.iterdump())
    assert token not in dump and sessions.token_hash(token) in dump

"""A copy of a database with accounts of its own (their store beside it), and AppTest sessions signed in as
one of them, with sign-in required: what the tests of jurisdictions, roles and the admin page start from."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.access import accounts, signin
from healthdash.access.roles import Role
from healthdash.access.scope import Scope, file_reader
from healthdash.access.store import open_store
from tests.support.app import new_session

PASSWORD = "鹿寨-county-2026"
FAST = 1_000  # hashing iterations of the test accounts: a sign-in in milliseconds


def with_accounts(source: Path, path: Path, people: Iterable[tuple[str, Role, Scope | None]]) -> Path:
    """`source` copied to `path`, with `people` (name, role, jurisdiction) as accounts, all with PASSWORD."""
    shutil.copy(source, path)
    store = open_store(path, iterations=FAST)
    for name, role, scope in people:
        accounts.add_account(store, name, role, scope, PASSWORD, by="test", registry=file_reader(path),
                             must_change=False)
    store.close()
    return path


def signed_in(db: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> AppTest:
    """A new session, not yet run, already signed in as `name` (its token where a reload would find it)."""
    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    store = open_store(db, iterations=FAST)
    token = signin.sign_in(store, name, PASSWORD, "127.0.0.1").token
    store.close()
    at = new_session(db, monkeypatch)
    at.session_state["_account_token"] = token
    return at

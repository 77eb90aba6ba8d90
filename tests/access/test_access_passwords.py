"""Password hashes: salted and slow (PBKDF2-HMAC-SHA256 at 600,000 iterations), checked in constant time,
a minimum length, and a first password that must be changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from healthdash.access import accounts, passwords, signin
from healthdash.access.errors import AccessError
from healthdash.access.store import Store
from tests.access.conftest import FAST, Clock


def test_a_hash_names_its_algorithm_cost_and_salt_and_never_holds_the_password() -> None:
    stored = passwords.hash_password("correct horse battery")
    algorithm, iterations, salt, digest = stored.split("$")
    assert (algorithm, int(iterations)) == ("pbkdf2_sha256", passwords.ITERATIONS)
    assert passwords.ITERATIONS >= 600_000
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert "correct horse" not in stored
    # A new salt each time: two accounts with one password do not share a hash.
    assert passwords.hash_password("correct horse battery") != stored


def test_only_the_right_password_verifies() -> None:
    stored = passwords.hash_password("correct horse battery", iterations=FAST)
    assert passwords.verify_password("correct horse battery", stored)
    assert not passwords.verify_password("correct horse batterY", stored)
    assert not passwords.verify_password("", stored)


@pytest.mark.parametrize("stored", ["", "plain text", "sha256$1000$00$00", "pbkdf2_sha256$x$00$00",
                                    "pbkdf2_sha256$1000$$" + "00" * 32, "pbkdf2_sha256$1000$0011$abcd"])
def test_a_malformed_stored_value_never_verifies(stored: str) -> None:
    assert not passwords.verify_password("anything at all", stored)
    assert passwords.needs_rehash(stored)


def test_digests_are_compared_with_hmac_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = passwords.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    stored = passwords.hash_password("correct horse battery", iterations=FAST)
    assert not passwords.verify_password("wrong horse battery", stored)
    assert passwords.verify_password("correct horse battery", stored)
    assert len(compared) == 2 and all(len(a) == len(b) == 32 for a, b in compared)


def test_a_store_hashes_at_the_full_cost_unless_told_otherwise(tmp_path: Path) -> None:
    store = Store(tmp_path / "accounts.sqlite")
    accounts.add_account(store, "zhang", "viewer", None, "0123456789", by="test")
    store.close()
    with sqlite3.connect(tmp_path / "accounts.sqlite") as con:
        (stored,) = con.execute("select password_hash from account where name = 'zhang'").fetchone()
    assert passwords.iterations_of(stored) == passwords.ITERATIONS


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_a_short_password_is_refused_in_chinese_and_nothing_is_added(password: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "accounts.sqlite", iterations=FAST)
    with pytest.raises(AccessError) as refused:
        accounts.add_account(store, "zhang", "viewer", None, password, by="test")
    assert refused.value.zh == f"密码至少需要 {passwords.MIN_LENGTH} 个字符。"
    assert accounts.list_accounts(store) == []
    accounts.add_account(store, "zhang", "viewer", None, "1234567890", by="test")  # ten is enough
    assert [account.name for account in accounts.list_accounts(store)] == ["zhang"]


def test_the_first_password_must_be_changed_and_then_no_longer(tmp_path: Path) -> None:
    store = Store(tmp_path / "accounts.sqlite", iterations=FAST, clock=Clock())
    accounts.add_account(store, "zhang", "viewer", None, "first-password", by="admin")
    first = signin.sign_in(store, "zhang", "first-password", "10.1.1.1")
    assert first.ok and first.must_change
    assert "请先设置新密码" in first.message()
    with pytest.raises(AccessError, match="至少需要"):
        signin.change_password(store, "zhang", "first-password", "short", address="10.1.1.1")
    with pytest.raises(AccessError, match="不能与当前密码相同"):
        signin.change_password(store, "zhang", "first-password", "first-password", address="10.1.1.1")
    with pytest.raises(AccessError, match="当前密码不正确"):
        signin.change_password(store, "zhang", "not-the-password", "my-own-password", address="10.1.1.1")
    assert accounts.get_account(store, "zhang").must_change  # refused changes changed nothing
    signin.change_password(store, "zhang", "first-password", "my-own-password", address="10.1.1.1")
    assert not accounts.get_account(store, "zhang").must_change
    assert not signin.sign_in(store, "zhang", "first-password", "10.1.1.1").ok
    again = signin.sign_in(store, "zhang", "my-own-password", "10.1.1.1")
    assert again.ok and not again.must_change
    # An admin's reset is a first password again.
    accounts.reset_password(store, "zhang", "reset-by-admin", by="admin")
    assert signin.sign_in(store, "zhang", "reset-by-admin", "10.1.1.1").must_change


def test_a_hash_made_at_a_lower_cost_is_renewed_at_the_next_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "accounts.sqlite"
    accounts.add_account(Store(path, iterations=FAST), "zhang", "viewer", None, "0123456789", by="test")
    stronger = Store(path, iterations=2 * FAST, clock=Clock())
    assert signin.sign_in(stronger, "zhang", "0123456789", None).ok
    with sqlite3.connect(path) as con:
        (stored,) = con.execute("select password_hash from account").fetchone()
    assert passwords.iterations_of(stored) == 2 * FAST
    assert signin.sign_in(stronger, "zhang", "0123456789", None).ok


def test_random_passwords_are_long_enough_and_differ() -> None:
    made = {passwords.random_password() for _ in range(50)}
    assert len(made) == 50 and all(len(password) >= passwords.MIN_LENGTH for password in made)

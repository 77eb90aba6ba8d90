"""Sign-in with lockout, on SQLite and PostgreSQL: five wrong passwords lock the account for 15 minutes
(the right password too is refused meanwhile), an address that keeps failing is slowed down, and a name
without an account is answered like a wrong password."""

from __future__ import annotations

import pytest

from healthdash.access import accounts, audit, signin
from healthdash.access.audit import Action
from healthdash.access.scope import Scope
from healthdash.access.store import Store
from tests.access.conftest import Clock

PASSWORD = "right-password"


@pytest.fixture
def zhang(store: Store) -> str:
    accounts.add_account(store, "zhang", "viewer", Scope("county", "K1"), PASSWORD, by="admin")
    return "zhang"


def reasons(store: Store) -> list[tuple[str, str | None]]:
    """(action, reason) of the audit rows, oldest first."""
    return [(entry.action.value, entry.detail.get("reason")) for entry in reversed(audit.entries(store))
            if entry.action is not Action.ACCOUNT_CHANGE]


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(store: Store, clock: Clock, zhang: str) -> None:
    for left in (4, 3, 2, 1):
        result = signin.sign_in(store, zhang, "wrong-password", None)
        assert (result.outcome, result.failures_left) == ("wrong", left)
        assert result.message() == "账户名或密码不正确。连续输错 5 次，账户将锁定 15 分钟。"
        clock.advance(30)
    fifth = signin.sign_in(store, zhang, "wrong-password", None)
    assert (fifth.outcome, fifth.wait_seconds) == ("locked", 900)
    assert fifth.message() == "该账户因连续 5 次密码错误已被锁定，请 15 分 00 秒后再试，或请管理员解锁。"

    clock.advance(14 * 60 + 59)
    refused = signin.sign_in(store, zhang, PASSWORD, None)  # the right password, unchecked while locked
    assert (refused.outcome, refused.token) == ("locked", None)
    assert "请 0 分 01 秒后再试" in refused.message()
    assert accounts.get_account(store, zhang).locked(clock.now)

    clock.advance(1)
    assert signin.sign_in(store, zhang, PASSWORD, None).ok
    assert reasons(store) == [("sign_in_failed", "wrong")] * 5 + [("lockout", None), ("sign_in_failed", "locked"),
                                                                   ("sign_in", None)]


def test_after_the_lock_the_count_starts_afresh(store: Store, clock: Clock, zhang: str) -> None:
    for _ in range(5):
        signin.sign_in(store, zhang, "wrong-password", None)
    clock.advance(15 * 60)
    first_after = signin.sign_in(store, zhang, "wrong-password", None)
    assert (first_after.outcome, first_after.failures_left) == ("wrong", 4)


def test_failures_older_than_fifteen_minutes_no_longer_count(store: Store, clock: Clock, zhang: str) -> None:
    for _ in range(4):
        signin.sign_in(store, zhang, "wrong-password", None)
    clock.advance(15 * 60 + 1)
    for _ in range(4):
        assert signin.sign_in(store, zhang, "wrong-password", None).outcome == "wrong"
    assert not accounts.get_account(store, zhang).locked(clock.now)


def test_a_right_password_clears_the_count(store: Store, zhang: str) -> None:
    for _ in range(4):
        signin.sign_in(store, zhang, "wrong-password", None)
    assert signin.sign_in(store, zhang, PASSWORD, None).ok
    results = [signin.sign_in(store, zhang, "wrong-password", None).outcome for _ in range(4)]
    assert results == ["wrong"] * 4


def test_an_admin_lifts_a_lock_early(store: Store, zhang: str) -> None:
    for _ in range(5):
        signin.sign_in(store, zhang, "wrong-password", None)
    assert signin.sign_in(store, zhang, PASSWORD, None).outcome == "locked"
    accounts.unlock(store, zhang, by="admin", address="10.0.0.9")
    assert signin.sign_in(store, zhang, PASSWORD, None).ok
    change = audit.entries(store, action=Action.ACCOUNT_CHANGE)[0]
    assert (change.actor, change.address, change.detail) == ("admin", "10.0.0.9", {"change": "unlock", "account": zhang})


def test_a_name_without_an_account_is_answered_like_a_wrong_password(store: Store, zhang: str) -> None:
    unknown = signin.sign_in(store, "nobody", PASSWORD, "10.0.0.7")
    wrong = signin.sign_in(store, zhang, "wrong-password", "10.0.0.7")
    assert (unknown.outcome, unknown.message()) == (wrong.outcome, wrong.message())
    failed = audit.entries(store, action=Action.SIGN_IN_FAILED)
    assert [(entry.actor, entry.detail["name"], entry.detail["reason"]) for entry in failed] == [
        (zhang, zhang, "wrong"), (None, "nobody", "unknown")]


def test_names_are_not_case_sensitive(store: Store, zhang: str) -> None:
    assert signin.sign_in(store, " Zhang ", PASSWORD, None).ok


def test_a_disabled_account_cannot_sign_in_even_with_the_right_password(store: Store, zhang: str) -> None:
    accounts.add_account(store, "admin", "admin", Scope("province"), "admin-password", by="setup")
    accounts.set_enabled(store, zhang, False, by="admin")
    result = signin.sign_in(store, zhang, PASSWORD, None)
    assert (result.outcome, result.token, result.message()) == ("disabled", None, "该账户已停用，请联系管理员。")
    accounts.set_enabled(store, zhang, True, by="admin")
    assert signin.sign_in(store, zhang, PASSWORD, None).ok


def test_an_address_that_keeps_failing_waits_longer_each_time(store: Store, clock: Clock, zhang: str) -> None:
    address = "203.0.113.5"
    for number in range(signin.ADDRESS_FREE_FAILURES):  # guessing names: no account is ever locked
        assert signin.sign_in(store, f"guess{number}", "whatever-pw", address).outcome == "wrong"
    slowed = signin.sign_in(store, zhang, PASSWORD, address)  # even the right password waits
    assert (slowed.outcome, slowed.wait_seconds) == ("slow_down", 1.0)
    assert slowed.message() == "此地址登录失败次数过多，请 1 秒后再试。"
    assert signin.sign_in(store, zhang, PASSWORD, "198.51.100.1").ok  # another address is not slowed
    clock.advance(1)
    assert signin.sign_in(store, "guess-again", "whatever-pw", address).outcome == "wrong"
    assert signin.sign_in(store, zhang, PASSWORD, address).wait_seconds == 2.0
    clock.advance(2)
    assert signin.sign_in(store, zhang, PASSWORD, address).ok
    clock.advance(signin.WINDOW_SECONDS)
    assert signin.sign_in(store, "guess-later", "whatever-pw", address).outcome == "wrong"  # forgotten


def test_the_address_delay_doubles_up_to_a_cap() -> None:
    free = signin.ADDRESS_FREE_FAILURES
    assert [signin.address_delay(free - 1 + step) for step in range(5)] == [0, 1, 2, 4, 8]
    assert signin.address_delay(free + 50) == signin.ADDRESS_MAX_DELAY


def test_a_wrong_current_password_counts_towards_the_lock(store: Store, zhang: str) -> None:
    from healthdash.access.errors import AccessError

    for _ in range(4):
        with pytest.raises(AccessError, match="当前密码不正确"):
            signin.change_password(store, zhang, "wrong-password", "new-password-1", address=None)
    with pytest.raises(AccessError, match="已锁定"):
        signin.change_password(store, zhang, "wrong-password", "new-password-1", address=None)
    assert signin.sign_in(store, zhang, PASSWORD, None).outcome == "locked"

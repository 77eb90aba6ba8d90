"""Sign-in with lockout: five wrong passwords lock an account for 15 minutes, and an address that keeps
failing is slowed down. Both counts live in the account store, so every server process shares them.

An attempt is counted before the password is checked (an UPDATE that only succeeds while the account is
unlocked and has fewer than MAX_FAILURES recent failures): many guesses sent at once from many tabs or
processes cannot all slip past the count while the slow hash runs. A right password then clears the count;
the fifth wrong one locks. While locked, every password is refused unchecked, the right one too.

A name without an account costs the same hash and gets the same answer as a wrong password, so neither
the time nor the text tells which names exist. The address's count (any name) starts slowing it after
ADDRESS_FREE_FAILURES failures within the window: each further attempt must wait twice as long as the
last, up to ADDRESS_MAX_DELAY seconds; an attempt sooner is refused unchecked. Behind a reverse proxy every
user may share the proxy's address, hence a free allowance and a cap rather than a lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from healthdash.access import accounts, audit, passwords, sessions
from healthdash.access.accounts import Account
from healthdash.access.audit import Action
from healthdash.access.errors import AccessError
from healthdash.access.store import Store, Tx, seconds_of, stamp
from healthdash.core.i18n import t

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
WINDOW_SECONDS = 15 * 60      # failures older than this no longer count
ADDRESS_FREE_FAILURES = 10  # more than an account allows: one person locking themselves is not slowed
ADDRESS_MAX_DELAY = 60.0

_RECENT = "(case when last_failure_at > :window_start then failures else 0 end)"


@dataclass(frozen=True)
class SignIn:
    """What came of one attempt. `outcome`: 'ok', 'wrong' (or no such account), 'locked', 'disabled',
    'slow_down' (this address must wait)."""

    outcome: str
    account: Account | None = None
    token: str | None = None
    failures_left: int = 0      # after 'wrong', for a name that has an account
    wait_seconds: float = 0.0   # 'locked': until the lock ends; 'slow_down': until the address may try

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def must_change(self) -> bool:
        """Signed in with a first password: set a new one before anything else."""
        return self.ok and self.account is not None and self.account.must_change

    def message(self, lang: str = "zh") -> str:
        """What to tell the person at the form."""
        if self.outcome == "ok":
            return t("access.signin.must_change" if self.must_change else "access.signin.ok", lang=lang)
        if self.outcome == "wrong":
            return t("access.signin.wrong", lang=lang, max=MAX_FAILURES, minutes=LOCK_SECONDS // 60)
        if self.outcome == "locked":
            return t("access.signin.locked", lang=lang, max=MAX_FAILURES, wait=wait_text(self.wait_seconds, lang))
        if self.outcome == "slow_down":
            return t("access.signin.slow_down", lang=lang, seconds=math.ceil(self.wait_seconds))
        return t("access.signin.disabled", lang=lang)


def wait_text(seconds: float, lang: str = "zh") -> str:
    """'14 分 05 秒': a wait rounded up to the second."""
    minutes, rest = divmod(math.ceil(seconds), 60)
    return t("access.signin.wait", lang=lang, minutes=minutes, seconds=f"{rest:02d}")


def sign_in(store: Store, name: str, password: str, address: str | None) -> SignIn:
    """Check `password` for the account `name`, counting failures; on success a new session (its token
    in the result). Every outcome writes its audit row."""
    key = name.strip().lower()
    wait = _address_wait(store, address)
    if wait > 0:
        _failed(store, None, key, address, "slow_down")
        return SignIn("slow_down", wait_seconds=wait)
    reserved, account, stored = _reserve(store, key)
    if account is None:
        passwords.dummy_verify(password, store.iterations)
        _address_failed(store, address)
        _failed(store, None, key, address, "unknown")
        return SignIn("wrong")
    if reserved is None:
        left = (account.locked_until or store.now() + LOCK_SECONDS) - store.now()
        _failed(store, account, key, address, "locked")
        return SignIn("locked", account=account, wait_seconds=max(left, 1.0))
    if passwords.verify_password(password, stored):
        return _succeeded(store, account, password, stored, address)
    _address_failed(store, address)
    if reserved >= MAX_FAILURES:
        return _lock(store, account, address)
    _failed(store, account, key, address, "wrong", failures=reserved)
    return SignIn("wrong", account=account, failures_left=MAX_FAILURES - reserved)


def _reserve(store: Store, key: str) -> tuple[int | None, Account | None, str]:
    """Count one attempt against the account before the check: (failures now counted, the account, its
    stored hash), or (None, the account, "") when it is locked, or (None, None, "") when there is none."""
    now = store.now()
    with store.transaction() as tx:
        row = tx.one(
            f"update account set failures = {_RECENT} + 1, last_failure_at = :now "
            f"where name = :name and (locked_until is null or locked_until <= :now) and {_RECENT} < :max "
            "returning failures, password_hash",
            {"now": stamp(now), "window_start": stamp(now - WINDOW_SECONDS), "name": key, "max": MAX_FAILURES},
        )
        account = accounts.read(tx, key)
    if row is None:
        return None, account, ""
    return int(row["failures"]), account, str(row["password_hash"])  # type: ignore[call-overload]


def _succeeded(store: Store, account: Account, password: str, stored: str, address: str | None) -> SignIn:
    # Hashed at an older (lower) cost: hashed again at today's, now that the password is known (before the
    # write transaction, which the slow hash would otherwise hold).
    renewed = (passwords.hash_password(password, iterations=store.iterations)
               if account.enabled and passwords.needs_rehash(stored, store.iterations) else None)
    with store.transaction() as tx:
        tx.run("update account set failures = 0, last_failure_at = null where name = :name", {"name": account.name})
        if not account.enabled:
            _write_failed(tx, account, account.name, address, "disabled")
            return SignIn("disabled", account=account)
        if renewed is not None:
            tx.run("update account set password_hash = :new where name = :name and password_hash = :old",
                   {"new": renewed, "old": stored, "name": account.name})
        token = sessions.start(tx, account.name, address)
        audit.write(tx, Action.SIGN_IN, actor=account.name, address=address, scope=_scope(account),
                    detail={"must_change": account.must_change})
    return SignIn("ok", account=account, token=token)


def _lock(store: Store, account: Account, address: str | None) -> SignIn:
    now = store.now()
    with store.transaction() as tx:
        tx.run("update account set locked_until = :until, failures = 0, last_failure_at = null where name = :name",
               {"until": stamp(now + LOCK_SECONDS), "name": account.name})
        _write_failed(tx, account, account.name, address, "wrong", failures=MAX_FAILURES)
        audit.write(tx, Action.LOCKOUT, actor=account.name, address=address, scope=_scope(account),
                    detail={"failures": MAX_FAILURES, "minutes": LOCK_SECONDS // 60})
    return SignIn("locked", account=account, wait_seconds=float(LOCK_SECONDS))


def _failed(store: Store, account: Account | None, key: str, address: str | None, reason: str,
            **detail: object) -> None:
    with store.transaction() as tx:
        _write_failed(tx, account, key, address, reason, **detail)


def _write_failed(tx: Tx, account: Account | None, key: str, address: str | None, reason: str,
                  **detail: object) -> None:
    # A name without an account goes into the detail only: actor names accounts.
    audit.write(tx, Action.SIGN_IN_FAILED, actor=account.name if account else None, address=address,
                scope=_scope(account), detail={"name": key, "reason": reason, **detail})


def _scope(account: Account | None) -> str | None:
    return None if account is None or account.scope is None else account.scope.text


# ------------------------------------------------------------------------------------------ addresses
def _address_wait(store: Store, address: str | None) -> float:
    """Seconds this address must still wait before its next attempt (0: it may try now)."""
    if not address:
        return 0.0
    now = store.now()
    with store.transaction(write=False) as tx:
        row = tx.one("select failures, last_failure_at from address_attempt where address = :address",
                     {"address": address})
    if row is None:
        return 0.0
    last = float(seconds_of(str(row["last_failure_at"])) or 0.0)
    failures = int(row["failures"])  # type: ignore[call-overload]
    if now - last >= WINDOW_SECONDS or failures < ADDRESS_FREE_FAILURES:
        return 0.0
    return max(0.0, last + address_delay(failures) - now)


def address_delay(failures: int) -> float:
    """How long an address waits after its `failures`-th recent failure: 1, 2, 4 … seconds once the free
    allowance is used, never more than ADDRESS_MAX_DELAY."""
    if failures < ADDRESS_FREE_FAILURES:
        return 0.0
    return min(ADDRESS_MAX_DELAY, 2.0 ** (failures - ADDRESS_FREE_FAILURES))


def _address_failed(store: Store, address: str | None) -> None:
    if not address:
        return
    now = store.now()
    with store.transaction() as tx:
        tx.run(
            "insert into address_attempt (address, failures, last_failure_at) values (:address, 1, :now) "
            "on conflict (address) do update set "
            "failures = case when address_attempt.last_failure_at > :window_start "
            "then address_attempt.failures + 1 else 1 end, last_failure_at = :now",
            {"address": address, "now": stamp(now), "window_start": stamp(now - WINDOW_SECONDS)},
        )


# -------------------------------------------------------------------------------------- own password
def change_password(store: Store, name: str, current: str, new: str, *, address: str | None,
                    keep: str | None = None) -> Account:
    """The account sets its own password (after a first sign-in, or whenever): the current one must be
    right (a wrong one counts towards the lock like a sign-in), the new one long enough and different.
    Clears the must-change flag; every session of the account but `keep` (the token of the one making the
    change) ends."""
    passwords.check_policy(new)
    if new == current:
        raise AccessError("password_same")
    key = name.strip().lower()
    reserved, account, stored = _reserve(store, key)
    if account is None:
        raise AccessError("name_unknown", name=name)
    if reserved is None:
        raise AccessError("password_locked", wait=wait_text((account.locked_until or store.now()) - store.now()))
    if not passwords.verify_password(current, stored):
        if reserved >= MAX_FAILURES:
            _lock(store, account, address)
            raise AccessError("password_locked", wait=wait_text(LOCK_SECONDS))
        _failed(store, account, key, address, "wrong_current", failures=reserved)
        raise AccessError("password_wrong_current")
    hashed = passwords.hash_password(new, iterations=store.iterations)
    with store.transaction() as tx:
        tx.run("update account set password_hash = :hash, must_change = 0, failures = 0, last_failure_at = null, "
               "updated_at = :now, password_changed_at = :now where name = :name",
               {"hash": hashed, "now": stamp(store.now()), "name": key})
        tx.run("update session set ended_at = :now where account = :name and ended_at is null "
               "and token_hash <> :keep", {"now": stamp(store.now()), "name": key,
                                           "keep": sessions.token_hash(keep) if keep else ""})
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=key, address=address, scope=_scope(account),
                    detail={"change": "own_password", "account": key})
        changed = accounts.read(tx, key)
    if changed is None:
        raise AccessError("name_unknown", name=name)
    return changed

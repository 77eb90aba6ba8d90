"""Accounts: add, list, disable, reset, change role or scope. Every change writes its audit row in the same
transaction, with who made it (`by`) and from where.

Names are kept in lower case (Zhang and zhang are one account). A password an admin sets (a new account,
a reset) is a first password: the account must set its own at the next sign-in (`must_change`). The last
enabled province admin cannot be disabled, demoted or narrowed, so someone can always manage accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from healthdash.access import audit, passwords
from healthdash.access.audit import Action
from healthdash.access.errors import AccessError
from healthdash.access.roles import Role, parse_role
from healthdash.access.scope import PROVINCE, Reader, Scope, check_scope, scope_or_none
from healthdash.access.store import Store, Tx, seconds_of, stamp

_NAME = re.compile(r"^[\w.@-]{2,64}$")
_COLUMNS = "name, role, scope, enabled, must_change, locked_until, created_at, updated_at"


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    scope: Scope | None
    enabled: bool
    must_change: bool
    locked_until: float | None
    created_at: float
    updated_at: float

    def locked(self, now: float) -> bool:
        return self.locked_until is not None and self.locked_until > now


def from_row(row: dict[str, object]) -> Account:
    return Account(
        name=str(row["name"]),
        role=Role(str(row["role"])),
        scope=scope_or_none(_text(row["scope"])),
        enabled=bool(row["enabled"]),
        must_change=bool(row["must_change"]),
        locked_until=seconds_of(_text(row["locked_until"])),
        created_at=float(seconds_of(str(row["created_at"])) or 0.0),
        updated_at=float(seconds_of(str(row["updated_at"])) or 0.0),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def normalize_name(name: str) -> str:
    """The stored form of a sign-in name; AccessError when it is not one."""
    word = name.strip().lower()
    if not _NAME.match(word):
        raise AccessError("name_invalid", name=name)
    return word


def get_account(store: Store, name: str) -> Account | None:
    with store.transaction(write=False) as tx:
        return read(tx, name)


def list_accounts(store: Store) -> list[Account]:
    with store.transaction(write=False) as tx:
        return [from_row(row) for row in tx.all(f"select {_COLUMNS} from account order by name")]


def read(tx: Tx, name: str) -> Account | None:
    """The account `name` as the caller's transaction sees it."""
    row = tx.one(f"select {_COLUMNS} from account where name = :name", {"name": name.strip().lower()})
    return from_row(row) if row else None


def _existing(tx: Tx, name: str) -> Account:
    account = read(tx, name)
    if account is None:
        raise AccessError("name_unknown", name=name)
    return account


def _checked(scope: Scope | None, registry: Reader | None) -> None:
    if scope is not None and registry is not None:
        check_scope(registry, scope)


def add_account(
    store: Store,
    name: str,
    role: Role | str,
    scope: Scope | None,
    password: str,
    *,
    by: str | None,
    address: str | None = None,
    registry: Reader | None = None,
    must_change: bool = True,
) -> Account:
    """A new account. `registry` (the dashboard database) checks that the scope exists; `scope` None gives
    an account that sees nothing until an admin sets one."""
    name = normalize_name(name)
    role = parse_role(role) if not isinstance(role, Role) else role
    passwords.check_policy(password)
    _checked(scope, registry)
    hashed = passwords.hash_password(password, iterations=store.iterations)
    with store.transaction() as tx:
        now = stamp(store.now())
        added = tx.all(
            "insert into account (name, role, scope, password_hash, must_change, enabled, failures, "
            "created_at, updated_at, password_changed_at) "
            "values (:name, :role, :scope, :hash, :must_change, 1, 0, :now, :now, :now) "
            "on conflict (name) do nothing returning name",
            {"name": name, "role": role.value, "scope": None if scope is None else scope.text, "hash": hashed,
             "must_change": int(must_change), "now": now},
        )
        if not added:
            raise AccessError("name_taken", name=name)
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=by, address=address, scope=None,
                    detail={"change": "add", "account": name, "role": role.value,
                            "scope": None if scope is None else scope.text})
        return _existing(tx, name)


_UNCHANGED = Scope("unchanged")


def update_account(
    store: Store,
    name: str,
    *,
    role: Role | str | None = None,
    scope: Scope | None = _UNCHANGED,
    by: str | None,
    address: str | None = None,
    registry: Reader | None = None,
) -> Account:
    """Change the role and/or the scope (None: no jurisdiction). Open sessions see the change on their
    next request: a session reads its account afresh every time."""
    new_role = None if role is None else (parse_role(role) if not isinstance(role, Role) else role)
    if scope is not _UNCHANGED:
        _checked(scope, registry)
    with store.transaction() as tx:
        before = _existing(tx, name)
        after_role = new_role or before.role
        after_scope = before.scope if scope is _UNCHANGED else scope
        _keep_an_admin(tx, before, after_role, after_scope, before.enabled)
        tx.run("update account set role = :role, scope = :scope, updated_at = :now where name = :name",
               {"role": after_role.value, "scope": None if after_scope is None else after_scope.text,
                "now": stamp(store.now()), "name": before.name})
        change: dict[str, object] = {"change": "update", "account": before.name}
        if after_role != before.role:
            change["role"] = [before.role.value, after_role.value]
        if after_scope != before.scope:
            change["scope"] = [_scope_text(before.scope), _scope_text(after_scope)]
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=by, address=address, scope=None, detail=change)
        return _existing(tx, before.name)


def _scope_text(scope: Scope | None) -> str | None:
    return None if scope is None else scope.text


def set_enabled(store: Store, name: str, enabled: bool, *, by: str | None, address: str | None = None) -> Account:
    """Disable (and end every session of) or enable an account."""
    with store.transaction() as tx:
        before = _existing(tx, name)
        _keep_an_admin(tx, before, before.role, before.scope, enabled)
        tx.run("update account set enabled = :enabled, updated_at = :now where name = :name",
               {"enabled": int(enabled), "now": stamp(store.now()), "name": before.name})
        if not enabled:
            end_sessions(tx, before.name)
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=by, address=address, scope=None,
                    detail={"change": "enable" if enabled else "disable", "account": before.name})
        return _existing(tx, before.name)


def reset_password(store: Store, name: str, password: str, *, by: str | None, address: str | None = None,
                   must_change: bool = True) -> Account:
    """Set a new first password (the account must change it at its next sign-in, unless `must_change` is
    False: the demo's samples), lift a lock and end the account's sessions."""
    passwords.check_policy(password)
    hashed = passwords.hash_password(password, iterations=store.iterations)
    with store.transaction() as tx:
        before = _existing(tx, name)
        now = stamp(store.now())
        tx.run("update account set password_hash = :hash, must_change = :must_change, failures = 0, "
               "last_failure_at = null, locked_until = null, updated_at = :now, password_changed_at = :now "
               "where name = :name", {"hash": hashed, "must_change": int(must_change), "now": now, "name": before.name})
        end_sessions(tx, before.name)
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=by, address=address, scope=None,
                    detail={"change": "reset_password", "account": before.name})
        return _existing(tx, before.name)


def unlock(store: Store, name: str, *, by: str | None, address: str | None = None) -> Account:
    """Lift a lockout before its 15 minutes are over."""
    with store.transaction() as tx:
        before = _existing(tx, name)
        tx.run("update account set failures = 0, last_failure_at = null, locked_until = null, updated_at = :now "
               "where name = :name", {"now": stamp(store.now()), "name": before.name})
        audit.write(tx, Action.ACCOUNT_CHANGE, actor=by, address=address, scope=None,
                    detail={"change": "unlock", "account": before.name})
        return _existing(tx, before.name)


def end_sessions(tx: Tx, name: str) -> int:
    """End every open session of the account; how many there were."""
    return tx.run("update session set ended_at = :now where account = :name and ended_at is null",
                  {"now": stamp(tx.store.now()), "name": name})


def _keep_an_admin(tx: Tx, before: Account, role: Role, scope: Scope | None, enabled: bool) -> None:
    """Refuse a change that leaves no enabled province admin (nobody could manage accounts any more)."""
    was = before.enabled and before.role is Role.ADMIN and before.scope == PROVINCE
    stays = enabled and role is Role.ADMIN and scope == PROVINCE
    if not was or stays:
        return
    others = tx.one("select count(*) as n from account where role = 'admin' and scope = 'province' "
                    "and enabled = 1 and name <> :name", {"name": before.name})
    if not others or not int(others["n"]):  # type: ignore[call-overload]
        raise AccessError("last_admin", name=before.name)

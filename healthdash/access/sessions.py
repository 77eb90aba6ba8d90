"""Server-side sessions: a random token (kept by the browser: a cookie or similar) names a row in the store
that says which account signed in, when, and when it was last seen. A reload or a new tab presents the
token and needs no new sign-in while the session lasts: at most `store.session_seconds` (8 hours) after the
sign-in, and `store.idle_seconds` (1 hour) after the last request. Sign-out, disabling the account or
resetting its password ends it. The store keeps only the token's SHA-256, so a copy of the store opens
no session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from healthdash.access import audit
from healthdash.access.accounts import Account, from_row
from healthdash.access.audit import Action
from healthdash.access.store import Store, Tx, seconds_of, stamp

TOUCH_SECONDS = 60.0  # last_seen is written at most once a minute per session: a rerun need not write
KEEP_SECONDS = 30 * 24 * 3600  # ended or expired sessions are deleted after a month


@dataclass(frozen=True)
class Session:
    token: str
    account: Account
    address: str | None
    created_at: float
    last_seen_at: float


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(tx: Tx, name: str, address: str | None) -> str:
    """A new session for the account `name`, inside the caller's transaction (the sign-in's); its token."""
    token = secrets.token_urlsafe(32)
    now = tx.store.now()
    tx.run("delete from session where last_seen_at < :old", {"old": stamp(now - KEEP_SECONDS)})
    tx.run("insert into session (token_hash, account, address, created_at, last_seen_at) "
           "values (:hash, :name, :address, :now, :now)",
           {"hash": token_hash(token), "name": name, "address": address, "now": stamp(now)})
    return token


def current(store: Store, token: str | None) -> Session | None:
    """The live session `token` names, its last-seen time brought up to now; None when there is none, it
    has ended or expired (absolute or idle timeout), or its account is disabled."""
    if not token:
        return None
    hashed = token_hash(token)
    with store.transaction(write=False) as tx:  # most requests only read: no write lock per rerun
        row = tx.one(
            "select s.address as session_address, s.created_at as session_created, s.last_seen_at, "
            "a.name, a.role, a.scope, a.enabled, a.must_change, a.locked_until, a.created_at, a.updated_at "
            "from session s join account a on a.name = s.account "
            "where s.token_hash = :hash and s.ended_at is null",
            {"hash": hashed},
        )
    if row is None:
        return None
    now = store.now()
    created = float(seconds_of(str(row["session_created"])) or 0.0)
    last_seen = float(seconds_of(str(row["last_seen_at"])) or 0.0)
    expired = now - created >= store.session_seconds or now - last_seen >= store.idle_seconds
    if expired or not row["enabled"]:
        with store.transaction() as tx:
            tx.run("update session set ended_at = :now where token_hash = :hash", {"now": stamp(now), "hash": hashed})
        return None
    if now - last_seen >= TOUCH_SECONDS:
        with store.transaction() as tx:
            tx.run("update session set last_seen_at = :now where token_hash = :hash and ended_at is null",
                   {"now": stamp(now), "hash": hashed})
        last_seen = now
    return Session(token, from_row(row), _text(row["session_address"]), created, last_seen)


def end(store: Store, token: str | None, address: str | None) -> bool:
    """Sign out: end the session `token` names (audited); False when it was not open."""
    if not token:
        return False
    with store.transaction() as tx:
        row = tx.one("select s.account, a.scope from session s join account a on a.name = s.account "
                     "where s.token_hash = :hash and s.ended_at is null", {"hash": token_hash(token)})
        if row is None:
            return False
        tx.run("update session set ended_at = :now where token_hash = :hash",
               {"now": stamp(store.now()), "hash": token_hash(token)})
        audit.write(tx, Action.SIGN_OUT, actor=str(row["account"]), address=address, scope=_text(row["scope"]))
        return True


def _text(value: object) -> str | None:
    return None if value is None else str(value)

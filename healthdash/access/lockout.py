"""Password attempts on the data page, shared by every session and address: after MAX_FAILURES wrong
passwords within LOCK_SECONDS the page refuses every password, the right one too, for LOCK_SECONDS.

The record is a small JSON file beside the database (`health.duckdb.officer-logins.json`), read and
written under an exclusive file lock (`….officer-lock`) that is also held while the password is checked:
attempts from any number of tabs are checked one at a time, so none slips past the count. It survives
restarts and reloads, and a load's swap of the database file leaves it alone. Every failure is kept (time
and client address, the newest KEPT) for the data officer, who sees them on the next unlock, and goes to
the server's log.

No Streamlit here: the page (officer.py) passes the check to run and the client's address.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
KEPT = 1000

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    at: float                  # seconds since the epoch
    address: str | None        # the client's address, when Streamlit knows it
    while_locked: bool = False  # refused unchecked, during a lockout

    def when(self) -> str:
        return datetime.fromtimestamp(self.at).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Attempt:
    ok: bool
    locked_for: float = 0.0    # seconds the page stays locked (0: not locked)
    failures_left: int = 0     # wrong passwords still allowed before the lock (after a failure)
    since_last_login: list[Failure] = field(default_factory=list)  # on success: failures since the last one


@dataclass
class _State:
    recent: list[float] = field(default_factory=list)  # failures counting towards the lock
    locked_until: float = 0.0
    last_login: float = 0.0
    failures: list[Failure] = field(default_factory=list)


def store_path(db: Path) -> Path:
    return db.with_name(f"{db.name}.officer-logins.json")


def _lock_path(db: Path) -> Path:
    return db.with_name(f"{db.name}.officer-lock")


@contextmanager
def _exclusive(db: Path) -> Iterator[None]:
    with open(_lock_path(db), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(db: Path) -> _State:
    try:
        raw = json.loads(store_path(db).read_text(encoding="utf-8"))
        return _State(
            recent=[float(at) for at in raw.get("recent", [])],
            locked_until=float(raw.get("locked_until", 0)),
            last_login=float(raw.get("last_login", 0)),
            failures=[Failure(float(item["at"]), item.get("address"), bool(item.get("while_locked")))
                      for item in raw.get("failures", [])],
        )
    except FileNotFoundError:
        return _State()
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # Written atomically, so only a hand edit breaks it: start afresh rather than lock out for good.
        _LOG.warning("officer login record %s unreadable (%s); starting afresh", store_path(db), error)
        return _State()


def _write(db: Path, state: _State) -> None:
    """Replace the record atomically; an OSError (a read-only folder) reaches the caller."""
    record = {
        "recent": state.recent,
        "locked_until": state.locked_until,
        "last_login": state.last_login,
        "failures": [{"at": f.at, "time": f.when(), "address": f.address, "while_locked": f.while_locked}
                     for f in state.failures[-KEPT:]],
    }
    path = store_path(db)
    work = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    work.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(work, path)


def locked_for(db: Path, now: float | None = None) -> float:
    """Seconds until the page takes passwords again (0 when it does now)."""
    now = time.time() if now is None else now
    return max(0.0, _read(db).locked_until - now)  # no lock needed: the record is replaced atomically


def attempt(db: Path, check: Callable[[], bool], address: str | None, now: float | None = None) -> Attempt:
    """Run `check` (the password comparison) unless the page is locked, and record the outcome.

    Raises OSError when the record cannot be written: then nothing is unlocked.
    """
    with _exclusive(db):
        now = time.time() if now is None else now
        state = _read(db)
        if state.locked_until > now:
            state.failures.append(Failure(now, address, while_locked=True))
            _write(db, state)
            _LOG.warning("data officer password refused unchecked (locked) from %s", address or "?")
            return Attempt(False, locked_for=state.locked_until - now)
        if check():
            since = [failure for failure in state.failures if failure.at > state.last_login]
            state.recent, state.last_login = [], now
            _write(db, state)
            return Attempt(True, since_last_login=since)
        state.failures.append(Failure(now, address))
        state.recent = [at for at in state.recent if now - at < LOCK_SECONDS] + [now]
        locked = len(state.recent) >= MAX_FAILURES
        if locked:
            state.recent, state.locked_until = [], now + LOCK_SECONDS
        _write(db, state)
        _LOG.warning("data officer password wrong from %s%s", address or "?", " (page locked)" if locked else "")
        return Attempt(False, locked_for=LOCK_SECONDS if locked else 0.0,
                       failures_left=0 if locked else MAX_FAILURES - len(state.recent))

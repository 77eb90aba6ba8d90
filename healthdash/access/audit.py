"""The audit log (等保): who did what, when, from which address, under which jurisdiction.

Rows live in the account store (never in the DuckDB file a load swaps), one per action; `detail` is JSON
saying what (the file loaded, the view exported, the account changed and how). Account changes and sign-ins
write their row in the same transaction as the change, so neither exists without the other. Admins read
it filtered by time, account and action (`entries`), and take it away as CSV (`csv_bytes`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from healthdash.access.errors import AccessError
from healthdash.access.store import Store, Tx, seconds_of, stamp
from healthdash.core.exports import csv_text
from healthdash.core.i18n import t

LIMIT = 100_000  # rows one read returns at most: a page or a file, not the whole history at once


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKOUT = "lockout"
    SIGN_OUT = "sign_out"
    EXPORT = "export"
    BRIEFING = "briefing"
    LOAD = "load"
    DRY_RUN = "dry_run"
    UNDO = "undo"
    ACCOUNT_CHANGE = "account_change"
    QUALITY_MARK = "quality_mark"
    QUALITY_EXCEPTION = "quality_exception"
    APPRAISAL_JUDGEMENT = "appraisal_judgement"
    APPRAISAL_TARGETS = "appraisal_targets"
    APPRAISAL_SCHEME_UPLOAD = "appraisal_scheme_upload"
    APPRAISAL_SCHEME_CHOICE = "appraisal_scheme_choice"
    APPRAISAL_SCHEME_RETIRE = "appraisal_scheme_retire"

    def label(self, lang: str = "zh") -> str:
        return t(f"access.action.{self.value}", lang=lang)


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    actor: str | None
    address: str | None
    action: Action
    scope: str | None
    detail: Mapping[str, object] = field(default_factory=dict)

    def time(self) -> str:
        """Local time of the server, with its offset: '2026-01-05 09:30:12+08:00'."""
        return datetime.fromtimestamp(self.at).astimezone().isoformat(sep=" ", timespec="seconds")


def parse_action(text: str) -> Action:
    word = text.strip()
    for action in Action:
        if word.lower() == action.value or word == action.label("zh"):
            return action
    raise AccessError("action_unknown", action=text, actions=", ".join(action.value for action in Action))


def write(tx: Tx, action: Action | str, *, actor: str | None, address: str | None, scope: str | None,
          detail: Mapping[str, object] | None = None) -> None:
    """One audit row, inside the caller's transaction."""
    tx.run(
        "insert into audit (at, actor, address, action, scope, detail) "
        "values (:at, :actor, :address, :action, :scope, :detail)",
        {"at": stamp(tx.store.now()), "actor": actor, "address": address, "action": Action(action).value,
         "scope": scope, "detail": json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str)},
    )


def record(store: Store, action: Action | str, *, actor: str | None, address: str | None, scope: str | None,
           detail: Mapping[str, object] | None = None) -> None:
    """One audit row in a transaction of its own: an export, a briefing, a load, a dry run, an undo.
    `scope` is the jurisdiction it ran under; `detail` what (view, place, period, file, batch, rows)."""
    with store.transaction() as tx:
        write(tx, action, actor=actor, address=address, scope=scope, detail=detail)


def entries(
    store: Store,
    *,
    since: float | None = None,
    until: float | None = None,
    actor: str | None = None,
    action: Action | str | None = None,
    limit: int = LIMIT,
) -> list[Entry]:
    """Audit rows from `since` (inclusive) to `until` (exclusive), seconds since the epoch, of one account
    and one action when given; the newest first."""
    rows = _read(store, since, until, actor, action, limit)
    return [
        Entry(int(row["id"]), float(seconds_of(str(row["at"])) or 0.0), _text(row["actor"]), _text(row["address"]),
              Action(str(row["action"])), _text(row["scope"]), json.loads(str(row["detail"])))
        for row in rows
    ]


def _read(store: Store, since: float | None, until: float | None, actor: str | None,
          action: Action | str | None, limit: int) -> list[dict[str, object]]:
    with store.transaction(write=False) as tx:
        return tx.all(
            "select id, at, actor, address, action, scope, detail from audit "
            "where (cast(:since as text) is null or at >= :since) and (cast(:until as text) is null or at < :until) "
            "and (cast(:actor as text) is null or actor = :actor) and (cast(:action as text) is null or action = :action) "
            "order by at desc, id desc limit :limit",
            {"since": None if since is None else stamp(since), "until": None if until is None else stamp(until),
             "actor": actor, "action": None if action is None else Action(action).value, "limit": limit},
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def day_start(text: str) -> float:
    """Local midnight at the start of the day written '2026-01-01' (the server's time zone)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise AccessError("date_invalid", value=text) from None
    return datetime(day.year, day.month, day.day).astimezone().timestamp()


COLUMNS = ("time", "actor", "address", "action", "scope", "detail")


def header(lang: str = "zh") -> list[str]:
    return [t(f"access.audit_column.{column}", lang=lang) for column in COLUMNS]


def cells(entry: Entry, lang: str = "zh") -> list[str]:
    """One row as a person reads it: local time, the action in words, the detail as JSON."""
    return [entry.time(), entry.actor or "", entry.address or "", entry.action.label(lang), entry.scope or "",
            json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True)]


def csv_bytes(rows: list[Entry], lang: str = "zh") -> bytes:
    """The rows as CSV for Excel (UTF-8 with a byte-order mark, CRLF). Names typed at the sign-in form are
    the attacker's text: every cell goes through the formula guard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(lang))
    for entry in rows:
        writer.writerow([csv_text(cell) for cell in cells(entry, lang)])
    return buffer.getvalue().encode("utf-8-sig")

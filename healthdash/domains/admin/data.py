"""账户与审计 Admin: the places an admin may grant, the accounts and the audit log as tables a person reads.

Everything here reads within the admin's own jurisdiction (the run's, bound by the query layer): a county
admin is offered its county, its towns' facilities and its alliances, never another county. Roles, actions,
changes and scopes are shown in words, never as their stored codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from healthdash.access.accounts import Account
from healthdash.access.audit import Action, Entry
from healthdash.access.errors import AccessError
from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE, REGION_KINDS, Scope, Visible, parse_scope
from healthdash.core.i18n import t
from healthdash.data.db import per_database, run_query


@dataclass(frozen=True)
class Places:
    """What the admin's jurisdiction covers, by scope text ('county:450223') -> name, in the order offered."""

    names: Mapping[str, str]

    def name(self, scope: Scope | None) -> str | None:
        return None if scope is None else self.names.get(scope.text)


@per_database
def places() -> Places:
    """The regions (cities and counties), alliances and facilities the run's jurisdiction covers, by name
    (a province's some 45,000, worked out once per database version and jurisdiction)."""
    regions = run_query("scope_regions")
    alliances = run_query("scope_alliances")
    facilities = run_query("scope_facilities")
    names: dict[str, str] = {}
    for kind in REGION_KINDS:
        for row in regions[regions["level"] == kind].itertuples():
            names[f"{kind}:{row.code}"] = str(row.name)
    names |= {f"alliance:{row.code}": str(row.name) for row in alliances.itertuples()}
    names |= {f"facility:{row.facility_code}": str(row.facility_name) for row in facilities.itertuples()}
    return Places(names)


def scope_options(visible: Visible, found: Places) -> list[Scope | None]:
    """The jurisdictions an admin may grant: the province (a province admin only), every city, county,
    alliance and facility inside its own, and none (an account that sees nothing until one is set)."""
    options: list[Scope | None] = [PROVINCE] if visible.everything else []
    options += [scope for scope in (parse_scope(text) for text in found.names) if visible.covers(scope)]
    return [*options, None]


def scope_choices(visible: Visible, found: Places, lang: str) -> tuple[list[Scope | None], dict[str, str]]:
    """scope_options and each one's scope_label by its text ('' for none): what the jurisdiction pickers show."""
    options = scope_options(visible, found)
    return options, {"" if scope is None else scope.text: scope_label(scope, found, lang) for scope in options}


def scope_label(scope: Scope | None, found: Places, lang: str = "zh") -> str:
    """'区县 鹿寨县 (450223)', '全省', or the words for no jurisdiction."""
    if scope is None:
        return t("admin.no_scope", lang=lang)
    return scope.label(lang, found.name(scope))


def _scope_words(text: object, found: Places, lang: str) -> str:
    if not text:
        return t("admin.no_scope", lang=lang)
    try:
        return scope_label(parse_scope(str(text)), found, lang)
    except AccessError:  # a stored scope of an unknown syntax: shown as written
        return str(text)


def _time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds).astimezone().strftime("%Y-%m-%d %H:%M")


def managed(accounts: Iterable[Account], visible: Visible) -> list[Account]:
    """The accounts an admin manages: those whose jurisdiction lies inside its own."""
    return [account for account in accounts if visible.covers(account.scope)]


def accounts_table(accounts: Iterable[Account], found: Places, now: float, lang: str = "zh") -> pd.DataFrame:
    """One row per account, every column in words."""
    yes, no = t("admin.yes", lang=lang), t("admin.no", lang=lang)
    rows = [
        {
            t("admin.col.name", lang=lang): account.name,
            t("admin.col.role", lang=lang): account.role.label(lang),
            t("admin.col.scope", lang=lang): scope_label(account.scope, found, lang),
            t("admin.col.enabled", lang=lang): yes if account.enabled else no,
            t("admin.col.locked_until", lang=lang): _time(account.locked_until) if account.locked(now) else "",
            t("admin.col.must_change", lang=lang): yes if account.must_change else no,
            t("admin.col.created", lang=lang): _time(account.created_at),
        }
        for account in accounts
    ]
    columns = [t(f"admin.col.{key}", lang=lang) for key in
               ("name", "role", "scope", "enabled", "locked_until", "must_change", "created")]
    return pd.DataFrame(rows, columns=columns)


_ROLE_KEYS = frozenset({"role"})
_SCOPE_KEYS = frozenset({"scope"})


def _value(key: str, value: object, found: Places, lang: str) -> str:
    if isinstance(value, list) and len(value) == 2 and key in _ROLE_KEYS | _SCOPE_KEYS:
        return f"{_value(key, value[0], found, lang)} → {_value(key, value[1], found, lang)}"
    if key in _ROLE_KEYS and value in {role.value for role in Role}:
        return Role(str(value)).label(lang)
    if key in _SCOPE_KEYS:
        return _scope_words(value, found, lang)
    if key == "change":
        return t(f"admin.change.{value}", lang=lang)
    if key == "reason":
        return t(f"admin.reason.{value}", lang=lang)
    if isinstance(value, bool):
        return t("admin.yes" if value else "admin.no", lang=lang)
    if isinstance(value, list):
        return "、".join(str(item) for item in value) if lang == "zh" else ", ".join(str(item) for item in value)
    return str(value)


KNOWN_CHANGES = ("add", "update", "enable", "disable", "reset_password", "unlock", "own_password")
KNOWN_REASONS = ("slow_down", "unknown", "locked", "wrong", "disabled")
DETAIL_KEYS = ("change", "account", "role", "scope", "view", "file", "place", "period", "files", "passed",
               "problems", "applied", "batches", "batch", "name", "reason", "failures", "minutes", "must_change")


def detail_text(detail: Mapping[str, object], found: Places, lang: str = "zh") -> str:
    """The audit row's detail as a person reads it: '变更：新增账户；账户：zhang；角色：查看'."""
    separator, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    parts = []
    for key, value in sorted(detail.items(), key=lambda item: _order(item[0])):
        label = t(f"admin.detail.{key}", lang=lang) if key in DETAIL_KEYS else key
        parts.append(f"{label}{colon}{_value(key, value, found, lang)}")
    return separator.join(parts)


def _order(key: str) -> int:
    return DETAIL_KEYS.index(key) if key in DETAIL_KEYS else len(DETAIL_KEYS)


def audit_table(entries: Iterable[Entry], found: Places, lang: str = "zh") -> pd.DataFrame:
    """One row per audit entry, newest first as read: time, who, address, action and jurisdiction in words,
    and what."""
    columns = [t(f"access.audit_column.{key}", lang=lang) for key in
               ("time", "actor", "address", "action", "scope", "detail")]
    rows = [
        [entry.time(), entry.actor or t("admin.nobody", lang=lang), entry.address or "", entry.action.label(lang),
         _scope_words(entry.scope, found, lang), detail_text(entry.detail, found, lang)]
        for entry in entries
    ]
    return pd.DataFrame(rows, columns=columns)


def seen_by(entries: Iterable[Entry], visible: Visible, names: set[str]) -> list[Entry]:
    """The rows an admin may read: every row for the province; else those of the accounts it manages
    (`names`), or about them, or run within its jurisdiction."""
    if visible.everything:
        return list(entries)
    return [entry for entry in entries
            if entry.actor in names or entry.detail.get("account") in names or _within(entry.scope, visible)]


def _within(text: str | None, visible: Visible) -> bool:
    try:
        return text is not None and visible.covers(parse_scope(text))
    except AccessError:
        return False


def action_options() -> list[Action | None]:
    """The action filter: every action, or all of them (None)."""
    return [None, *Action]

"""账户与审计 Admin page: the accounts an admin manages, forms to add and change them, and the audit log.

Every change goes through healthdash.access.accounts, which writes its audit row in the same transaction;
refused input (a short password, a taken name, a scope outside the admin's) shows the Chinese (or English)
message and changes nothing. Account names come from people: shown in st.dataframe (plain text) or made
inert where Markdown renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import streamlit as st

from healthdash.access import accounts, audit, passwords
from healthdash.access.audit import Action
from healthdash.access.errors import AccessError
from healthdash.access.roles import Role
from healthdash.access.scope import Scope
from healthdash.core import exports
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.db import database_id, run_query
from healthdash.domains.admin import data as admin
from healthdash.ui import account
from healthdash.ui.account import Viewer

_NOTICE = "_admin_notice"  # what the last change did, shown once after the rerun that follows it


SCOPE_CHOICES = "_admin_scope_choices"  # session state: the jurisdiction pickers' options and words


def _registry(name: str, params: dict[str, object]):  # -> pd.DataFrame: a scope.Reader over the run's database
    return run_query(name, **params)


def _refused(error: AccessError) -> None:
    st.error(inert(error.zh if current_lang() == "zh" else error.en), icon=":material/error:")


def _done(message: str) -> None:
    st.session_state[_NOTICE] = message
    st.rerun()


def notice() -> None:
    message = st.session_state.pop(_NOTICE, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _covered(who: Viewer, scope: Scope | None) -> None:
    """Refuse a jurisdiction outside the admin's own (the form offers none, a forged request might)."""
    if not who.visible.covers(scope):
        raise AccessError("scope_outside", scope=scope.text if scope else "")


def accounts_section(who: Viewer, found: admin.Places) -> list[accounts.Account]:
    """The table of the accounts the admin manages; those accounts, for the forms below."""
    st.subheader(t("admin.accounts"), anchor=False)
    store = account.store()
    mine = admin.managed(accounts.list_accounts(store), who.visible)
    if not mine:
        st.caption(t("admin.no_accounts"))
    else:
        st.dataframe(admin.accounts_table(mine, found, store.now(), current_lang()), hide_index=True,
                     width="stretch", key="admin_accounts")
    return mine


def _scope_choices(who: Viewer, found: admin.Places) -> tuple[list[Scope | None], Callable[[Scope | None], str]]:
    """The scopes the admin may grant and how each reads, worked out once per session, database version and
    language: a province offers some 45,000 (every facility), too many to redo on every click."""
    key = (database_id(), who.visible.scope, current_lang())
    cached = st.session_state.get(SCOPE_CHOICES)
    if cached is None or cached[0] != key:
        cached = (key, *admin.scope_choices(who.visible, found, current_lang()))
        st.session_state[SCOPE_CHOICES] = cached
    options, labels = cached[1], cached[2]
    return options, lambda scope: labels["" if scope is None else scope.text]


def add_section(who: Viewer, found: admin.Places) -> None:
    st.subheader(t("admin.add"), anchor=False)
    lang = current_lang()
    options, scope_words = _scope_choices(who, found)
    with st.form("admin_add", clear_on_submit=False):
        name = st.text_input(t("admin.name"), key="admin_add_name")
        left, right = st.columns(2)
        role = left.selectbox(t("admin.role"), list(Role), format_func=lambda r: r.label(lang), key="admin_add_role")
        scope = right.selectbox(t("admin.scope"), options, format_func=scope_words, key="admin_add_scope")
        password = st.text_input(t("admin.password", minimum=passwords.MIN_LENGTH), type="password",
                                 key="admin_add_password", help=t("admin.password_help"))
        submitted = st.form_submit_button(t("admin.add_submit"), icon=":material/person_add:")
    if not submitted:
        return
    made = not password
    first = passwords.random_password() if made else password
    try:
        _covered(who, scope)
        added = accounts.add_account(account.store(), name, role, scope, first, by=who.name, address=who.address,
                                     registry=_registry)
    except AccessError as error:
        _refused(error)
        return
    message = t("admin.added", name=added.name, role=added.role.label(lang), scope=admin.scope_label(scope, found, lang))
    _done(message + (" " + t("admin.first_password", password=first) if made else ""))


def manage_section(who: Viewer, found: admin.Places, mine: list[accounts.Account]) -> None:
    """Disable or enable, unlock, reset the password, change the role or the jurisdiction of one account."""
    st.subheader(t("admin.manage"), anchor=False)
    if not mine:
        return
    lang = current_lang()
    by_name = {item.name: item for item in mine}
    name = st.selectbox(t("admin.pick"), list(by_name), key="admin_pick")
    chosen = by_name[name]
    store = account.store()
    buttons = st.container(horizontal=True, gap="small")
    switch = buttons.button(t("admin.disable") if chosen.enabled else t("admin.enable"), key="admin_switch",
                            icon=":material/block:" if chosen.enabled else ":material/check_circle:")
    unlock = buttons.button(t("admin.unlock"), key="admin_unlock", icon=":material/lock_open:",
                            disabled=not chosen.locked(store.now()))
    reset = buttons.button(t("admin.reset"), key="admin_reset", icon=":material/password:")
    options, scope_words = _scope_choices(who, found)
    with st.form("admin_change"):
        left, right = st.columns(2)
        role = left.selectbox(t("admin.role"), list(Role), index=list(Role).index(chosen.role),
                              format_func=lambda r: r.label(lang), key=f"admin_role_{name}")
        index = options.index(chosen.scope) if chosen.scope in options else len(options) - 1
        scope = right.selectbox(t("admin.scope"), options, index=index,
                                format_func=scope_words, key=f"admin_scope_{name}")
        change = st.form_submit_button(t("admin.change_submit"), icon=":material/save:")
    try:
        if switch:
            changed = accounts.set_enabled(store, name, not chosen.enabled, by=who.name, address=who.address)
            _done(t("admin.enabled" if changed.enabled else "admin.disabled", name=name))
        if unlock:
            accounts.unlock(store, name, by=who.name, address=who.address)
            _done(t("admin.unlocked", name=name))
        if reset:
            first = passwords.random_password()
            accounts.reset_password(store, name, first, by=who.name, address=who.address)
            _done(t("admin.reset_done", name=name) + " " + t("admin.first_password", password=first))
        if change:
            _covered(who, scope)
            changed = accounts.update_account(store, name, role=role, scope=scope, by=who.name, address=who.address,
                                              registry=_registry)
            _done(t("admin.changed", name=name, role=changed.role.label(lang),
                    scope=admin.scope_label(changed.scope, found, lang)))
    except AccessError as error:
        _refused(error)


def audit_section(who: Viewer, found: admin.Places, mine: list[accounts.Account]) -> None:
    """The audit log, filtered by days, account and action, newest first; CSV and XLSX of what is shown."""
    st.subheader(t("admin.audit"), anchor=False)
    lang = current_lang()
    today = date.today()
    first, middle, last = st.columns(3)
    days = first.date_input(t("admin.days"), (today - timedelta(days=30), today), key="admin_days")
    names = [item.name for item in mine]
    actor = middle.selectbox(t("admin.actor"), [None, *names], key="admin_actor",
                             format_func=lambda n: t("admin.everyone") if n is None else n)
    action = last.selectbox(t("admin.action"), admin.action_options(), key="admin_action",
                            format_func=lambda a: t("admin.every_action") if a is None else a.label(lang))
    since_day, until_day = (days[0], days[-1]) if isinstance(days, tuple) and days else (today, today)
    since = datetime(since_day.year, since_day.month, since_day.day).astimezone().timestamp()
    until = datetime(until_day.year, until_day.month, until_day.day).astimezone().timestamp() + 24 * 3600
    found_rows = audit.entries(account.store(), since=since, until=until, actor=actor, action=action)
    rows = admin.seen_by(found_rows, who.visible, set(names))
    table = admin.audit_table(rows, found, lang)
    if table.empty:
        st.caption(t("admin.no_audit"))
        return
    # The detail is free text of any length: a wide column, cut with "…" (whole on hover), so the table fits 1280.
    detail_column = t("access.audit_column.detail", lang=lang)
    st.dataframe(table, hide_index=True, width="stretch", key="admin_audit",
                 column_config={detail_column: st.column_config.TextColumn(width="large")})
    stem = exports.safe_name(f"{t('admin.audit_file')}_{since_day.isoformat()}_{until_day.isoformat()}")
    period = f"{since_day.isoformat()} – {until_day.isoformat()}"
    detail = {"view": t("admin.audit"), "place": admin.scope_label(who.scope, found, lang), "period": period}
    with st.container(horizontal=True, gap="small"):
        for extension, label, mime, make in (
            ("csv", t("export.csv"), exports.CSV_MIME, lambda: exports.csv_bytes(table)),
            ("xlsx", t("export.xlsx"), exports.XLSX_MIME, lambda: exports.xlsx_bytes(table, t("admin.audit"))),
        ):
            name = f"{stem}.{extension}"
            st.download_button(label, account.audited(make, Action.EXPORT, detail | {"file": name}), file_name=name,
                               mime=mime, key=f"admin_audit_{extension}", icon=":material/download:",
                               on_click="ignore")

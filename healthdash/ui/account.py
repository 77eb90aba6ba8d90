"""Who is looking: the signed-in account (or, with sign-in off, the demo's open view), its role and what it
may see. app.py calls `gate()` before any page runs; from then on every query of the run reads within the
account's jurisdiction (healthdash.data.db.read_within), whatever the page or the URL asks for.

The session token lives in a cookie, so that a reload or a new tab finds the session again while it lasts
(healthdash.access.sessions); the store keeps only its hash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from healthdash.access import accounts, audit
from healthdash.access.accounts import Account
from healthdash.access.audit import Action
from healthdash.access.config import AccessConfig, auth_required, load_config, trusted_name
from healthdash.access.roles import Permission, Role, allows
from healthdash.access.scope import PROVINCE, Scope, Visible, resolve
from healthdash.access.sessions import Session
from healthdash.access.store import Store, open_store
from healthdash.core.exports import TitleBlock
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data import db
from healthdash.ui import signin

TOKEN_COOKIE = "healthdash_session"
_TOKEN = "_account_token"
_COOKIE_WRITTEN = "_account_cookie"
_VIEWER = "_account_viewer"
_EXTERNAL = "_account_external"
T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    """The person behind this run: `account` None when sign-in is off (the demo's open view)."""

    account: Account | None
    role: Role
    visible: Visible
    address: str | None
    session: Session | None = None

    @property
    def scope(self) -> Scope | None:
        return self.visible.scope

    @property
    def name(self) -> str | None:
        return self.account.name if self.account else None

    def may(self, permission: Permission | str) -> bool:
        return allows(self.role, permission)

    def scope_params(self) -> dict[str, object]:
        return dict(self.scope.params()) if self.scope else dict(db.NO_SCOPE)


def _session_scope() -> dict[str, object] | None:
    who = st.session_state.get(_VIEWER) if get_script_run_ctx() is not None else None
    return who.scope_params() if isinstance(who, Viewer) else None


db.read_session_scope_from(_session_scope)


@st.cache_resource(show_spinner=False)
def _store(database: str) -> Store:
    return open_store(Path(database))


def store() -> Store:
    """The account store of this dashboard's database, one per server process."""
    return _store(str(db.database_path()))


def sign_in_required() -> bool:
    # The dataset's kind is read before any jurisdiction: dataset_meta is about no one's figures.
    meta = db.run_query("dataset_meta")
    kinds = meta.loc[meta["key"] == "dataset_kind", "value"]
    return auth_required(str(kinds.iloc[0]) if len(kinds) else "production")


def _visible(scope: Scope | None) -> Visible:
    key = db.cache_key(db.database_id(), scope.text if scope else None)
    return _resolved(key, scope)


@st.cache_resource(max_entries=200, show_spinner=False)
def _resolved(key: str, scope: Scope | None) -> Visible:  # key: the database version, in the cache key
    # What a jurisdiction covers is read within that jurisdiction: the query layer binds it either way.
    with db.reading_within(scope.params() if scope else db.NO_SCOPE):
        return resolve(lambda name, params: db.run_query(name, **params), scope)


def _token_from_browser() -> str | None:
    token = st.session_state.get(_TOKEN) or st.context.cookies.get(TOKEN_COOKIE)
    return token if isinstance(token, str) else None


def _keep_token(token: str | None) -> None:
    st.session_state[_TOKEN] = token
    st.session_state.pop(_COOKIE_WRITTEN, None)
    if token is None:
        _write_cookie(None)


def _write_cookie(token: str | None) -> None:
    """Keep (or, with None, forget) the token in a cookie of this site, for a reload or a new tab."""
    value = json.dumps(token or "")
    age = 0 if token is None else int(store().session_seconds)
    st.html(f"<script>document.cookie = '{TOKEN_COOKIE}=' + encodeURIComponent({value}) + "
            f"'; path=/; max-age={age}; samesite=strict' + (location.protocol === 'https:' ? '; secure' : '');"
            "</script>", unsafe_allow_javascript=True)


def _client_address() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # None: Streamlit cannot tell


def _request_headers() -> Mapping[str, str]:
    return dict(st.context.headers or {})


def _external_name(config: AccessConfig, address: str | None) -> tuple[str, str] | None:
    """(account name, how) when a trusted reverse proxy or the identity provider vouches for the person."""
    name = trusted_name(config, _request_headers(), address)
    if name is not None:
        return name, "trusted_header"
    if config.oidc and st.user.is_logged_in:
        claimed = st.user.get("preferred_username") or st.user.get("email")
        return (str(claimed), "oidc") if claimed else None
    return None


def _externally_signed_in(config: AccessConfig, address: str | None) -> Viewer | None:
    """The local account an outside sign-in maps to (its role and jurisdiction are the local account's);
    None when there is no outside sign-in. An unknown or disabled name stops the run with a message."""
    external = _external_name(config, address)
    if external is None:
        return None
    name, how = external
    found = accounts.get_account(store(), name)
    if found is None or not found.enabled:
        st.error(t("access.external_unknown", name=inert(name)), icon=":material/lock:")
        st.stop()
    if st.session_state.get(_EXTERNAL) != (found.name, how):  # one sign-in row per browser session
        audit.record(store(), Action.SIGN_IN, actor=found.name, address=address,
                     scope=found.scope.text if found.scope else None, detail={"via": how})
        st.session_state[_EXTERNAL] = (found.name, how)
    return Viewer(found, found.role, _visible(found.scope), address)


def gate() -> Viewer | None:
    """The viewer of this run, its jurisdiction set for every query; None after drawing the sign-in form
    (the caller stops the run)."""
    address = _client_address()
    if not sign_in_required():
        viewer = Viewer(None, Role.ADMIN, _visible(PROVINCE), address)
        st.sidebar.caption(t("access.demo_badge"))
    elif (outside := _externally_signed_in(config := load_config(), address)) is not None:
        viewer = outside
        st.sidebar.caption(t("access.form.signed_in_as", name=viewer.name, role=viewer.role.label(current_lang())))
    else:
        db.read_within(db.NO_SCOPE)
        if config.oidc:
            st.button(t("access.oidc_button"), on_click=st.login, icon=":material/badge:", key="access_oidc")
        session = signin.require_session(store(), token=_token_from_browser(), keep_token=_keep_token,
                                         address=address)
        if session is None:
            st.session_state.pop(_VIEWER, None)
            return None
        if st.session_state.get(_COOKIE_WRITTEN) != session.token:
            _write_cookie(session.token)
            st.session_state[_TOKEN] = session.token
            st.session_state[_COOKIE_WRITTEN] = session.token
        account = session.account
        viewer = Viewer(account, account.role, _visible(account.scope), address, session)
        signin.sign_out_button(store(), session, keep_token=_keep_token, address=address)
    db.read_within(viewer.scope_params())
    st.session_state[_VIEWER] = viewer
    return viewer


# What each page needs beyond viewing; a facility's account sees its own profile and nothing of areas.
PAGE_PERMISSIONS = {"appraisal": Permission.VIEW, "what-if": Permission.WHATIF, "data": Permission.LOAD, "admin": Permission.ADMIN}
FACILITY_PAGES = frozenset({"facility", "data", "admin"})


def may_open(viewer: Viewer, url_path: str) -> bool:
    needed = PAGE_PERMISSIONS.get(url_path)
    if needed is not None and not viewer.may(needed):
        return False
    return viewer.scope is None or viewer.scope.kind != "facility" or url_path in FACILITY_PAGES


def viewer() -> Viewer:
    """The viewer `gate` let in on this run, its jurisdiction set for the queries that follow. A page script
    started without app.py (AppTest's direct page runs) passes the gate here, so no page reads before it."""
    if _VIEWER not in st.session_state:
        let_in = gate()
        if let_in is None:
            st.stop()
        return let_in
    who: Viewer = st.session_state[_VIEWER]
    db.read_within(who.scope_params())
    return who


def load_allows(who: Viewer | None = None) -> Callable[[str, str], bool]:
    """What the viewer may load, for healthdash.ingest.loader: (kind, code) -> allowed."""
    visible = (who or viewer()).visible
    checks = {"region": visible.allows_region, "facility": visible.allows_facility, "alliance": visible.allows_alliance}
    return lambda kind, code: checks[kind](code)


def record(action: audit.Action | str, detail: Mapping[str, object] | None = None) -> None:
    """An audit row for what the viewer just did (with sign-in off: nobody's, from their address)."""
    who = viewer()
    audit.record(store(), action, actor=who.name, address=who.address,
                 scope=who.scope.text if who.scope else None, detail=detail)


def audited(make: Callable[[], T], action: audit.Action, detail: Mapping[str, object]) -> Callable[[], T]:
    """`make` for a download button, run when the file is asked for (after the run, on another thread): it
    reads within the jurisdiction of the viewer it was offered to, and the file is given only once that
    viewer's audit row (`action`, `detail`: view, file, place, period) is written."""
    who = viewer()
    database = str(db.database_path())
    made = db.within_current_scope(make)

    def run() -> T:
        data = made()
        audit.record(_store(database), action, actor=who.name, address=who.address,
                     scope=who.scope.text if who.scope else None, detail=detail)
        return data

    return run


def file_detail(block: TitleBlock, file_name: str) -> dict[str, object]:
    """What an audit row says about a file: its view, name, place and period, as the file's title block says."""
    return {"view": block.view, "file": file_name, "place": block.place, "period": block.period}

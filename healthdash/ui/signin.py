"""The sign-in form, and the form that replaces a first password: the one module of healthdash/access that
draws with Streamlit. The caller keeps the session token where a reload and a new tab find it (a cookie)
and passes it in; `keep_token` stores a new one (None: forget it).

    session = signin.require_session(store, token=cookie, keep_token=set_cookie, address=address)
    if session is None:
        st.stop()
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from healthdash.access import sessions, signin
from healthdash.access.errors import AccessError
from healthdash.access.passwords import MIN_LENGTH
from healthdash.access.sessions import Session
from healthdash.access.store import Store
from healthdash.core.i18n import current_lang, t

KeepToken = Callable[[str | None], None]


def require_session(store: Store, *, token: str | None, keep_token: KeepToken, address: str | None) -> Session | None:
    """The live session `token` names, once its password is the account's own; else draw the sign-in form
    (or the new-password form) and return None."""
    session = sessions.current(store, token)
    if session is None:
        _sign_in_form(store, keep_token, address)
        return None
    if session.account.must_change:
        _new_password_form(store, session, address)
        return None
    return session


def _sign_in_form(store: Store, keep_token: KeepToken, address: str | None) -> None:
    st.title(t("app.title"), anchor=False)
    st.subheader(t("access.form.title"), anchor=False)
    with st.form("access_sign_in", border=True, width=420):
        name = st.text_input(t("access.form.name"), key="access_name")
        password = st.text_input(t("access.form.password"), type="password", key="access_password")
        submitted = st.form_submit_button(t("access.form.submit"), type="primary")
    if not submitted:
        return
    result = signin.sign_in(store, name or "", password or "", address)
    if result.ok:
        keep_token(result.token)
        st.rerun()
    st.error(result.message(current_lang()), icon=":material/lock:")


def _new_password_form(store: Store, session: Session, address: str | None) -> None:
    st.subheader(t("access.form.change_title"))
    st.info(t("access.signin.must_change"), icon=":material/key:")
    with st.form("access_new_password", border=True, width=420):
        current = st.text_input(t("access.form.current"), type="password", key="access_current")
        new = st.text_input(t("access.form.new", minimum=MIN_LENGTH), type="password", key="access_new")
        repeat = st.text_input(t("access.form.repeat"), type="password", key="access_repeat")
        submitted = st.form_submit_button(t("access.form.change"), type="primary")
    if not submitted:
        return
    if (new or "") != (repeat or ""):
        st.error(t("access.form.mismatch"), icon=":material/error:")
        return
    try:
        signin.change_password(store, session.account.name, current or "", new or "", address=address,
                               keep=session.token)
    except AccessError as error:
        st.error(error.zh if current_lang() == "zh" else error.en, icon=":material/error:")
        return
    st.rerun()


def sign_out_button(store: Store, session: Session, *, keep_token: KeepToken, address: str | None) -> None:
    """Who is signed in, and the button that ends the session, in the sidebar."""
    st.sidebar.caption(t("access.form.signed_in_as", name=session.account.name,
                         role=session.account.role.label(current_lang())))
    if st.sidebar.button(t("access.form.sign_out"), icon=":material/logout:", key="access_sign_out"):
        sessions.end(store, session.token, address)
        keep_token(None)
        st.rerun()

"""The sign-in form and the new-password form, driven through Streamlit's AppTest as a person fills them in.
The token lives in session_state here, where the app will keep it in a cookie."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.access import accounts, sessions
from healthdash.access.scope import Scope
from healthdash.access.store import Store
from tests.access.conftest import FAST


def script() -> None:
    import os

    import streamlit as st

    from healthdash.access.store import Store
    from healthdash.ui import signin

    store = Store(os.environ["ACCESS_FORM_STORE"], iterations=1_000)

    def keep(token: str | None) -> None:
        st.session_state["token"] = token

    session = signin.require_session(store, token=st.session_state.get("token"), keep_token=keep,
                                          address="10.0.0.1")
    if session is None:
        st.stop()
    st.markdown(f"欢迎 {session.account.name}")
    signin.sign_out_button(store, session, keep_token=keep, address="10.0.0.1")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "accounts.sqlite"
    monkeypatch.setenv("ACCESS_FORM_STORE", str(path))
    opened = Store(path, iterations=FAST)
    accounts.add_account(opened, "zhang", "viewer", Scope("county", "K1"), "first-password", by="admin")
    return opened


def fill(at: AppTest, **values: str) -> AppTest:
    for key, value in values.items():
        at.text_input(key=key).set_value(value)
    at.button[0].click()  # the form's submit button
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join([element.value for element in at.markdown] + [element.value for element in at.error])


def test_sign_in_then_set_an_own_password_then_sign_out(store: Store) -> None:
    at = AppTest.from_function(script, default_timeout=60).run()
    assert "欢迎" not in texts(at)
    fill(at, access_name="zhang", access_password="wrong-password")
    assert "账户名或密码不正确" in texts(at) and "欢迎" not in texts(at)

    fill(at, access_name="Zhang", access_password="first-password")
    assert "欢迎" not in texts(at)  # a first password: the new-password form comes first
    assert at.session_state["token"]
    fill(at, access_current="first-password", access_new="my-own-password", access_repeat="my-own-passw0rd")
    assert "两次输入的新密码不一致" in texts(at)
    fill(at, access_current="first-password", access_new="short", access_repeat="short")
    assert "密码至少需要 10 个字符" in texts(at)
    fill(at, access_current="first-password", access_new="my-own-password", access_repeat="my-own-password")
    assert "欢迎 zhang" in texts(at)

    token = at.session_state["token"]
    at.run()  # a rerun (what a reload does with the cookie) keeps the session
    assert "欢迎 zhang" in texts(at)
    at.sidebar.button(key="access_sign_out").click().run()
    assert "欢迎" not in texts(at) and sessions.current(store, token) is None


def test_five_wrong_passwords_in_the_form_lock_the_account(store: Store) -> None:
    at = AppTest.from_function(script, default_timeout=60).run()
    for _ in range(5):
        fill(at, access_name="zhang", access_password="wrong-password")
    assert "已被锁定" in texts(at)
    fill(at, access_name="zhang", access_password="first-password")
    assert "已被锁定" in texts(at) and "token" not in at.session_state

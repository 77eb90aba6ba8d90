"""Who may load data: data officers, with a password kept only as a hash in .streamlit/secrets.toml.

    [data_officer]
    password_pbkdf2 = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"   # hash_password() makes this
    # or, simpler and weaker: password_sha256 = "<hex sha256 of the password>"

Without either the data page explains how to set one and stays locked.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Mapping

import streamlit as st

from healthdash.i18n import t

SECTION = "data_officer"
ITERATIONS = 600_000
_UNLOCKED = "_data_officer_unlocked"
_FAILURE_DELAY_S = 1.0  # slows guessing from one browser session


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The value for password_pbkdf2: PBKDF2-HMAC-SHA256 with a random salt."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify(password: str, settings: Mapping[str, object]) -> bool:
    """Whether `password` matches the configured hash (constant-time comparison)."""
    stored = str(settings.get("password_pbkdf2") or "")
    if stored:
        try:
            scheme, iterations, salt, expected = stored.split("$")
            if scheme != "pbkdf2_sha256":
                return False
            digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
        except ValueError:
            return False
        return hmac.compare_digest(digest.hex(), expected.lower())
    stored = str(settings.get("password_sha256") or "")
    if stored:
        return hmac.compare_digest(hashlib.sha256(password.encode("utf-8")).hexdigest(), stored.lower())
    return False


def settings() -> Mapping[str, object] | None:
    """The [data_officer] section of the secrets, or None when no password hash is configured."""
    try:
        section = st.secrets.get(SECTION)
    except FileNotFoundError:  # no secrets.toml at all
        return None
    if not isinstance(section, Mapping):
        return None
    return section if section.get("password_pbkdf2") or section.get("password_sha256") else None


def unlocked() -> bool:
    return bool(st.session_state.get(_UNLOCKED))


def gate() -> bool:
    """Render the lock (setup help, or a password form) unless this session is unlocked; True when it is."""
    configured = settings()
    if configured is None:
        st.session_state.pop(_UNLOCKED, None)
        st.warning(t("data.no_password"), icon=":material/lock:")
        st.markdown(t("data.no_password_how"))
        st.code(t("data.no_password_command"), language="bash", wrap_lines=True)
        st.code(t("data.no_password_toml"), language="toml", wrap_lines=True)
        return False
    if unlocked():
        return True
    st.info(t("data.locked"), icon=":material/lock:")
    with st.form("data_officer_login", border=True, width=420):
        password = st.text_input(t("data.password"), type="password", key="data_password")
        submitted = st.form_submit_button(t("data.unlock"), type="primary")
    if submitted:
        if verify(password or "", configured):
            st.session_state[_UNLOCKED] = True
            st.rerun()
        time.sleep(_FAILURE_DELAY_S)
        st.error(t("data.wrong_password"), icon=":material/error:")
    return False


def lock_button() -> None:
    if st.sidebar.button(t("data.lock"), icon=":material/lock:", key="data_lock"):
        st.session_state.pop(_UNLOCKED, None)
        st.rerun()

"""Who may load data: data officers, with a password kept only as a salted PBKDF2 hash in
.streamlit/secrets.toml:

    [data_officer]
    password_pbkdf2 = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"   # hash_password() makes this

Without it (or with a hash weaker than MIN_ITERATIONS, or the unsalted `password_sha256` of earlier
versions) the data page explains how to set one and stays locked. Wrong passwords count across every
session and address (healthdash.access.lockout): five lock the page for 15 minutes. Only an unlocked session
may send files to the server (healthdash.access.upload_guard).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import time
from collections.abc import Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from healthdash.access import lockout, upload_guard
from healthdash.core.i18n import t
from healthdash.core.markup import inert
from healthdash.data.db import database_path
from healthdash.ui import account

SECTION = "data_officer"
ITERATIONS = 600_000
MIN_ITERATIONS = 200_000
_UNLOCKED = "_data_officer_unlocked"
_SINCE_LAST = "_data_officer_failures_seen"  # failed attempts to tell the officer about, once
_FAILURE_DELAY_S = 1.0  # slows guessing from one browser session


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The value for password_pbkdf2: PBKDF2-HMAC-SHA256 with a random salt."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def _parsed(stored: str) -> tuple[int, bytes, str] | None:
    """(iterations, salt, expected hex digest) of a usable password_pbkdf2 value, else None."""
    try:
        scheme, iterations, salt, expected = stored.split("$")
        parsed = int(iterations), bytes.fromhex(salt), expected.lower()
    except ValueError:
        return None
    if scheme != "pbkdf2_sha256" or parsed[0] < MIN_ITERATIONS or not parsed[1]:
        return None
    return parsed


def verify(password: str, settings: Mapping[str, object]) -> bool:
    """Whether `password` matches the configured hash (constant-time comparison)."""
    parsed = _parsed(str(settings.get("password_pbkdf2") or ""))
    if parsed is None:
        return False
    iterations, salt, expected = parsed
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest.hex(), expected)


def _section() -> Mapping[str, object]:
    try:
        section = st.secrets.get(SECTION)
    except FileNotFoundError:  # no secrets.toml at all
        return {}
    return section if isinstance(section, Mapping) else {}


def settings() -> Mapping[str, object] | None:
    """The [data_officer] section of the secrets, or None when it holds no usable password hash."""
    section = _section()
    return section if _parsed(str(section.get("password_pbkdf2") or "")) is not None else None


def unlocked() -> bool:
    return bool(st.session_state.get(_UNLOCKED))


def _session_id() -> str | None:
    context = get_script_run_ctx()
    return context.session_id if context is not None else None


def _lock() -> None:
    st.session_state.pop(_UNLOCKED, None)
    session = _session_id()
    if session:
        upload_guard.revoke(session)


def _allow_uploads() -> None:
    session = _session_id()
    if session:
        upload_guard.allow(session)


def may_upload() -> bool:
    """Whether this session may send files from a page other than the data page (the 监测与考核 targets and
    schemes): a signed-in account (pages offer uploaders only to those who may load) or, with sign-in off, a
    session that unlocked the data page. Tells the upload guard, which refuses every other session."""
    if account.viewer().account is None and not unlocked():
        return False
    _allow_uploads()
    return True


def _unlock(attempt: lockout.Attempt) -> None:
    st.session_state[_UNLOCKED] = True
    st.session_state[_SINCE_LAST] = attempt.since_last_login
    _allow_uploads()


def _client_address() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # None when Streamlit cannot tell (tests, proxies)


def wait_text(seconds: float) -> str:
    """'14 分 05 秒': how long the lock lasts, rounded up to the second."""
    minutes, rest = divmod(math.ceil(seconds), 60)
    return t("data.wait", minutes=minutes, seconds=f"{rest:02d}")


def _setup_help() -> None:
    section = _section()
    if section.get("password_sha256") or section.get("password_pbkdf2"):
        st.warning(t("data.password_unusable", minimum=f"{MIN_ITERATIONS:,}"), icon=":material/lock:")
    else:
        st.warning(t("data.no_password"), icon=":material/lock:")
    st.markdown(t("data.no_password_how"))
    st.code(t("data.no_password_command"), language="bash", wrap_lines=True)
    st.code(t("data.no_password_toml"), language="toml", wrap_lines=True)


def gate() -> bool:
    """Render the lock (setup help, or a password form) unless this session is unlocked; True when it is.
    A signed-in account needs no password here: the data page is offered only to those who may load."""
    if account.viewer().account is not None:
        _allow_uploads()
        return True
    configured = settings()
    if configured is None:
        _lock()
        _setup_help()
        return False
    if unlocked():
        _allow_uploads()  # again on every run: the guard's list is in memory, the session's flag may outlive it
        return True
    db = database_path()
    st.info(t("data.locked"), icon=":material/lock:")
    waiting = lockout.locked_for(db)
    with st.form("data_officer_login", border=True, width=420):
        password = st.text_input(t("data.password"), type="password", key="data_password")
        submitted = st.form_submit_button(t("data.unlock"), type="primary", disabled=waiting > 0)
    if submitted:
        try:
            result = lockout.attempt(db, lambda: verify(password or "", configured), _client_address())
        except OSError as error:
            st.error(t("data.attempts_unrecorded", path=inert(lockout.store_path(db)), reason=inert(error.strerror)),
                     icon=":material/error:")
            return False
        if result.ok:
            _unlock(result)
            st.rerun()
        time.sleep(_FAILURE_DELAY_S)
        if result.locked_for:
            st.rerun()  # drawn again with the button disabled and the time left
        st.error(t("data.wrong_password", left=result.failures_left, minutes=lockout.LOCK_SECONDS // 60),
                 icon=":material/error:")
    if waiting:
        st.error(t("data.locked_out", failures=lockout.MAX_FAILURES, minutes=lockout.LOCK_SECONDS // 60,
                   wait=wait_text(waiting)), icon=":material/timer:")
    return False


def failures_notice() -> None:
    """Once after an unlock: the failed attempts since the last successful one, when there were any."""
    failures: list[lockout.Failure] = st.session_state.pop(_SINCE_LAST, None) or []
    if failures:
        last = failures[-1]
        st.warning(t("data.failures_since", count=len(failures), time=last.when(),
                     address=inert(last.address or t("data.address_unknown"))), icon=":material/shield:")


def lock_button() -> None:
    if account.viewer().account is not None:  # signed in: signing out ends it
        return
    if st.sidebar.button(t("data.lock"), icon=":material/lock:", key="data_lock"):
        _lock()
        st.rerun()

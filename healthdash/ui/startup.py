"""First start: make sure the database exists, building the demo with a progress bar if it does not."""

from __future__ import annotations

import fcntl
from pathlib import Path

import streamlit as st

from healthdash.core.i18n import t
from healthdash.data.db import database_path


def ensure_database() -> Path:
    path = database_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Sessions opening at the same moment must not build twice: the first takes the lock and builds,
    # the others wait for it and find the file.
    with open(path.with_suffix(".build-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            from healthdash.data.demo import build_demo

            bar = st.progress(0.0, text=t("app.building"))
            build_demo(path, progress=lambda share, message: bar.progress(min(share, 1.0), text=message))
            bar.empty()
            st.toast(t("app.built"), icon=":material/check_circle:")
    return path

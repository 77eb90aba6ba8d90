"""Keeping widget state and the URL in step, so a copied link reopens the same view.

The URL wins when it was changed from outside this session (first load of a link, a link clicked in
the app, back/forward); otherwise the widgets win and the URL is rewritten from them. A page switch
that clears the URL keeps the session's view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from healthdash.i18n import t

_WRITTEN = "_url_written"


def _url_values(keys: Iterable[str]) -> dict[str, str]:
    return {key: st.query_params[key] for key in keys if key in st.query_params}


def changed_from_outside(keys: Iterable[str]) -> dict[str, str] | None:
    """The URL's values for `keys` if they differ from what this session last wrote, else None."""
    keys = tuple(keys)
    current = _url_values(keys)
    written = {k: v for k, v in st.session_state.get(_WRITTEN, {}).items() if k in keys}
    if current == written or (not current and written):
        return None
    return current


def write(keys: Iterable[str], values: Mapping[str, str]) -> None:
    """Make the URL show exactly `values` for `keys` (keys without a value are removed)."""
    keys = tuple(keys)
    for key in keys:
        if key in values:
            if st.query_params.get(key) != values[key]:
                st.query_params[key] = values[key]
        elif key in st.query_params:
            del st.query_params[key]
    written = {k: v for k, v in st.session_state.get(_WRITTEN, {}).items() if k not in keys}
    st.session_state[_WRITTEN] = written | {k: v for k, v in values.items() if k in keys}


def choice(key: str, options: list[str], default: str) -> str:
    """Seed the session value of a single-choice widget keyed `key` (also its URL key) and return it.

    Call before rendering the widget with `key=key` and no default; call `write_choice` after it.
    """
    outside = changed_from_outside([key])
    if outside is not None:
        value = outside.get(key)
        if value is not None and value not in options:
            st.warning(f"{t('filters.dropped')} {key}={plain(value)}")
            value = None
        st.session_state[key] = value or default
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default
    return st.session_state[key]


def write_choice(key: str, default: str) -> None:
    value = st.session_state.get(key)
    write([key], {} if value == default or value is None else {key: value})


def plain(text: str) -> str:
    """`text` escaped so that Markdown shows it literally (URL values are typed by anyone)."""
    return "".join("\\" + char if char in "\\`*_{}[]()<>#+-.!|~$:" else char for char in text)

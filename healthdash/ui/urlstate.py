"""Keeping widget state and the URL in step, so a copied link reopens the same view.

The URL wins when it was changed from outside this session (first load of a link, a link clicked in
the app, back/forward); otherwise the widgets win and the URL is rewritten from them. A page switch
that clears the URL keeps the session's view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import streamlit as st

from healthdash.core.i18n import t
from healthdash.core.markup import inert

_WRITTEN = "_url_written"
_REQUESTED = "_url_requested"
# Set for one run when the labels changed (a language switch): a keyed widget keeps its ID when only its
# labels change, and the browser then goes on showing the old label (a select) or no choice at all (a
# radio) until the page is reloaded. Assigning the value again makes Streamlit send it with the new labels.
RELABEL = "_url_relabel"
Number = int | float
# No value the app writes comes near this (the longest, a code list of tiers, has ~40 characters); a longer
# one is someone's experiment, clipped at once so that no parser, widget or note ever handles all of it.
MAX_VALUE = 200
_CLIPPED = 24


def clip(value: str) -> str:
    """`value`, or for one longer than MAX_VALUE its start and "…": still shown in the note about dropped
    values, and never a valid value (no option, code or number ends in "…")."""
    return value if len(value) <= MAX_VALUE else value[:_CLIPPED] + "…"


def url_value(key: str) -> str | None:
    """The URL's value for `key` (clipped), or None."""
    value = st.query_params.get(key)
    return None if value is None else clip(value)


def _url_values(keys: Iterable[str]) -> dict[str, str]:
    return {key: clip(st.query_params[key]) for key in keys if key in st.query_params}


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
    params = st.query_params.to_dict()
    wanted = {k: v for k, v in params.items() if k not in keys or k in values}
    wanted |= {k: v for k, v in values.items() if k in keys}
    # At once: the browser adds a step to its history for each change, and Back should undo a click.
    if wanted != params:
        st.query_params.from_dict(wanted)
    written = {k: v for k, v in st.session_state.get(_WRITTEN, {}).items() if k not in keys}
    st.session_state[_WRITTEN] = written | {k: v for k, v in values.items() if k in keys}


def asked(key: str) -> list[str]:
    """The values a single-choice widget keyed `key` may be given in this run: the URL's, the session's and
    one requested from code (`request`). A caller whose options are too many to list (every facility of a
    province) checks just these and passes the ones that are valid as extra options to `choice`."""
    values = [url_value(key), st.session_state.get(key), st.session_state.get(_REQUESTED, {}).get(key)]
    return list(dict.fromkeys(value for value in values if isinstance(value, str) and value))


def choice(key: str, options: list[str], default: str) -> str:
    """Seed the session value of a single-choice widget keyed `key` (also its URL key) and return it.

    Call before rendering the widget with `key=key` and no default; call `write_choice` after it.
    """
    outside = changed_from_outside([key])
    requested = st.session_state.get(_REQUESTED, {}).pop(key, None)
    if outside is None and requested in options:
        st.session_state[key] = requested
    elif outside is not None:
        value = outside.get(key)
        if value is not None and value not in options:
            st.warning(f"{t('filters.dropped')} {key}={inert(value)}", icon=":material/link_off:")
            value = None
        st.session_state[key] = value or default
    elif st.session_state.get(key) not in options:
        # A widget left out of a run (a slide not shown) loses its state; the URL still has it.
        kept = url_value(key)
        st.session_state[key] = kept if kept in options else default
    elif st.session_state.get(RELABEL):
        st.session_state[key] = st.session_state[key]
    return st.session_state[key]


def write_choice(key: str, default: str) -> None:
    value = st.session_state.get(key)
    write([key], {} if value == default or value is None else {key: value})


def parse_number(text: str, low: Number, high: Number, step: Number) -> Number | None:
    """`text` as a value of a slider from `low` to `high` in steps of `step`, or None when it is not one.

    Integer sliders (all three bounds int) take only whole numbers; float sliders any finite number.
    Values off the step grid are snapped to the nearest step (a hand-edited 31 on a 5-step slider
    means about 30, not a broken link); values outside the range are rejected.
    """
    whole = all(isinstance(bound, int) for bound in (low, high, step))
    try:
        value: Number = int(text.strip()) if whole else float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    steps = round((value - low) / step)
    snapped = low + steps * step
    return snapped if whole else round(min(snapped, high), 10)


def number_text(value: Number) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def slider(key: str, low: Number, high: Number, default: Number, step: Number) -> Number:
    """Seed the session value of a slider keyed `key` (also its URL key) and return it.

    Like `choice`: call before rendering `st.slider(..., key=key)` without a value, then
    `write_slider(key, default)`. A URL value that is not a number on the slider is dropped with a note.
    """
    outside = changed_from_outside([key])
    if outside is not None:
        text = outside.get(key)
        value = parse_number(text, low, high, step) if text is not None else None
        if text is not None and value is None:
            st.warning(f"{t('filters.dropped')} {key}={inert(text)}", icon=":material/link_off:")
        st.session_state[key] = default if value is None else value
    else:
        current = st.session_state.get(key)
        if not isinstance(current, int | float) or not low <= current <= high:
            kept = url_value(key)
            value = parse_number(kept, low, high, step) if kept is not None else None
            st.session_state[key] = default if value is None else value
    return st.session_state[key]


def write_slider(key: str, default: Number) -> None:
    value = st.session_state.get(key)
    write([key], {} if value is None or value == default else {key: number_text(value)})


def request(key: str, value: str) -> None:
    """Set the single-choice widget `key` from code — e.g. after a click on a chart — and rerun: `choice`
    applies the value on the rerun, before the widget is drawn (a drawn widget's value cannot be changed).
    A value that is not among the widget's options then is ignored."""
    st.session_state.setdefault(_REQUESTED, {})[key] = value
    st.rerun()

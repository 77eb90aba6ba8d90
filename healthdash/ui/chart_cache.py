"""Charts built once per distinct input, kept as their Vega-Lite spec.

Altair spends time building a chart and checking it against the Vega-Lite schema (docs/PERFORMANCE.md,
"Start-up costs"); a page with six charts paid that at every rerun, even when nothing it draws had changed (a click elsewhere, a warm
filter). A builder decorated with `cached_spec` returns the spec (a dict, checked once when built) and
is rebuilt only when its arguments, the language or the database change: the builders read labels in
the session's language and some read the indicator catalog or run a query, so those are in the key too.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from typing import Any, ParamSpec

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from healthdash.core.i18n import current_lang
from healthdash.data.db import DatabaseId, current_scope, database_id

P = ParamSpec("P")


class ChartSpec(dict):
    """A chart's Vega-Lite spec, its datasets inline (what a file export and a test read), carrying the
    same datasets as Arrow IPC bytes too (`arrow`): what Streamlit sends the browser, converted once when
    the chart is built instead of at every rerun."""

    def __init__(self, spec: dict[str, Any], arrow: dict[str, bytes] | None = None) -> None:
        super().__init__(spec)
        self.arrow = arrow or {}

    def for_browser(self) -> dict[str, Any]:
        """The spec as st.vega_lite_chart takes it: datasets already in Arrow, so it only copies them."""
        return {**self, "datasets": self.arrow} if self.arrow else dict(self)

# The builders aggregate before drawing; a cap meant for raw data would refuse a large heatmap.
alt.data_transformers.disable_max_rows()
# Checking a spec against the Vega-Lite schema (jsonschema walking every node) took a quarter of a page's
# first run for a new selection. The tests turn it on (tests/conftest.py) and draw every page's charts, in
# AppTest and in the browser tests' server; a running dashboard builds the same specs unchecked.
CHECK_SPECS = os.environ.get("HEALTHDASH_CHECK_CHARTS") == "1"


def cached_spec(builder: Callable[P, alt.TopLevelMixin | None]) -> Callable[P, ChartSpec | None]:
    """`builder` returning the spec of its chart (None stays None), built once per distinct arguments,
    language, database version and jurisdiction."""
    # The builder's bytecode is in the key, so an edited builder is rebuilt without a restart.
    version = f"{builder.__module__}.{builder.__qualname__}:{hashlib.sha1(builder.__code__.co_code).hexdigest()}"

    @functools.wraps(builder)
    def cached(*args: P.args, **kwargs: P.kwargs) -> ChartSpec | None:
        return _spec(version, current_lang(), _database(), current_scope(), _fingerprint(args), _fingerprint(kwargs),
                     builder, args, kwargs)

    return cached


def _database() -> DatabaseId | None:
    """The database version; None without a database file (a pure builder in a unit test: one that
    reads the database fails when it does)."""
    try:
        return database_id()
    except FileNotFoundError:
        return None


def _fingerprint(value: Any) -> Any:
    """`value` as Streamlit's cache hashes it well: Altair objects (a selection, a tooltip), which it
    cannot hash, by their printed definition; data frames by a digest of their pickle (a twentieth of
    the time Streamlit takes to hash a frame of strings; equal frames built alike pickle alike)."""
    if type(value).__module__.startswith("altair."):
        return repr(value)
    if isinstance(value, pd.DataFrame | pd.Series):
        return "frame:" + hashlib.sha1(pickle.dumps(value, protocol=5)).hexdigest()
    if isinstance(value, list | tuple):
        return [_fingerprint(item) for item in value]
    if isinstance(value, dict):
        return {key: _fingerprint(item) for key, item in value.items()}
    return value


@st.cache_data(max_entries=1000, show_spinner=False)
def _spec(version: str, lang: str, db: DatabaseId | None, scope: dict[str, object], args: list, kwargs: dict[str, Any],
          _builder: Callable[..., alt.TopLevelMixin | None], _args: tuple, _kwargs: dict[str, Any]) -> ChartSpec | None:
    chart = _builder(*_args, **_kwargs)
    if chart is None:
        return None
    spec = chart.to_dict(validate=CHECK_SPECS)
    arrow = {name: dataframe_util.convert_anything_to_arrow_bytes(values)
             for name, values in spec.get("datasets", {}).items()}
    return ChartSpec(spec, arrow)

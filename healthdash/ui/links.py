"""Links between views, so that every place or hospital name opens everything about it, in the same tab.

Every internal link is built here from the current selection. The URLs are relative
("county?county=450223", "./?city=450200"): they resolve next to the page showing them wherever the app
is served, and the page reads its subject back from the query parameters, so the link alone reopens the
view. A link carries the period and comparison of the view it was made from; a city or town, which have
no profile, opens the Overview narrowed to it.

Tables show links through `table`: a cell holds the URL with the name appended as its fragment
(`labelled`), the table displays the name, and a click on it opens the URL in the same tab (`open_url`:
Streamlit's own link cells always open a new tab). The browser's Back button returns to the view before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pandas as pd
import streamlit as st

from healthdash.core.filters import FilterOptions, Filters, narrow
from healthdash.ui import presenter
from healthdash.ui.navigation import app_pages

COUNTY_PAGE = "county"
FACILITY_PAGE = "facility"
ALLIANCE_PAGE = "alliances"
FACILITY_KEY = "facility"  # URL key of the facility profile's subject (the county profile uses "county")
OVERVIEW_PAGE = "./"  # the default page's address is the app's root
_CARRIED_KEYS = ("period", "from", "to", "cmp", "tiers")
_SESSION_KEYS = ("lang", "present")  # not part of the selection, but of how this user reads it
_LABEL = r"#(.+)$"
LINK_COLOR = "#1f5fbf"


def _url(page: str, params: dict[str, str], filters: Filters | None) -> str:
    query = dict(params)
    if filters is not None:
        query |= {key: value for key, value in filters.to_query().items() if key in _CARRIED_KEYS}
    return f"{page}?{urlencode(query)}"


def county_profile_url(code: str, filters: Filters | None = None) -> str:
    """'county?county=450223' (plus the period of `filters`, when given)."""
    return _url(COUNTY_PAGE, {"county": code}, filters)


def facility_profile_url(code: str, filters: Filters | None = None) -> str:
    """'facility?facility=H450223001' (plus the period of `filters`, when given)."""
    return _url(FACILITY_PAGE, {FACILITY_KEY: code}, filters)


def alliance_url(code: str, filters: Filters | None = None) -> str:
    """'alliances?alliance=A009': the alliances page with the alliance selected in the shared sidebar."""
    return _url(ALLIANCE_PAGE, {"alliance": code}, filters)


def place_url(level: str, code: str, filters: Filters, options: FilterOptions) -> str:
    """Where a place or facility name leads: a county's or facility's profile; a city or town, which have
    no profile, the Overview narrowed to it, with the whole selection in the order the page writes it
    (so that opening it adds one step to the browser's history, not two)."""
    if level == "county":
        return county_profile_url(code, filters)
    if level == "facility":
        return facility_profile_url(code, filters)
    narrowed = narrow(filters, options, level, code) or filters
    return f"{OVERVIEW_PAGE}?{urlencode(narrowed.to_query())}"


def labelled(url: str, label: str) -> str:
    """The URL with `label` as its fragment, for a `link_column` cell to display."""
    return f"{url}#{_fragment(label)}"


@lru_cache(maxsize=100_000)  # the same names on every rerun
def _fragment(label: str) -> str:
    return quote(label, safe="")


def labelled_links(urls: Iterable[str | None], labels: Iterable[object]) -> list[str | None]:
    """`labelled` for each pair; a missing URL gives an empty cell, a missing label the URL alone."""
    cells: list[str | None] = []
    for url, label in zip(urls, labels, strict=True):
        if url is None:
            cells.append(None)
        elif label is None or pd.isna(label):
            cells.append(url)
        else:
            cells.append(labelled(url, str(label)))
    return cells


def _urls(page: str, key: str, codes: Iterable[str | None], filters: Filters | None) -> list[str | None]:
    """_url(page, {key: code}, filters) for each code (None for none), the period encoded once: a province's
    tables link tens of thousands of rows."""
    carried = _url("", {}, filters).removeprefix("?")
    tail = f"&{carried}" if carried else ""
    return [f"{page}?{urlencode({key: code})}{tail}" if code else None for code in codes]


def county_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links(_urls(COUNTY_PAGE, "county", codes, filters), names)


def facility_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links(_urls(FACILITY_PAGE, FACILITY_KEY, codes, filters), names)


def alliance_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links(_urls(ALLIANCE_PAGE, "alliance", codes, filters), names)


def link_column(
    title: str, help: str | None = None, width: str | None = None, pinned: bool | None = None
) -> st.column_config.LinkColumn:
    """A table column of `labelled` links that shows the names; `table` opens a link on a click."""
    return st.column_config.LinkColumn(title, display_text=_LABEL, help=help, width=width, pinned=pinned)


@cache
def _scripts() -> dict[str, str]:
    """Page script by URL path, the default page also under "" (its address is the root)."""
    pages = app_pages()
    scripts = {page.url_path: page.script for page in pages}
    scripts[""] = next(page.script for page in pages if page.default)
    return scripts


def destination(url: str) -> tuple[str, dict[str, str]] | None:
    """The page script and query parameters an internal `url` opens (a `labelled` one too), or None when
    it names no page of the navigation."""
    parts = urlsplit(url)
    path = parts.path.removeprefix("./").strip("/")
    script = _scripts().get(path)
    if parts.scheme or parts.netloc or script is None:
        return None
    return script, dict(parse_qsl(parts.query))


def open_url(url: str) -> None:
    """Open an internal `url` in this tab, as a click on a link would: the browser loads it, so Back
    returns to this view in one step (st.switch_page with query parameters leaves two steps in the
    history, the first showing the new parameters on the old page). The language and presenter mode go
    along. An address that names no page is ignored."""
    target = destination(url)
    if target is None:
        return
    address = url.partition("#")[0]
    carried = {key: st.query_params[key] for key in _SESSION_KEYS if key in st.query_params}
    if carried:
        address += ("&" if "?" in address else "?") + urlencode(carried)
    # JSON with "<" escaped is a JavaScript string that cannot end the script element.
    literal = json.dumps(address).replace("<", "\\u003c")
    st.html(f"<script>window.location.assign({literal});</script>", unsafe_allow_javascript=True)
    st.stop()


STYLED_CELLS = 5_000  # the most cells a table's names are coloured in (links.table)


def _is_link(config: object) -> bool:
    return isinstance(config, Mapping) and config.get("type_config", {}).get("type") == "link"


def table(
    frame: pd.DataFrame, key: str, column_config: Mapping[str, Any] | None = None,
    on_row: Callable[[], None] | None = None, **options: Any,
) -> None:
    """`st.dataframe` whose `link_column`s show names that open their link in this tab on a click. With
    `on_row`, a row can also be selected (its checkbox): `on_row` runs then, before the rerun, and reads
    the selection from st.session_state[key] (its cells are empty)."""
    frame = presenter.slide_rows(frame)
    config = dict(column_config or {})
    linked = [name for name, column in config.items() if _is_link(column) and name in frame.columns]
    shown = frame.assign(**{
        name: [label_of(cell) if isinstance(cell, str) else cell for cell in frame[name]] for name in linked
    })
    for name in linked:
        column = config[name]
        config[name] = st.column_config.TextColumn(
            column.get("label") or name, help=column.get("help"), width=column.get("width"),
            pinned=column.get("pinned"),
        )
    # Blue names say "click me", as links do (and not the grey of a pinned column). Styling costs about 10 µs
    # a cell on every rerun, so a long table (a province's members) keeps its links in the default colour.
    stylable = linked and shown.size <= STYLED_CELLS
    styled = shown.style.map(lambda _: f"color: {LINK_COLOR}", subset=linked) if stylable else shown
    event = st.dataframe(
        styled, key=key, column_config=config,
        on_select=on_row or ("rerun" if linked else "ignore"),
        selection_mode=["single-row", "single-cell"] if on_row else "single-cell", **options,
    )
    cells = event.selection.cells if linked or on_row else []  # type: ignore[union-attr]
    for row, column in cells:
        cell = frame[column].iloc[row] if column in linked else None
        if isinstance(cell, str):
            open_url(cell)  # the browser loads the link: the selection goes with this session


def label_of(cell: str) -> str:
    """The name a `link_column` shows for a cell (what the browser displays), for tests and exports."""
    _, _, fragment = cell.partition("#")
    return _unquoted(fragment) if fragment else cell


@lru_cache(maxsize=100_000)  # the same names on every rerun
def _unquoted(fragment: str) -> str:
    return unquote(fragment)

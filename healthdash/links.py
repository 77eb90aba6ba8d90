"""Links to the profile pages, so that every place or hospital name opens everything about it.

The URLs are relative ("county?county=450223"): they resolve next to the page showing them wherever
the app is served, and the profile reads its subject back from the query parameter, so the link alone
reopens the profile. A link may carry the period of the view it was made from (never its places: the
subject is the place).

Tables show links with `link_column`: the cell holds the URL with the name appended as its fragment
(`labelled`), which the browser never sends and the app ignores, and the column displays the name.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, unquote, urlencode

import pandas as pd
import streamlit as st

from healthdash.filters import Filters

COUNTY_PAGE = "county"
FACILITY_PAGE = "facility"
ALLIANCE_PAGE = "alliances"
FACILITY_KEY = "facility"  # URL key of the facility profile's subject (the county profile uses "county")
_PERIOD_KEYS = ("period", "from", "to", "cmp")
_LABEL = r"#(.+)$"


def _url(page: str, params: dict[str, str], filters: Filters | None) -> str:
    query = dict(params)
    if filters is not None:
        query |= {key: value for key, value in filters.to_query().items() if key in _PERIOD_KEYS}
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


def place_url(level: str, code: str, filters: Filters | None = None) -> str:
    """Where a place or facility name leads: a county's or facility's profile; a city or town, which have
    no profile, the Overview narrowed to it."""
    if level == "county":
        return county_profile_url(code, filters)
    if level == "facility":
        return facility_profile_url(code, filters)
    return _url("overview", {level: code}, filters)


def labelled(url: str, label: str) -> str:
    """The URL with `label` as its fragment, for a `link_column` cell to display."""
    return f"{url}#{quote(label, safe='')}"


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


def county_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links([county_profile_url(c, filters) if c else None for c in codes], names)


def facility_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links([facility_profile_url(c, filters) if c else None for c in codes], names)


def alliance_links(codes: Iterable[str | None], names: Iterable[object], filters: Filters | None = None) -> list:
    return labelled_links([alliance_url(c, filters) if c else None for c in codes], names)


def link_column(
    title: str, help: str | None = None, width: str | None = None, pinned: bool | None = None
) -> st.column_config.LinkColumn:
    """A table column of `labelled` links that shows the names and opens the profile on click."""
    return st.column_config.LinkColumn(title, display_text=_LABEL, help=help, width=width, pinned=pinned)


def label_of(cell: str) -> str:
    """The name a `link_column` shows for a cell (what the browser displays), for tests and exports."""
    _, _, fragment = cell.partition("#")
    return unquote(fragment) if fragment else cell

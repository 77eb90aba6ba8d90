"""Run queries/<name>.sql with bound parameters, without Streamlit.

The same file and parameter rules as healthdash.db.execute (which sits in a module that imports Streamlit
for its caches): a page passes `lambda name, params: db.run_query(name, **params)` as the Runner to get
its caching, tests and tools pass runner(con).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

import duckdb
import pandas as pd

from healthdash.quality.config import QUERY_DIR

Runner = Callable[[str, Mapping[str, object]], pd.DataFrame]

_NAME = re.compile(r"^[a-z0-9_]+$")
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def load(name: str) -> str:
    """Text of queries/<name>.sql; only names of files that exist there are accepted."""
    if not _NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no such query: {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def parameters(name: str) -> frozenset[str]:
    """The $parameters queries/<name>.sql uses (its header comment does not count)."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", load(name))))


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None, *,
        catalog: str | None = None, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Run a named query on its own cursor; `catalog`: the attached database to read (connections made by
    db.open_readonly); `tables`: frames the query reads by name, visible to this cursor only."""
    cursor = con.cursor()
    try:
        if catalog is not None:
            if not _NAME.match(catalog):
                raise ValueError(f"not a catalog name: {catalog!r}")
            cursor.execute(f"use {catalog}")  # an identifier, checked above: it cannot be bound
        for table, frame in (tables or {}).items():
            cursor.register(table, frame)
        used = parameters(name)
        return cursor.execute(load(name), {key: value for key, value in (params or {}).items() if key in used}).df()
    finally:
        cursor.close()


def runner(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> Runner:
    """A Runner on `con` (uncached)."""
    return lambda name, params: run(con, name, params, catalog=catalog)

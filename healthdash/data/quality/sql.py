"""How the quality engine runs its queries: through a Runner, `lambda name, params: db.run_query(name,
**params)` on a page (cached, within the viewer's jurisdiction), `runner(con, scope)` elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import pandas as pd

from healthdash.data import db

Runner = Callable[[str, Mapping[str, object]], pd.DataFrame]


def runner(con: duckdb.DuckDBPyConnection, scope: Mapping[str, object], catalog: str | None = None) -> Runner:
    """A Runner on `con` (uncached) reading within `scope` ({"scope_kind": …, "scope_code": …})."""
    return lambda name, params: db.execute(con, name, {**params, **scope}, catalog=catalog)

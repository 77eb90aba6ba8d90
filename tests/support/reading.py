"""Queries run straight on a connection, as the province's account reads them (the tests' jurisdiction,
said in one place; tests of the jurisdictions themselves pass their own $scope_kind and $scope_code)."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from healthdash.data import db


def execute(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None,
            **options: object) -> pd.DataFrame:
    return db.execute(con, name, {**db.EVERYTHING, **(params or {})}, **options)  # type: ignore[arg-type]

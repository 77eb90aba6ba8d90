"""Tiny worlds: dashboard databases holding only the rows a test writes by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthdash.data.build import write_database
from healthdash.data.catalog import load_catalog


def write_world(path: Path, kind: str = "production", **tables: pd.DataFrame) -> Path:
    """A database at `path` with the indicator catalog and exactly `tables` (table name -> rows), written
    by healthdash.data.build.write_database as a load writes one, rollups included."""
    write_database(path, {"indicator": load_catalog(), **tables}, kind=kind)
    return path

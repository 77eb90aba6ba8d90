"""Load a commission's own boundary file (GeoJSON) into region_boundary: checked whole first, then written
by the loads' locked copy and atomic swap (loader.write), so a bad file or a failure changes nothing.

Zipped shapefiles are not read: no small, well-kept pure-Python reader handles their projections (.prj),
and a standard map service exports GeoJSON too (docs/MAPS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from healthdash.core.geo import Area, BoundaryError, read_areas
from healthdash.data.boundaries import COLUMNS, boundary_rows
from healthdash.data.db import open_readonly
from healthdash.ingest import loader

_LISTED = 8  # unknown codes named in the message; the rest counted
# (kind, code) -> whether the account may load it (healthdash.ingest.jurisdiction.Allows); None: anything.
Allows = Callable[[str, str], bool] | None


@dataclass(frozen=True)
class Checked:
    """A boundary file that passed: its areas and the names the database gives them."""

    areas: list[Area]
    names: dict[str, str]


def _listed(codes: list[str]) -> str:
    return "、".join(codes[:_LISTED]) + (f" …（{len(codes)}）" if len(codes) > _LISTED else "")


def _known(con: duckdb.DuckDBPyConnection, areas: list[Area], allows: Allows) -> dict[str, str]:
    """Code -> region name for the areas' codes; raises for a code that is no region of the database, or a
    region outside the loading account's jurisdiction (a county officer loads only the county's outlines)."""
    codes = [area.code for area in areas]
    rows = con.execute("select adcode, code, name from region where list_contains($codes, adcode)",
                       {"codes": codes}).fetchall()
    known = {adcode: name for adcode, _, name in rows}
    missing = [code for code in codes if code not in known]
    if missing:
        raise BoundaryError("unknown_codes", codes=_listed(missing))
    if allows is not None:
        outside = [adcode for adcode, code, _ in rows if not allows("region", code)]
        if outside:
            raise BoundaryError("outside_codes", codes=_listed(sorted(outside)))
    return known


def check(db: Path, raw: bytes, limit_mb: float, allows: Allows = None) -> Checked:
    """Read and check a boundary file against the database and the account's jurisdiction (`allows`),
    changing nothing; raises BoundaryError."""
    if len(raw) > limit_mb * 1024 * 1024:
        raise BoundaryError("too_large", limit=f"{limit_mb:g}")
    areas = read_areas(raw)
    con = open_readonly(db)
    try:
        return Checked(areas, _known(con, areas, allows))
    finally:
        con.close()


def load(db: Path, raw: bytes, source: str, approval: str | None, limit_mb: float, allows: Allows = None) -> int:
    """Check the file and replace the outlines of its codes, all or none; returns how many were loaded."""
    checked = check(db, raw, limit_mb, allows)
    rows = boundary_rows(checked.areas, source, approval or None, datetime.now().replace(microsecond=0))

    def work(con: duckdb.DuckDBPyConnection) -> int:
        _known(con, checked.areas, allows)  # again under the lock: the regions may have changed since the check
        con.register("boundary_rows", rows)
        try:
            con.execute("delete from region_boundary where adcode in (select adcode from boundary_rows)")
            con.execute(f"insert into region_boundary ({', '.join(COLUMNS)}) select {', '.join(COLUMNS)} from boundary_rows")
        finally:
            con.unregister("boundary_rows")
        return len(rows)

    return loader.write(db, work)

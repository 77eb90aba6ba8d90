"""Load a commission's own boundary file (GeoJSON, or a zipped shapefile) into region_boundary: checked whole
first, then written by the loads' locked copy and atomic swap (loader.write), so a bad file or a failure
changes nothing. A load is a batch of import_batch, undone like a report load (loader.undo).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from healthdash.core.geo import Area, BoundaryError, areas_of, read_areas
from healthdash.core.shapezip import is_zip, read_zip
from healthdash.data.boundaries import boundary_rows, replace
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


def read(raw: bytes, name: str, limit_mb: float) -> list[Area]:
    """The areas of a GeoJSON file or a zipped shapefile (told apart by content; a .zip that is none is
    refused), checked whole; raises BoundaryError."""
    if len(raw) > limit_mb * 1024 * 1024:
        raise BoundaryError("too_large", limit=f"{limit_mb:g}")
    if is_zip(raw) or name.lower().endswith(".zip"):
        return areas_of(read_zip(raw, int(limit_mb * 1024 * 1024)))
    return read_areas(raw)


def check(db: Path, raw: bytes, limit_mb: float, allows: Allows = None, name: str = "") -> Checked:
    """Read and check a boundary file named `name` against the database and the account's jurisdiction
    (`allows`), changing nothing; raises BoundaryError."""
    areas = read(raw, name, limit_mb)
    con = open_readonly(db)
    try:
        return Checked(areas, _known(con, areas, allows))
    finally:
        con.close()


def load(db: Path, raw: bytes, source: str, approval: str | None, limit_mb: float, allows: Allows = None, *,
         loaded_by: str) -> int:
    """Check the file `source` and replace the outlines of its codes, all or none, as one batch of the load
    history (undone by loader.undo); returns the batch number."""
    checked = check(db, raw, limit_mb, allows, source)
    loaded_at = datetime.now().replace(microsecond=0)
    rows = boundary_rows(checked.areas, source, approval or None, loaded_at)

    def work(con: duckdb.DuckDBPyConnection) -> int:
        _known(con, checked.areas, allows)  # again under the lock: the regions may have changed since the check
        batch = con.execute("select coalesce(max(batch_id), 0) + 1 from import_batch").fetchall()[0][0]
        counts = replace(con, batch, rows)
        con.execute("insert into import_batch values ($batch, $at, $file, $checksum, $rows, $by, 'applied')",
                    {"batch": batch, "at": loaded_at, "file": source, "checksum": hashlib.sha256(raw).hexdigest(),
                     "rows": json.dumps({"region_boundary": counts}), "by": loaded_by})
        return int(batch)

    return loader.write(db, work)

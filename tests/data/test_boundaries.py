"""The demo's boundaries (issue 25): every in-scope county and city with an outline on a standard map has
one, every outline belongs to a region, and the query returns only the places in view within a scope."""

from __future__ import annotations

from pathlib import Path

import duckdb

from healthdash.core.geo import has_outline, polygons_of
from healthdash.data import db
from tests.support.reading import execute


def test_every_county_has_an_area_and_every_area_a_region(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        regions = con.execute(
            "select code, adcode from region where in_scope and level in ('city', 'county')").fetchall()
        areas = dict(con.execute("select adcode, shape_city from region_boundary").fetchall())
        all_adcodes = {row[0] for row in con.execute("select adcode from region where adcode is not null").fetchall()}
    expected = {adcode for _, adcode in regions if has_outline(adcode)}
    assert len(expected) == 29  # 5 cities, 24 counties; 开发区 is a functional zone, drawn nowhere
    assert expected <= set(areas), f"regions without an area: {sorted(expected - set(areas))}"
    assert set(areas) <= all_adcodes, f"areas without a region: {sorted(set(areas) - all_adcodes)}"
    assert all(code == adcode for code, adcode in regions)  # the demo's real places: code is the adcode
    for adcode, shape in areas.items():
        ring = polygons_of(shape)[0][0]
        assert ring[0] == ring[-1] and len(ring) >= 4, adcode
        lon, lat = ring[0]
        assert 100 < lon < 120 and 20 < lat < 40, adcode  # the demo's provinces, in degrees


def test_outlines_of_the_places_in_view_within_the_scope(demo_db: Path) -> None:
    zigong = ["510302", "510303", "510304", "510311", "510321", "510322", "450202"]
    with duckdb.connect(str(demo_db), read_only=True) as con:
        every = execute(con, "region_boundaries", {"codes": zigong, "extent": "city"})
        own = db.execute(con, "region_boundaries", {"scope_kind": "county", "scope_code": "510321",
                                                    "codes": zigong, "extent": "city"})
        coarse = execute(con, "region_boundaries", {"codes": ["510321"], "extent": "province"})
    assert list(every["place_code"]) == sorted(zigong)
    assert list(own["place_code"]) == ["510321"]  # a county's account sees its own outline only
    assert len(coarse["shape"].iloc[0]) < len(every.set_index("place_code").loc["510321", "shape"])

"""A data officer's boundary file (healthdash/ingest/boundaries.py), GeoJSON or a zipped shapefile: a good one
replaces the outlines of its codes and can be undone, a bad one is refused with its reason and leaves the
database file exactly as it was."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
import shapefile

from healthdash.core.geo import BoundaryError
from healthdash.core.i18n import t
from healthdash.core.projection import TransverseMercator
from healthdash.ingest import boundaries, loader

# The standard map service's usual export: CGCS2000, 3° Gauss–Krüger zone 35 (central meridian 105°E).
GK_PRJ = ('PROJCS["CGCS2000_3_Degree_GK_Zone_35",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
          'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
          'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",35500000.0],'
          'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],'
          'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')
GEO_PRJ = ('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
           'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
LAMBERT_PRJ = GK_PRJ.replace("Gauss_Kruger", "Lambert_Conformal_Conic")


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, path)
    return path


def area(code: str, x: float = 104.3, y: float = 29.3) -> dict:
    ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]
    return {"type": "Feature", "properties": {"adcode": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def file_of(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored(db: Path, adcode: str) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select shape_city, source, approval from region_boundary where adcode = ?",
                           [adcode]).fetchone()


def test_a_good_file_replaces_the_outlines_of_its_codes(db: Path) -> None:
    untouched = stored(db, "510322")
    assert boundaries.load(db, file_of(area("510321")), "自贡区县.geojson", "川S(2024)001号", limit_mb=5, loaded_by="张三")
    shape, source, approval = stored(db, "510321")
    ring = json.loads(shape)["coordinates"][0][0]
    assert ring[0] == [104.3, 29.3]
    # The file's ring is anticlockwise (RFC 7946); the map's renderer needs it clockwise, or draws the globe.
    assert sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) < 0
    assert (source, approval) == ("自贡区县.geojson", "川S(2024)001号")
    assert stored(db, "510322") == untouched  # codes the file does not name keep their outlines


@pytest.mark.parametrize(("raw", "problem"), [
    (b"<kml>not geojson</kml>", "not_json"),
    # One good area and one the database does not know: nothing loads, not even the good one.
    (file_of(area("510321"), area("999999")), "unknown_codes"),
    (file_of(area("510321", x=35_500_000.0, y=3_250_000.0)), "not_degrees"),
])
def test_a_bad_file_is_refused_whole_and_changes_nothing(db: Path, raw: bytes, problem: str) -> None:
    before = digest(db)
    with pytest.raises(BoundaryError) as refused:
        boundaries.load(db, raw, "bad.geojson", None, limit_mb=5, loaded_by="张三")
    assert refused.value.code == problem
    assert digest(db) == before
    message = t(f"maps.problem.{problem}", lang="zh", **refused.value.params)
    assert "{" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    if problem == "unknown_codes":
        assert "999999" in message


def test_a_file_over_the_limit_is_refused_before_it_is_read(db: Path) -> None:
    with pytest.raises(BoundaryError) as refused:
        boundaries.check(db, b" " * (2 * 1024 * 1024), limit_mb=1)
    assert refused.value.code == "too_large"


def test_a_county_officer_loads_only_the_countys_outlines(db: Path) -> None:
    """510321 is 荣县 and 510322 富顺县 (both of 自贡): an account of 荣县 may load the one, not the other."""
    with duckdb.connect(str(db), read_only=True) as con:
        county = con.execute("select code from region where adcode = '510321'").fetchone()[0]

    def allows(kind: str, code: str) -> bool:
        return kind == "region" and code == county

    before = digest(db)
    with pytest.raises(BoundaryError) as refused:
        boundaries.load(db, file_of(area("510321"), area("510322")), "自贡.geojson", None, limit_mb=5, allows=allows,
                        loaded_by="荣县")
    assert refused.value.code == "outside_codes" and refused.value.params["codes"] == "510322"
    assert digest(db) == before, "not even the county's own outline"
    assert "510322" in t("maps.problem.outside_codes", lang="zh", **refused.value.params)
    assert boundaries.load(db, file_of(area("510321")), "荣县.geojson", None, limit_mb=5, allows=allows, loaded_by="荣县")
    assert stored(db, "510321")[1] == "荣县.geojson"


def shapefile_zip(rows: list[tuple[str, list]], prj: str | None = GEO_PRJ, field: str = "ADCODE",
                  encoding: str = "gbk", drop: str = "") -> bytes:
    """A zipped shapefile written by pyshp: one polygon per (code, clockwise ring), a GBK .dbf without .cpg
    (as many Chinese GIS exports are), `drop` one of its members."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding) as writer:
        writer.field(field, "C", size=12)
        writer.field("NAME", "C", size=40)
        for code, ring in rows:
            writer.poly([ring])
            writer.record(code, "荣县")
    members = {"区县.shp": shp.getvalue(), "区县.shx": shx.getvalue(), "区县.dbf": dbf.getvalue()}
    if prj is not None:
        members["区县.prj"] = prj.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            if not name.endswith(drop or "\0"):
                archive.writestr(name, data)
    return out.getvalue()


def square(x: float, y: float, side: float) -> list:
    return [[x, y], [x, y + side], [x + side, y + side], [x + side, y], [x, y]]  # clockwise: an outer ring


def test_a_zipped_shapefile_loads_in_degrees_or_gauss_kruger(db: Path) -> None:
    assert boundaries.load(db, shapefile_zip([("510321", square(104.3, 29.3, 0.2))]), "荣县.zip", None,
                           limit_mb=5, loaded_by="张三")
    outline = json.loads(stored(db, "510321")[0])["coordinates"][0][0]
    assert [104.3, 29.3] in outline and [104.5, 29.5] in outline  # degrees kept as given

    ring = square(35_450_000.0, 3_260_000.0, 20_000.0)
    boundaries.load(db, shapefile_zip([("510321", ring)], prj=GK_PRJ), "荣县_gk.zip", None, limit_mb=5, loaded_by="张三")
    outline = json.loads(stored(db, "510321")[0])["coordinates"][0][0]
    inverse = TransverseMercator(6378137.0, 298.257222101, 105.0, 1.0, 35_500_000.0)
    lon, lat = inverse(*ring[0])
    assert 104.4 < lon < 104.6 and 29.4 < lat < 29.5  # 50 km west of 105°E, 3,260 km north: near 荣县
    assert outline[0] == [round(lon, 5), round(lat, 5)]


def test_the_projection_is_snyders_worked_example() -> None:
    """Snyder (USGS 1395) p. 61: UTM on Clarke 1866, x 127,106.5 m, y 4,484,124.4 m is 40°30'N 73°30'W."""
    lon, lat = TransverseMercator(6378206.4, 294.9786982, -75.0, 0.9996)(127_106.5, 4_484_124.4)
    assert abs(lon + 73.5) < 2e-6 and abs(lat - 40.5) < 2e-6


def _truncated() -> bytes:
    raw = shapefile_zip([("510321", square(104.3, 29.3, 0.2))])
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["区县.shp"] = members["区县.shp"][:120]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("raw", "problem"), [
    (b"PK not really a zip", "not_zip"),
    (b"shapefile.zip, but text", "not_zip"),
    (shapefile_zip([("510321", square(104.3, 29.3, 0.2))], drop=".dbf"), "zip_no_dbf"),
    (shapefile_zip([("510321", square(104.3, 29.3, 0.2))], field="MC"), "no_code_field"),
    (shapefile_zip([("510321", square(104.3, 29.3, 0.2)), ("999999", square(104.6, 29.3, 0.2))]), "unknown_codes"),
    (shapefile_zip([("510321", square(35_450_000.0, 3_260_000.0, 20_000.0))], prj=LAMBERT_PRJ), "projection"),
    (shapefile_zip([("510321", square(35_450_000.0, 3_260_000.0, 20_000.0))], prj=None), "zip_no_prj"),
    (_truncated(), "bad_shapefile"),
], ids=["garbage", "text", "no_dbf", "no_code_field", "unknown_code", "lambert", "no_prj", "truncated"])
def test_a_bad_shapefile_is_refused_and_changes_nothing(db: Path, raw: bytes, problem: str) -> None:
    before = digest(db)
    with pytest.raises(BoundaryError) as refused:
        boundaries.load(db, raw, "区县.zip", None, limit_mb=5, loaded_by="张三")
    assert refused.value.code == problem
    assert digest(db) == before
    message = t(f"maps.problem.{problem}", lang="zh", **refused.value.params)
    assert "{" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_a_boundary_load_is_undone_like_a_report_load(db: Path) -> None:
    old = stored(db, "510321")
    first = boundaries.load(db, file_of(area("510321")), "荣县.geojson", None, limit_mb=5, loaded_by="张三")
    second = boundaries.load(db, file_of(area("510321", x=104.0)), "荣县2.geojson", None, limit_mb=5, loaded_by="张三")
    assert json.loads(stored(db, "510321")[0])["coordinates"][0][0][0] == [104.0, 29.3]
    with pytest.raises(loader.LoadError) as blocked:
        loader.undo(db, first, "张三")
    assert blocked.value.code == "undo_blocked"
    loader.undo(db, second, "张三")
    assert json.loads(stored(db, "510321")[0])["coordinates"][0][0][0] == [104.3, 29.3]
    loader.undo(db, first, "张三")
    assert stored(db, "510321") == old
    history = loader.history(db)
    assert list(history["outcome"]) == ["undo", "undo", "undone", "undone"]

"""A data officer's boundary file (healthdash/ingest/boundaries.py): a good one replaces the outlines of its
codes, a bad one is refused with its reason and leaves the database file exactly as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from healthdash.core.geo import BoundaryError
from healthdash.core.i18n import t
from healthdash.ingest import boundaries


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
    assert boundaries.load(db, file_of(area("510321")), "自贡区县.geojson", "川S(2024)001号", limit_mb=5) == 1
    shape, source, approval = stored(db, "510321")
    assert json.loads(shape)["coordinates"][0][0][0] == [104.3, 29.3]
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
        boundaries.load(db, raw, "bad.geojson", None, limit_mb=5)
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
        boundaries.load(db, file_of(area("510321"), area("510322")), "自贡.geojson", None, limit_mb=5, allows=allows)
    assert refused.value.code == "outside_codes" and refused.value.params["codes"] == "510322"
    assert digest(db) == before, "not even the county's own outline"
    assert "510322" in t("maps.problem.outside_codes", lang="zh", **refused.value.params)
    assert boundaries.load(db, file_of(area("510321")), "荣县.geojson", None, limit_mb=5, allows=allows) == 1
    assert stored(db, "510321")[1] == "荣县.geojson"

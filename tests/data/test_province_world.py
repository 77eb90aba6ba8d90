"""The province world (build-demo --world province), tiny: the demo's places keep every published figure,
the synthetic places are complete (facilities, towns, reports, referral events) and the pages' headline
query answers for one of them; the same seed gives the same rows, another seed other rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.core.geo import polygons_of
from healthdash.data.demo import DEFAULT_SEED, province
from tests.data.test_calibration import MEASURES, ROWS, _assert_close, _params
from tests.support.reading import execute

SCALE = 0.01  # 2 synthetic counties, one a city's district: seconds, not minutes
# The base tables the synthetic world fills, whose checksums must not depend on anything but the seed.
FILLED = ("region", "facility", "alliance", "alliance_member", "service_volume", "resident_care", "public_health",
          "alliance_activity", "shared_service", "referral", "report_receipt")


@pytest.fixture(scope="module")
def province_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's demo database turned into a tiny province world (what build_province does after
    building that same demo)."""
    path = tmp_path_factory.mktemp("province") / "health.duckdb"
    shutil.copy(demo_db, path)
    province.extend_database(path, SCALE, DEFAULT_SEED)
    return path


@pytest.fixture(scope="module")
def con(province_db: Path):
    with duckdb.connect(str(province_db), read_only=True) as connection:
        yield connection


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    return {name: con.execute(f'select count(*), bit_xor(hash(t)) from "{name}" t').fetchone() for name in FILLED}


def synthetic(demo_db: Path, tmp_path: Path, seed: int) -> dict[str, tuple[int, int]]:
    path = tmp_path / f"seed-{seed}.duckdb"
    shutil.copy(demo_db, path)
    with duckdb.connect(str(path)) as connection:
        province.add_synthetic(connection, SCALE, seed)
        return checksums(connection)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(
        con: duckdb.DuckDBPyConnection, demo_db: Path, tmp_path: Path) -> None:
    assert synthetic(demo_db, tmp_path, DEFAULT_SEED) == checksums(con)
    other = synthetic(demo_db, tmp_path, DEFAULT_SEED + 1)
    assert other["referral"] != checksums(con)["referral"]
    assert other["facility"] == checksums(con)["facility"], "the places do not move with the seed's figures"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['place']}-{r['measure']}-{r['period_from']}" for r in ROWS])
def test_the_demo_places_keep_their_published_figures(con: duckdb.DuckDBPyConnection, row: dict[str, str]) -> None:
    sql = MEASURES[row["measure"]]
    _assert_close(con.execute(sql, _params(con, row, sql)).fetchone()[0], row)


def test_the_demo_rows_are_untouched(con: duckdb.DuckDBPyConnection, demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as demo:
        before = checksums(demo)
    after = {name: con.execute(f"""select count(*), bit_xor(hash(t)) from "{name}" t
                                   where not exists (select 1 from unnest([{_code_columns(name)}]) c(v)
                                                     where starts_with(v, 'H99') or starts_with(v, '99')
                                                        or starts_with(v, 'AS99'))""").fetchone()
             for name in FILLED}
    assert after == before


def _code_columns(table: str) -> str:
    """The columns of `table` naming a place, facility or alliance (the synthetic ones start with 99)."""
    return {"region": "t.code", "facility": "t.code", "alliance": "t.code", "alliance_member": "t.alliance_code",
            "service_volume": "t.facility_code", "resident_care": "t.county_code", "public_health": "t.town_code",
            "alliance_activity": "t.facility_code", "shared_service": "t.facility_code",
            "referral": "t.from_facility, t.to_facility", "report_receipt": "t.unit_code"}[table]


def test_every_synthetic_county_has_facilities_towns_reports_and_events(con: duckdb.DuckDBPyConnection) -> None:
    counties = con.execute("""
        select c.code, c.name,
            (select count(*) from region t where t.parent_code = c.code and t.level = 'town') as towns,
            (select count(*) from facility_geo g where g.county_code = c.code) as facilities,
            (select count(*) from facility_geo g where g.county_code = c.code and g.tier = 'village') as villages,
            (select count(*) from service_volume v join facility_geo g on g.facility_code = v.facility_code
             where g.county_code = c.code) as volume_rows,
            (select count(*) from public_health p join region t on t.code = p.town_code where t.parent_code = c.code) as health_rows,
            (select count(*) from resident_care r where r.county_code = c.code) as care_rows,
            (select count(*) from report_receipt r where r.unit_code = c.code) as county_receipts,
            (select count(*) from referral x join facility_geo g on g.facility_code = x.from_facility
             where g.county_code = c.code) as events,
        from region c where c.level = 'county' and c.code like '99%' order by c.code
    """).df()
    assert len(counties) == province.sizes(SCALE)[1]
    assert counties["name"].str.contains("模拟").all()
    for column in ("towns", "facilities", "volume_rows", "health_rows", "care_rows", "county_receipts", "events"):
        assert (counties[column] > 0).all(), counties[["code", column]]
    assert counties["villages"].sum() > 0, "rural counties have village clinics"
    unreported = con.execute("""
        select count(*) from service_volume v where v.facility_code like 'H99%'
        and not exists (select 1 from report_receipt r where r.dataset = 'service_volume'
                        and r.unit_code = v.facility_code and r.month = v.month)""").fetchone()[0]
    assert unreported == 0, "every synthetic report has its receipt"


def test_the_headline_query_answers_for_a_synthetic_county(con: duckdb.DuckDBPyConnection) -> None:
    city, county = con.execute(
        "select parent_code, code from region where level = 'county' and code like '99%' and not urban limit 1").fetchone()
    last = con.execute("select max(month) from indicator_fact").fetchone()[0]
    filters = Filters(month_from=last.replace(month=1), month_to=last, city=city, county=county)
    totals = execute(con, "indicator_totals", {"codes": ["outpatient_visits", "up_referrals", "fd_coverage"],
                                               **filters.sql_params()})
    current = totals[totals["period"] == "current"].set_index("indicator_code")
    assert current.loc["outpatient_visits", "numerator"] > 0
    assert current.loc["up_referrals", "numerator"] > 0
    assert 0 < current.loc["fd_coverage", "numerator"] < current.loc["fd_coverage", "denominator"]


def test_every_synthetic_place_has_an_outline_and_a_citys_counties_tile_it(con: duckdb.DuckDBPyConnection) -> None:
    """The synthetic places (codes 99…) draw on the maps: each city and county has a schematic outline keyed
    by its code, and a city's counties cover its rectangle exactly (no gap, no overlap)."""
    places = con.execute("select code, adcode, level, parent_code from region "
                         "where code like '99%' and level in ('city', 'county')").fetchall()
    shapes = dict(con.execute("select adcode, shape_city from region_boundary where adcode like '99%'").fetchall())
    assert places and all(code == adcode for code, adcode, _, _ in places)
    assert {code for code, *_ in places} == set(shapes)

    def area(shape: str) -> float:
        ring = polygons_of(shape)[0][0]
        return -sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2

    for city in {code for code, _, level, _ in places if level == "city"}:
        counties = [code for code, _, level, parent in places if parent == city]
        assert len(counties) >= 1 and all(area(shapes[code]) > 0 for code in counties)  # clockwise outer rings
        assert sum(area(shapes[code]) for code in counties) == pytest.approx(area(shapes[city]), rel=1e-3)

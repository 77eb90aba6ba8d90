"""The county grain (indicator_county_fact, read through macro place_facts) agrees with the facility grain
(indicator_fact) and with the base tables, for every selection that reads it; selections it cannot answer
(a town, an alliance, a facility's account, children that are towns or facilities) read the facility rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.data import db
from tests.support.places import region_code

ALL_TIERS = ["tertiary", "county", "township", "community", "village"]
KEYS = ["indicator_code", "month"]


def facts(con: duckdb.DuckDBPyConnection, *, fine: bool, city: str | None = None, county: str | None = None,
          town: str | None = None, alliance: str | None = None, tiers: list[str] = ALL_TIERS,
          kind: str = "province", code: str | None = None) -> pd.DataFrame:
    frame = con.execute(
        "select indicator_code, month, sum(numerator) as numerator, sum(denominator) as denominator, count(*) as rows "
        "from place_facts($city, $county, $town, $alliance, $tiers, $kind, $code, $fine) group by all order by all",
        {"city": city, "county": county, "town": town, "alliance": alliance, "tiers": tiers, "kind": kind,
         "code": code, "fine": fine}).df()
    return frame


def same_sums(coarse: pd.DataFrame, fine: pd.DataFrame) -> None:
    assert len(coarse) == len(fine) > 0
    pd.testing.assert_frame_equal(coarse[[*KEYS, "numerator", "denominator"]].reset_index(drop=True),
                                  fine[[*KEYS, "numerator", "denominator"]].reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)


@pytest.fixture(scope="module")
def con(demo_db: Path):
    with duckdb.connect(str(demo_db), read_only=True) as connection:
        yield connection


def test_the_county_grain_sums_the_facility_grain(con: duckdb.DuckDBPyConnection) -> None:
    apart = con.execute("""
        with fine as (
            select indicator_code, month, city_code, county_code, tier, sum(numerator) as n, sum(denominator) as d,
            from indicator_fact group by all
        )
        select count(*) from fine
        full join indicator_county_fact c using (indicator_code, month, city_code, county_code, tier)
        where c.numerator is distinct from fine.n and abs(c.numerator - fine.n) > 1e-6
           or c.denominator is distinct from fine.d and abs(c.denominator - fine.d) > 1e-6
    """).fetchall()[0][0]
    assert apart == 0
    counted = con.execute("select (select count(*) from indicator_county_fact), (select count(*) from indicator_fact)"
                          ).fetchall()[0]
    assert counted[0] * 4 < counted[1], f"a small fraction of the facility rows: {counted}"


def test_outpatient_visits_at_the_county_grain_are_the_reported_ones(con: duckdb.DuckDBPyConnection) -> None:
    rollup = con.execute("select county_code, sum(numerator) from indicator_county_fact "
                         "where indicator_code = 'outpatient_visits' group by all order by all").fetchall()
    base = con.execute("select g.county_code, sum(v.outpatient_visits)::double from service_volume v "
                       "join facility_geo g on g.facility_code = v.facility_code where g.in_scope "
                       "group by all order by all").fetchall()
    assert rollup == base and len(base) > 10


def test_selections_that_read_the_county_grain_agree_with_the_facility_rows(demo_db: Path,
                                                                          con: duckdb.DuckDBPyConnection) -> None:
    county = region_code(demo_db, "鹿寨县")
    city = region_code(demo_db, "柳州市")
    for selection in ({}, {"city": city}, {"city": city, "county": county}, {"tiers": ["township", "village"]},
                      {"city": city, "kind": "city", "code": city}, {"kind": "county", "code": county},
                      {"city": city, "county": county, "kind": "county", "code": county}):
        coarse, fine = facts(con, fine=False, **selection), facts(con, fine=True, **selection)
        same_sums(coarse, fine)
        assert coarse["rows"].sum() < fine["rows"].sum(), f"{selection} reads the county grain"


def test_selections_it_cannot_answer_read_the_facility_rows(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    town = con.execute("select town_code, county_code, city_code from indicator_fact where town_code is not null "
                       "limit 1").fetchall()[0]
    facility = con.execute("select facility_code from indicator_fact where facility_code is not null limit 1"
                           ).fetchall()[0][0]
    alliance = con.execute("select scope_alliance from alliance_fact limit 1").fetchall()[0][0]
    for selection in ({"town": town[0], "county": town[1], "city": town[2]}, {"alliance": alliance},
                      {"kind": "facility", "code": facility}):
        coarse, fine = facts(con, fine=False, **selection), facts(con, fine=True, **selection)
        pd.testing.assert_frame_equal(coarse, fine)
    assert facts(con, fine=False, kind=None).empty, "no jurisdiction reads nothing"


def test_page_figures_are_the_same_at_either_grain(demo_db: Path) -> None:
    """indicator_totals for the province and a county against the same sums over indicator_fact."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        codes = [row[0] for row in con.execute("select code from indicator").fetchall()]
        last = con.execute("select max(month) from indicator_fact").fetchall()[0][0]
        for county in (None, region_code(demo_db, "鹿寨县")):
            params = {"city": None if county is None else county[:4] + "00", "county": county, "town": None,
                      "alliance": None, "tiers": ALL_TIERS, "codes": codes, "month_from": last, "month_to": last,
                      "base_from": last, "base_to": last, "scope_kind": "province", "scope_code": None}
            shown = db.execute(con, "indicator_totals", params).query("period == 'current'")
            direct = con.execute(
                "select indicator_code, sum(numerator) as numerator, sum(denominator) as denominator "
                "from indicator_fact where month = $m and ($county is null or county_code = $county) "
                "group by all", {"m": last, "county": county}).df()
            joined = shown.merge(direct, on="indicator_code", suffixes=("", "_direct"))
            assert len(joined) == len(direct) > 20
            assert ((joined["numerator"] - joined["numerator_direct"]).abs() < 1e-6).all()

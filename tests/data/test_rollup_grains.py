"""The county and town grains (indicator_county_fact, indicator_town_fact, read through macro place_facts)
agree with the facility grain (indicator_fact) and with the base tables, for every selection that reads
them; selections they cannot answer (an alliance, a facility's account, children that are facilities) read
the facility rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.data import db
from tests.support.places import region_code

ALL_TIERS = ["tertiary", "county", "township", "community", "village"]
KEYS = ["indicator_code", "month"]


def facts(con: duckdb.DuckDBPyConnection, *, finest: str, city: str | None = None, county: str | None = None,
          town: str | None = None, alliance: str | None = None, tiers: list[str] = ALL_TIERS,
          kind: str = "province", code: str | None = None) -> pd.DataFrame:
    frame = con.execute(
        "select indicator_code, month, sum(numerator) as numerator, sum(denominator) as denominator, count(*) as rows "
        "from place_facts($city, $county, $town, $alliance, $tiers, $kind, $code, $finest) group by all order by all",
        {"city": city, "county": county, "town": town, "alliance": alliance, "tiers": tiers, "kind": kind,
         "code": code, "finest": finest}).df()
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


# The demo has a few village clinics per town (a province ten), so its town grain saves less.
@pytest.mark.parametrize(("table", "keys", "fewer"), [
    ("indicator_county_fact", "indicator_code, month, city_code, county_code, tier", 4),
    ("indicator_town_fact", "indicator_code, month, city_code, county_code, town_code, tier", 1.2),
])
def test_each_grain_sums_the_facility_grain(con: duckdb.DuckDBPyConnection, table: str, keys: str,
                                            fewer: float) -> None:
    # `table` and `keys` are the parameters above: identifiers, not input. Keys may be null (a county's
    # own rows have no town, region-level rows no tier), so rows pair on "not distinct".
    matched = " and ".join(f"c.{key} is not distinct from fine.{key}" for key in keys.split(", "))
    apart, unmatched = con.execute(f"""
        with fine as (
            select {keys}, sum(numerator) as n, sum(denominator) as d, from indicator_fact group by all
        )
        select
            count(*) filter (where abs(c.numerator - fine.n) > 1e-6 or abs(c.denominator - fine.d) > 1e-6
                             or (c.numerator is null) <> (fine.n is null) or (c.denominator is null) <> (fine.d is null)),
            count(*) filter (where c.month is null or fine.month is null),
        from fine
        full join {table} c on {matched}
    """).fetchall()[0]
    assert (apart, unmatched) == (0, 0)
    counted = con.execute(f"select (select count(*) from {table}), (select count(*) from indicator_fact)"
                          ).fetchall()[0]
    assert counted[0] * fewer < counted[1], f"fewer rows than the facility grain: {counted}"


def test_the_grains_are_stored_by_year_then_place(con: duckdb.DuckDBPyConnection) -> None:
    """A year of a county is one run of rows at every grain: the order row groups are pruned by."""
    for table, county_code in (("indicator_fact", "county_code"), ("indicator_county_fact", "county_code"),
                               ("indicator_town_fact", "county_code"), ("referral_flow_monthly", "home_county"),
                               ("referral_facility_monthly", "county_code"), ("report_status", "county_code")):
        runs = con.execute(f"""
            select count(*) from (
                select year(month) as y, {county_code} as county_code,
                    lag(year(month)) over (order by rowid) as py, lag({county_code}) over (order by rowid) as pc,
                from {table}
            ) where y is distinct from py or county_code is distinct from pc
        """).fetchall()[0][0]
        pairs = con.execute(f"select count(distinct (year(month), {county_code})) from {table}").fetchall()[0][0]
        assert runs == pairs, f"{table}: {runs} runs of {pairs} years × counties"


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
        coarse, by_town = facts(con, finest="county", **selection), facts(con, finest="town", **selection)
        fine = facts(con, finest="facility", **selection)
        same_sums(coarse, fine)
        same_sums(by_town, fine)
        assert coarse["rows"].sum() < by_town["rows"].sum() < fine["rows"].sum(), f"{selection}: three grains"


def test_a_town_reads_the_town_grain(con: duckdb.DuckDBPyConnection) -> None:
    town = con.execute("select town_code, county_code, city_code from indicator_fact where town_code is not null "
                       "group by all order by count(distinct facility_code) desc, 1 limit 1").fetchall()[0]
    for selection in ({"town": town[0], "county": town[1], "city": town[2]},
                      {"town": town[0], "county": town[1], "city": town[2], "tiers": ["village"],
                       "kind": "county", "code": town[1]}):
        coarse, fine = facts(con, finest="county", **selection), facts(con, finest="facility", **selection)
        same_sums(coarse, fine)
        assert coarse["rows"].sum() < fine["rows"].sum(), f"{selection} reads the town grain"


def test_selections_it_cannot_answer_read_the_facility_rows(con: duckdb.DuckDBPyConnection) -> None:
    facility = con.execute("select facility_code from indicator_fact where facility_code is not null limit 1"
                           ).fetchall()[0][0]
    alliance = con.execute("select scope_alliance from alliance_fact limit 1").fetchall()[0][0]
    for selection in ({"alliance": alliance}, {"kind": "facility", "code": facility}):
        coarse, fine = facts(con, finest="county", **selection), facts(con, finest="facility", **selection)
        pd.testing.assert_frame_equal(coarse, fine)
    assert facts(con, finest="county", kind=None).empty, "no jurisdiction reads nothing"


def test_public_health_by_town_is_the_facility_rows_by_town(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    """The province's town table (public_health_by_place, towns) against the same rows of indicator_fact."""
    last = con.execute("select max(month) from indicator_fact").fetchall()[0][0]
    codes = ["fd_coverage", "htn_std_mgmt_rate"]
    params = {"city": None, "county": None, "town": None, "alliance": None, "tiers": ALL_TIERS, "codes": codes,
              "month_from": last.replace(month=1), "month_to": last, "place_level": "town",
              "scope_kind": "province", "scope_code": None}
    shown = db.execute(con, "public_health_by_place", params)
    direct = con.execute("""
        select indicator_code, town_code as place_code, arg_max(numerator, month) as numerator,
            arg_max(denominator, month) as denominator,
        from (select indicator_code, town_code, month, sum(numerator) as numerator, sum(denominator) as denominator,
              from indicator_fact where list_contains($codes, indicator_code) and town_code is not null
                and month between $month_from and $month_to group by all)
        group by all order by all
    """, {"codes": codes, "month_from": params["month_from"], "month_to": last}).df()
    joined = shown.merge(direct, on=["indicator_code", "place_code"], suffixes=("", "_direct"))
    assert len(joined) == len(shown) == len(direct) > 100
    assert ((joined["numerator"] - joined["numerator_direct"]).abs() < 1e-6).all()
    assert ((joined["denominator"] - joined["denominator_direct"]).abs() < 1e-6).all()


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


def test_referrals_per_facility_are_the_counted_events_of_each_side(con: duckdb.DuckDBPyConnection) -> None:
    """referral_facility_monthly against the referral events themselves (cancelled ones do not count):
    every facility and month that sent or received one, with what it sent and received by direction."""
    mismatched, rows = con.execute("""
        with counted as (
            select date_trunc('month', referral_date)::date as month, from_facility, to_facility, direction,
                green_channel,
            from referral where status <> 'cancelled'
        ),
        sides as (
            select month, from_facility as facility_code,
                count(*) filter (where direction = 'up') as up_sent,
                count(*) filter (where direction = 'down') as down_sent,
                count(*) filter (where direction = 'out_of_county') as out_of_county_sent,
                count(*) filter (where direction = 'up' and green_channel) as green_up_sent,
                0 as up_received, 0 as down_received, 0 as out_of_county_received, 0 as returned_received,
            from counted group by all
            union all
            select month, to_facility, 0, 0, 0, 0,
                count(*) filter (where direction = 'up'), count(*) filter (where direction = 'down'),
                count(*) filter (where direction = 'out_of_county'), count(*) filter (where direction = 'returned'),
            from counted group by all
        ),
        direct as (select month, facility_code, sum(columns(* exclude (month, facility_code))), from sides group by all)
        select count(*) filter (where r.facility_code is null or d.facility_code is null
                                or (d.up_sent, d.down_sent, d.out_of_county_sent, d.green_up_sent, d.up_received,
                                    d.down_received, d.out_of_county_received, d.returned_received)
                                   <> (r.up_sent, r.down_sent, r.out_of_county_sent, r.green_up_sent, r.up_received,
                                       r.down_received, r.out_of_county_received, r.returned_received)),
               count(*),
        from direct d
        full join referral_facility_monthly r on r.month = d.month and r.facility_code = d.facility_code
    """).fetchone()
    assert rows > 1000
    assert mismatched == 0
    placed = con.execute("select count(*) from referral_facility_monthly r join facility_geo g "
                         "on g.facility_code = r.facility_code and g.county_code = r.county_code").fetchone()[0]
    assert placed == rows, "each row carries its facility's county"

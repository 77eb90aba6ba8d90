"""The demo database is internally consistent and follows the catalog's period rules, checked with this
file's own SQL on the base tables (not the rollups the pages read) wherever a reader could check it.

- every county and year: residents' visits and admissions inside the county are at most the visits and
  discharges at its facilities (an urban district: at its city's facilities);
- parts never exceed wholes: each rate's numerator is at most its denominator at every month, the
  year-to-date and rolling sums included;
- every county-year's pass/fail of the period-end stocks is the year-end month's, as the dashboard shows it;
- an alliance shows nothing before its founding, and a member counts only from its joining.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core import indicators as ind
from healthdash.core.filters import Filters
from healthdash.core.indicators import Indicator
from healthdash.data.catalog import load_catalog
from tests.support.reading import execute

CATALOG = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}


@pytest.fixture(scope="module")
def con(demo_db: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(demo_db), read_only=True)
    yield connection
    connection.close()


def test_residents_in_county_care_never_exceeds_the_countys_facilities(con: duckdb.DuckDBPyConnection) -> None:
    frame = con.execute("""
        with place as (  -- the facilities whose visits a county's residents' in-county care can come from
            select c.code as county_code, f.code as facility_code,
            from region c
            join region fc on fc.level = 'county'
                and (fc.code = c.code or (c.urban and fc.parent_code = c.parent_code))
            join region r on r.code = fc.code or (r.level = 'town' and r.parent_code = fc.code)
            join facility f on f.region_code = r.code
            where c.level = 'county' and c.in_scope
        ),
        facilities as (
            select p.county_code, year(v.month) as year,
                sum(v.outpatient_visits) as outpatient, sum(v.inpatient_discharges) as inpatient,
            from service_volume v join place p using (facility_code)
            group by all
        ),
        residents as (
            select county_code, year(month) as year,
                sum(visits_in_county) filter (where setting = 'outpatient') as outpatient,
                sum(visits_in_county) filter (where setting = 'inpatient') as inpatient,
            from resident_care group by all
        )
        select r.county_code, r.year, r.outpatient as residents_out, f.outpatient as facility_out,
            r.inpatient as residents_in, f.inpatient as facility_in,
        from residents r join facilities f using (county_code, year)
    """).df()
    counties = con.execute("select count(*) from region where level = 'county' and in_scope").fetchone()[0]
    assert len(frame) == counties * 9, "every monitored county, every year of the demo"
    over = frame[(frame["residents_out"] > frame["facility_out"]) | (frame["residents_in"] > frame["facility_in"])]
    assert over.empty, over.head().to_string()


def test_mingshan_first_half_2024_residents_fit_inside_its_visits(con: duckdb.DuckDBPyConnection) -> None:
    inside, visits = con.execute("""
        with mingshan as (select code from region where name = '名山区')
        select
            (select sum(visits_in_county) from resident_care, mingshan
             where county_code = mingshan.code and setting = 'outpatient' and month between '2024-01-01' and '2024-06-01'),
            (select sum(v.outpatient_visits) from service_volume v join facility f on f.code = v.facility_code
             join region r on r.code = f.region_code, mingshan
             where (r.code = mingshan.code or r.parent_code = mingshan.code) and v.month between '2024-01-01' and '2024-06-01')
    """).fetchone()
    assert visits == 488_900, "the published figure"
    assert inside <= visits


def test_no_numerator_exceeds_its_denominator_at_any_month(con: duckdb.DuckDBPyConnection) -> None:
    over = con.execute("""
        select indicator_code, count(*) from indicator_fact
        where denominator is not null and numerator > denominator + 1e-9
          and indicator_code in (select code from indicator where unit = '%')
        group by all
    """).fetchall()
    assert over == []
    ph_over = con.execute("""
        select indicator_code, count(*) from public_health
        where denominator is not null and numerator > denominator group by all
    """).fetchall()
    assert ph_over == []


def test_yearly_programmes_never_pass_their_population(con: duckdb.DuckDBPyConnection) -> None:
    # Year to date from the base table: a town's checks from January never exceed its residents at that month.
    over = con.execute("""
        with ytd as (
            select town_code, indicator_code, month, denominator,
                sum(numerator) over (partition by town_code, indicator_code, year(month) order by month) as done,
            from public_health
            where indicator_code in (select code from indicator where aggregation = 'ytd')
        )
        select count(*) from ytd where done > denominator
    """).fetchone()[0]
    assert over == 0


def _year_end_rate(con: duckdb.DuckDBPyConnection, code: str, year: int) -> dict[str, float]:
    """Each county's rate at December of `year`, from the base table."""
    rows = con.execute("""
        select t.parent_code, sum(p.numerator) / sum(p.denominator)
        from public_health p join region t on t.code = p.town_code
        where p.indicator_code = $code and p.month = make_date($year, 12, 1)
        group by all
    """, {"code": code, "year": year}).fetchall()
    return dict(rows)


@pytest.mark.parametrize("code", ["htn_std_mgmt_rate", "t2dm_std_mgmt_rate", "ehr_coverage"])
def test_every_county_year_is_judged_at_year_end(con: duckdb.DuckDBPyConnection, code: str) -> None:
    indicator = CATALOG[code]
    counties = con.execute("select count(*) from region where level = 'county' and in_scope").fetchone()[0]
    checked = 0
    for year in range(2017, 2026):
        filters = Filters(date(year, 1, 1), date(year, 12, 1), period="last_year")
        frame = execute(con, "indicator_by_place", {"codes": [code], "child_level": "county", **filters.sql_params()})
        shown = {r.place_code: ind.value(indicator, r.numerator, r.denominator) for r in frame.itertuples(index=False)}
        expected = _year_end_rate(con, code, year)
        assert shown.keys() == expected.keys()
        for county, rate in expected.items():
            assert shown[county] == pytest.approx(rate)
            assert ind.meets_target(indicator, shown[county]) == ind.meets_target(indicator, rate)
            checked += 1
    assert checked == counties * 9, "every county, every year"



def _alliance(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, date]:
    return con.execute("select code, founded from alliance where name = $name", {"name": name}).fetchone()


def test_an_alliance_before_its_founding_shows_nothing(con: duckdb.DuckDBPyConnection) -> None:
    code, founded = _alliance(con, "名山区医共体")
    assert founded == date(2019, 11, 1)
    codes = list(CATALOG)
    before = Filters(date(2018, 1, 1), date(2018, 12, 1), alliance=code, period="last_year")
    frame = execute(con, "indicator_totals", {"codes": codes, **before.sql_params()})
    assert frame[frame["period"] == "current"].empty, "no figure of 2018, not even the home region's"
    after = Filters(date(2020, 1, 1), date(2020, 12, 1), alliance=code, period="last_year")
    frame = execute(con, "indicator_totals", {"codes": ["outpatient_visits", "county_retention_rate"], **after.sql_params()})
    assert set(frame.loc[frame["period"] == "current", "indicator_code"]) == {"outpatient_visits", "county_retention_rate"}


def test_a_member_counts_only_from_the_month_it_joined(con: duckdb.DuckDBPyConnection) -> None:
    code, founded = _alliance(con, "名山区医共体")
    members = con.execute("""
        select facility_code, date_trunc('month', joined)::date as joined from alliance_member
        where alliance_code = $code
    """, {"code": code}).df()
    late = members[members["joined"] > pd.Timestamp(founded)]
    assert not late.empty, "the demo has members that joined after the founding"
    month = (late["joined"].max() - pd.DateOffset(months=1)).date()
    expected = con.execute("""
        select sum(v.outpatient_visits) from service_volume v
        join alliance_member m on m.facility_code = v.facility_code and m.alliance_code = $code
        where v.month = $month and date_trunc('month', m.joined) <= $month
    """, {"code": code, "month": month}).fetchone()[0]
    filters = Filters(month, month, alliance=code)
    frame = execute(con, "indicator_totals", {"codes": ["outpatient_visits"], **filters.sql_params()})
    shown = frame.loc[frame["period"] == "current", "numerator"].iloc[0]
    everyone = con.execute("""
        select sum(v.outpatient_visits) from service_volume v
        join alliance_member m on m.facility_code = v.facility_code and m.alliance_code = $code
        where v.month = $month
    """, {"code": code, "month": month}).fetchone()[0]
    assert shown == expected
    assert everyone > expected, "counting every member would have given more"

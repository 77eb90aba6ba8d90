"""The demo reproduces every published figure of data/calibration.csv (DESIGN.md section 5).

Each figure is recomputed here with its own SQL over the base tables, independently of the generator and
of the rollups; a few are computed again through indicator_fact to show the rollups agree.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

CALIBRATION_CSV = Path(__file__).resolve().parents[2] / "data" / "calibration.csv"
ROWS = list(csv.DictReader(CALIBRATION_CSV.open(encoding="utf-8")))

# Facilities located in $place: a county (directly or in its towns) or a city (in its counties or their towns).
PLACE_FACILITIES = """
    place_facility as (
        select f.code, f.tier,
        from facility f
        join region r on r.code = f.region_code
        left join region up on up.code = r.parent_code
        where $place in (r.code, r.parent_code, up.parent_code)
    )
"""
TOWNS = "region t on t.code = p.town_code and t.parent_code = $place"
IN_PERIOD = "v.month between $first and $last"


def _volume(column: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select sum(v.{column}) from service_volume v join place_facility f on f.code = v.facility_code
        where {IN_PERIOD}"""


def _township_share(column: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select 100.0 * sum(v.{column}) filter (where f.tier = 'township') / sum(v.{column})
        from service_volume v join place_facility f on f.code = v.facility_code
        where {IN_PERIOD}"""


def _growth(column: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select 100.0 * (sum(v.{column}) filter (where v.month between $first and $last)
                        / sum(v.{column}) filter (where v.month between $first - interval 1 year and $last - interval 1 year) - 1)
        from service_volume v join place_facility f on f.code = v.facility_code"""


def _referrals(condition: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select count(*) from referral x join place_facility f on f.code = x.from_facility
        where x.status <> 'cancelled' and {condition}
          and x.referral_date >= $first and x.referral_date < $last + interval 1 month"""


def _ph_sum(indicator: str) -> str:
    return f"""select sum(p.numerator) from public_health p join {TOWNS}
        where p.indicator_code = '{indicator}' and p.month between $first and $last"""


def _ph_rate(indicator: str) -> str:
    return f"""select 100.0 * sum(p.numerator) / sum(p.denominator) from public_health p join {TOWNS}
        where p.indicator_code = '{indicator}' and p.month between $first and $last"""


def _ph_stock(indicator: str) -> str:
    return f"""select sum(p.numerator) from public_health p join {TOWNS}
        where p.indicator_code = '{indicator}' and p.month = $last"""


def _ph_stock_rate(indicator: str) -> str:
    return f"""select 100.0 * sum(p.numerator) / sum(p.denominator) from public_health p join {TOWNS}
        where p.indicator_code = '{indicator}' and p.month = $last"""


def _ph_ytd_rate(indicator: str) -> str:
    """Year to date: numerators from January of $last's year to $last over the denominators at $last."""
    return f"""select 100.0 * sum(p.numerator) filter (where p.month >= date_trunc('year', $last::date))
            / sum(p.denominator) filter (where p.month = $last)
        from public_health p join {TOWNS}
        where p.indicator_code = '{indicator}' and p.month <= $last"""


def _activity(expression: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select sum({expression}) from alliance_activity v join place_facility f on f.code = v.facility_code
        where {IN_PERIOD}"""


def _shared(service: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select sum(v.remote_cases) from shared_service v join place_facility f on f.code = v.facility_code
        where v.service = '{service}' and {IN_PERIOD}"""


def _primary_imaging(numerator: str, denominator: str) -> str:
    return f"""with {PLACE_FACILITIES}
        select 100.0 * sum(v.{numerator}) / sum(v.{denominator})
        from shared_service v join place_facility f on f.code = v.facility_code
        where v.service = 'imaging' and f.tier in ('township', 'community', 'village') and {IN_PERIOD}"""


# A city's towns (two levels down), for the town reports of issue 26.
CITY_TOWNS = "region t on t.code = p.town_code join region c on c.code = t.parent_code and c.parent_code = $place"


def _poverty_sum(column: str) -> str:
    return f"""select sum(p.{column}) from poverty_monitoring p join {CITY_TOWNS}
        where p.month between $first and $last"""


# measure -> SQL over base tables with $place (region code), $first and $last (first days of months).
MEASURES = {
    "outpatient_visits": _volume("outpatient_visits"),
    "inpatient_discharges": _volume("inpatient_discharges"),
    "township_outpatient_share": _township_share("outpatient_visits"),
    "township_inpatient_share": _township_share("inpatient_discharges"),
    "outpatient_visits_growth": _growth("outpatient_visits"),
    "inpatient_discharges_growth": _growth("inpatient_discharges"),
    "up_referrals_from_township": _referrals("x.direction = 'up' and f.tier = 'township'"),
    "out_of_county_referrals": _referrals("x.direction = 'out_of_county'"),
    "critical_cases_treated": f"""with {PLACE_FACILITIES}
        select sum(v.critical_cases) from service_volume v join place_facility f on f.code = v.facility_code
        where f.tier = 'county' and {IN_PERIOD}""",
    "county_retention_rate": f"""select 100.0 * sum(v.visits_in_county) / sum(v.visits_in_county + v.visits_out_of_county)
        from resident_care v where v.county_code = $place and {IN_PERIOD}""",
    "remote_imaging_consults": _shared("imaging"),
    "regional_lab_tests": _shared("lab"),
    "fd_contracted_residents": _ph_stock("fd_coverage"),
    "fd_coverage": _ph_stock_rate("fd_coverage"),
    "fd_key_pop_contracted": _ph_stock("fd_key_pop_coverage"),
    "fd_key_pop_coverage": _ph_stock_rate("fd_key_pop_coverage"),
    "fd_teams": _ph_stock("fd_teams"),
    "resident_population": "select sum(population) from region where parent_code = $place and level = 'town'",
    "staff_sent_down": _activity("v.doctors_sent + v.nurses_sent + v.pharmacists_sent + v.technicians_sent"),
    "lectures": _activity("v.lectures"),
    "teaching_rounds": _activity("v.teaching_rounds"),
    "surgery_demos": _activity("v.surgery_demos"),
    "hpv_first_doses": _ph_sum("hpv_first_doses"),
    "cervical_screenings": _ph_sum("cervical_screening_rate"),
    "breast_screenings": _ph_sum("breast_screening_rate"),
    "premarital_checks": _ph_sum("premarital_checks"),
    "prepregnancy_checks": _ph_sum("prepregnancy_checks"),
    "elderly_60plus_checks": _ph_sum("elderly_60plus_check_rate"),
    "elderly_60plus_check_rate": _ph_ytd_rate("elderly_60plus_check_rate"),
    # A floor, not a value: the lowest town's rate over the period.
    "child_immunization_rate_min_town": f"""select min(rate) from (
        select 100.0 * sum(p.numerator) / sum(p.denominator) as rate from public_health p join {TOWNS}
        where p.indicator_code = 'child_immunization_rate' and p.month between $first and $last
        group by p.town_code)""",
    "poverty_exit_task_households": _poverty_sum("households_exited"),
    "poverty_exit_task_people": _poverty_sum("people_exited"),
    # Clinics up to the standard at the period's end, less those at the month before it began.
    "poor_village_clinics_to_standard_task": f"""select
            sum(p.village_clinics_standard) filter (where p.month = $last)
            - sum(p.village_clinics_standard) filter (where p.month = $first - interval 1 month)
        from poverty_monitoring p join {CITY_TOWNS}""",
    # Towns reporting elderly-care beds at the period's end, of the towns reporting then.
    "elderly_care_town_coverage": f"""select 100.0 * count(*) filter (where beds > 0) / count(*) from (
        select p.town_code, sum(p.beds) as beds from elderly_care p join {CITY_TOWNS}
        where p.month = $last group by p.town_code)""",
    # Members besides the centre of the networks whose centre is a CDC serving the city and that identify
    # pathogens (pathogen_test rows), joined by the period's end.
    "pathogen_network_members": """select count(*)
        from alliance_member m
        join alliance a on a.code = m.alliance_code
        join facility centre on centre.code = a.lead_facility
        where m.role = 'member' and centre.category = 'cdc' and a.home_region = $place
          and m.joined <= last_day($last) and a.code in (select alliance_code from pathogen_test)""",
    "imaging_concordance_rate_primary": _primary_imaging("concordant", "cases_reviewed"),
    "grade_a_film_rate_primary": _primary_imaging("grade_a_films", "films_graded"),
}
FLOORS = {"child_immunization_rate_min_town"}


@pytest.fixture(scope="module")
def con(demo_db: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(demo_db), read_only=True)
    yield connection
    connection.close()


def _params(con: duckdb.DuckDBPyConnection, row: dict[str, str], sql: str) -> dict[str, object]:
    """$place, $first and $last of a calibration row, those that `sql` uses (DuckDB rejects the others)."""
    if row["parent"]:
        place = con.execute(
            "select c.code from region c join region p on p.code = c.parent_code where c.name = $name and p.name = $parent",
            {"name": row["place"], "parent": row["parent"]},
        ).fetchone()
    else:
        place = con.execute("select code from region where name = $name and level = 'city'", {"name": row["place"]}).fetchone()
    assert place is not None, f"no region {row['place']} under {row['parent']!r}"
    first = date.fromisoformat(row["period_from"] + "-01")
    last = date.fromisoformat(row["period_to"] + "-01")
    params = {"place": place[0], "first": first, "last": last}
    return {name: value for name, value in params.items() if f"${name}" in sql}


def _assert_close(actual: float | None, row: dict[str, str]) -> None:
    expected = float(row["value"])
    assert actual is not None, f"{row['measure']}: no data"
    if row["measure"] in FLOORS:
        assert actual >= expected, f"{row['measure']} {row['place']}: {actual:.2f} below {expected}"
    else:
        assert actual == pytest.approx(expected, rel=0.01), f"{row['measure']} {row['place']} {row['period_from']}"


def test_every_measure_has_a_query() -> None:
    assert {row["measure"] for row in ROWS} <= set(MEASURES)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['place']}-{r['measure']}-{r['period_from']}" for r in ROWS])
def test_base_tables_reproduce_published_figure(con: duckdb.DuckDBPyConnection, row: dict[str, str]) -> None:
    sql = MEASURES[row["measure"]]
    actual = con.execute(sql, _params(con, row, sql)).fetchone()[0]
    _assert_close(actual, row)


# The same figures through the rollups: indicator_fact rows of the place, aggregated as pages do.
ROLLUP_MEASURES = {
    "outpatient_visits": "sum(numerator) filter (where indicator_code = 'outpatient_visits')",
    "inpatient_discharges": "sum(numerator) filter (where indicator_code = 'inpatient_discharges')",
    "out_of_county_referrals": "sum(numerator) filter (where indicator_code = 'out_of_county_referrals')",
    "critical_cases_treated": "sum(numerator) filter (where indicator_code = 'critical_cases_treated' and tier = 'county')",
    "county_retention_rate": """100.0 * sum(numerator) filter (where indicator_code = 'county_retention_rate')
        / sum(denominator) filter (where indicator_code = 'county_retention_rate')""",
    "township_inpatient_share": """100.0 * sum(numerator) filter (where indicator_code = 'township_inpatient_share')
        / sum(denominator) filter (where indicator_code = 'township_inpatient_share')""",
    "fd_coverage": """100.0 * sum(numerator) filter (where indicator_code = 'fd_coverage' and month = $last)
        / sum(denominator) filter (where indicator_code = 'fd_coverage' and month = $last)""",
    "regional_lab_tests": "sum(numerator) filter (where indicator_code = 'regional_lab_tests')",
    "imaging_concordance_rate_primary": """100.0
        * sum(numerator) filter (where indicator_code = 'imaging_concordance_rate' and tier in ('township', 'community', 'village'))
        / sum(denominator) filter (where indicator_code = 'imaging_concordance_rate' and tier in ('township', 'community', 'village'))""",
}
ROLLUP_ROWS = [row for row in ROWS if row["measure"] in ROLLUP_MEASURES]


@pytest.mark.parametrize("row", ROLLUP_ROWS, ids=[f"{r['place']}-{r['measure']}-{r['period_from']}" for r in ROLLUP_ROWS])
def test_rollups_reproduce_published_figure(con: duckdb.DuckDBPyConnection, row: dict[str, str]) -> None:
    sql = f"""select {ROLLUP_MEASURES[row['measure']]} from indicator_fact
        where $place in (county_code, city_code) and month between $first and $last"""
    actual = con.execute(sql, _params(con, row, sql)).fetchone()[0]
    _assert_close(actual, row)

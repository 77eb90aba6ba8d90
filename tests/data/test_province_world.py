"""The province world (build-demo --world province), tiny: the demo's places keep every published figure,
the synthetic places are complete (facilities, towns, reports, referral events) and the pages' headline
query answers for one of them; the same seed gives the same rows, another seed other rows."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from healthdash.core.filters import Filters
from healthdash.core.geo import polygons_of
from healthdash.data.columns import AMOUNT, COUNT, TABLES_BY_NAME
from healthdash.data.db import open_readonly
from healthdash.data.demo import DEFAULT_SEED, province
from healthdash.data.quality import rules
from healthdash.ingest.loadfile import Sheet
from healthdash.ingest.validate import Reference, check_sheet
from tests.data.test_calibration import MEASURES, ROWS, _assert_close, _params
from tests.support.reading import execute

SCALE = 0.01  # 2 synthetic counties, one a city's district: seconds, not minutes
# The base tables the synthetic world fills, whose checksums must not depend on anything but the seed.
FILLED = ("region", "facility", "alliance", "alliance_member", "service_volume", "resident_care", "public_health",
          "alliance_activity", "shared_service", "poverty_monitoring", "serious_illness", "elderly_care",
          "workforce_register", "referral", "report_receipt")
# The issue-26 reports the synthetic world fills (pathogen_test stays empty: it has no pathogen network).
ISSUE_26 = ("poverty_monitoring", "serious_illness", "elderly_care", "workforce_register")


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
            "poverty_monitoring": "t.town_code", "serious_illness": "t.town_code", "elderly_care": "t.town_code",
            "workforce_register": "t.facility_code", "pathogen_test": "t.facility_code", "referral": "t.from_facility, t.to_facility", "report_receipt": "t.unit_code"}[table]


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


def _synthetic_rows(table: str) -> str:
    """SQL selecting `table`'s rows of the synthetic places (codes 99…, facilities H99…)."""
    return f'select * from "{table}" t where starts_with({_code_columns(table)}, \'99\') or starts_with({_code_columns(table)}, \'H99\')'


def test_the_issue_26_reports_cover_every_synthetic_unit_and_month(con: duckdb.DuckDBPyConnection) -> None:
    """Every synthetic town reports its poverty monitoring, serious illnesses and elderly care every month,
    every synthetic facility its register, each with its receipt; rural towns monitor more people than
    districts, some towns open elderly-care beds and some never do, village clinics have village doctors."""
    owed = con.execute("""
        select dataset, count(*) as owed, count(*) filter (where not received) as missing,
            count(*) filter (where received_at is null) as without_receipt,
        from report_status
        where dataset in ('poverty_monitoring', 'serious_illness', 'elderly_care', 'workforce_register')
            and (starts_with(unit_code, '99') or starts_with(unit_code, 'H99')) and expected
        group by dataset""").df().set_index("dataset")
    towns, facilities = con.execute("""select (select count(*) from region where level = 'town' and code like '99%'),
                                              (select count(*) from facility where code like 'H99%')""").fetchone()
    months = con.execute("select count(distinct month) from service_volume where facility_code like 'H99%'").fetchone()[0]
    assert owed.loc[list(ISSUE_26), "owed"].to_dict() == {
        "poverty_monitoring": towns * months, "serious_illness": towns * months, "elderly_care": towns * months,
        "workforce_register": facilities * months}
    assert (owed[["missing", "without_receipt"]] == 0).all().all(), owed
    assert con.execute(f"select count(*) from ({_synthetic_rows('pathogen_test')})").fetchone()[0] == 0

    share = dict(con.execute(f"""select r.urban, sum(p.monitored_people) / sum(r.population)
                                 from ({_synthetic_rows('poverty_monitoring')}) p join region r on r.code = p.town_code
                                 group by r.urban""").fetchall())
    assert 0.03 <= share[False] <= 0.08 and 0 < share[True] < 0.02, share
    beds = con.execute(f"""select count(*) filter (where opened), count(*) from (
                               select town_code, max(beds) > 0 as opened from ({_synthetic_rows('elderly_care')})
                               where setting = 'health_centre' group by town_code)""").fetchone()
    assert 0 < beds[0] < beds[1], "some towns open elderly-care beds, some never do"
    village = con.execute(f"""select min(w.village_doctors) filter (where f.tier = 'village'),
                                  sum(w.village_doctors_licensed) filter (where f.tier = 'village')
                                      / sum(w.village_doctors) filter (where f.tier = 'village'),
                                  max(w.village_doctors) filter (where f.tier <> 'village'),
                                  corr(w.physicians, f.beds) filter (where f.tier <> 'village')
                              from ({_synthetic_rows('workforce_register')}) w join facility f on f.code = w.facility_code
                              where f.tier = 'village' or f.beds > 0""").fetchone()
    assert village[0] >= 1 and 0.5 < village[1] < 1 and village[2] == 0 and village[3] > 0.9, village


@pytest.mark.parametrize("table", ISSUE_26)
def test_the_issue_26_reports_keep_their_constraints(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """No part exceeds its whole (contracted ≤ monitored, treated ≤ cases, residents ≤ beds, licensed ≤
    village doctors, out of pocket ≤ inpatient spending, ...), no figure is negative or above its bound."""
    spec = TABLES_BY_NAME[table]
    checks = [f"count(*) filter (where {part} > {whole}) as \"{part} > {whole}\"" for part, whole in spec.ratios]
    checks += [f"count(*) filter (where {c.name} < 0 or {c.name} > {c.upper_bound}) as \"{c.name} out of range\""
               for c in spec.columns if c.kind in (COUNT, AMOUNT)]
    broken = con.execute(f"select count(*) as n, {', '.join(checks)} from ({_synthetic_rows(table)})").df().iloc[0]
    assert broken["n"] > 0
    assert (broken.drop("n") == 0).all(), broken[broken > 0]


def test_the_loader_would_accept_the_issue_26_reports(con: duckdb.DuckDBPyConnection, province_db: Path) -> None:
    """The synthetic rows of the last year, written out as a data officer's file, pass the loader's checks
    (codes, choices, months, bounds, parts within wholes); the registers support what the facilities report
    (the staff rules of data/validation_rules.csv find nothing)."""
    reference_con = open_readonly(province_db)
    try:
        reference = Reference.load(reference_con)
        for table in ISSUE_26:
            names = list(TABLES_BY_NAME[table].names)
            rows = con.execute(f"select * from ({_synthetic_rows(table)}) where month >= date '2025-01-01'").df()
            assert len(rows) > 0, table
            text = pd.DataFrame({name: rows[name].dt.strftime("%Y-%m") if name == "month" else rows[name].astype(str)
                                 for name in names}, dtype="str")
            frame, found = check_sheet(Sheet(f"{table}.csv", "", table, text, np.arange(2, len(text) + 2)),
                                       reference, date(2026, 1, 1))
            assert not found, (table, found[:1])
            assert len(frame) == len(rows)
    finally:
        reference_con.close()
    staff = tuple(rule for rule in rules.load_rules() if rule.rule_id in rules.staff_rule_ids())
    findings = rules.check_database(con, date(2017, 1, 1), date(2025, 12, 1), rules=staff)
    assert staff and not findings["unit_code"].str.startswith("H99").any(), findings.head()

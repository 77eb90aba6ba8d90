"""Deny by default, in the query layer: every query reads within the account's jurisdiction (bound
$scope_kind and $scope_code), a query without one is refused, and what each kind of jurisdiction reads on
the demo database is exactly its own part of the province's figures."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import Filters
from healthdash.data import db
from healthdash.data.db import CATALOG, UNSCOPED, UnscopedQuery, execute, open_readonly, query_parameters
from tests.support.places import alliance_code, facility_code, region_code

CODES = ["outpatient_visits", "up_referrals", "county_retention_rate", "fd_coverage"]
PERIOD = (date(2024, 1, 1), date(2024, 6, 1))


def scope(kind: str | None, code: str | None = None) -> dict[str, object]:
    return {"scope_kind": kind, "scope_code": code}


@pytest.fixture(scope="module")
def con(demo_db: Path) -> duckdb.DuckDBPyConnection:
    connection = open_readonly(demo_db)
    yield connection
    connection.close()


def totals(con: duckdb.DuckDBPyConnection, filters: Filters, within: dict[str, object]) -> pd.DataFrame:
    frame = execute(con, "indicator_totals", {"codes": CODES, **filters.sql_params(), **within}, catalog=CATALOG)
    return frame[frame["period"] == "current"].set_index("indicator_code")[["numerator", "denominator"]]


def test_every_query_reads_within_a_jurisdiction_or_is_named_as_reading_no_ones_figures() -> None:
    names = sorted(path.stem for path in db.QUERY_DIR.glob("*.sql"))
    unscoped = [name for name in names if name not in UNSCOPED and not db.SCOPE_PARAMETERS <= query_parameters(name)]
    assert unscoped == []
    assert UNSCOPED <= set(names), "the list names only queries that exist"


def test_a_query_called_without_a_jurisdiction_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(*PERIOD)
    with pytest.raises(UnscopedQuery, match="without a jurisdiction"):
        execute(con, "indicator_totals", {"codes": CODES, **filters.sql_params()}, catalog=CATALOG)


def test_a_query_file_that_forgets_the_jurisdiction_is_refused_before_it_runs(
        con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "every_facility_total.sql").write_text("select facility_code, sum(numerator) as n\n"
                                                        "from indicator_fact group by all", encoding="utf-8")
    monkeypatch.setattr(db, "QUERY_DIR", tmp_path)
    db.load_sql.cache_clear()
    db.query_parameters.cache_clear()
    try:
        with pytest.raises(UnscopedQuery, match="without \\$scope_kind"):
            execute(con, "every_facility_total", dict(db.EVERYTHING), catalog=CATALOG)
    finally:
        db.load_sql.cache_clear()
        db.query_parameters.cache_clear()


def test_code_that_passed_no_gate_reads_nothing(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that no sign-in gate set a jurisdiction for (a new run, a background task) sees nothing."""
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    found: list[pd.DataFrame] = []
    filters = Filters(*PERIOD)
    worker = threading.Thread(target=lambda: found.append(
        db.run_query("indicator_totals", codes=CODES, **filters.sql_params())))
    worker.start()
    worker.join()
    assert found[0].empty
    assert not db.run_query("indicator_totals", codes=CODES, **filters.sql_params()).empty, "the tests read as the province"


def test_a_county_reads_its_own_figures_whatever_the_selection_asks(demo_db: Path,
                                                                   con: duckdb.DuckDBPyConnection) -> None:
    county, city = region_code(demo_db, "鹿寨县"), region_code(demo_db, "柳州市")
    other = region_code(demo_db, "柳城县")
    own = Filters(*PERIOD, city=city, county=county)
    as_province = totals(con, own, scope("province"))
    as_county = scope("county", county)
    pd.testing.assert_frame_equal(totals(con, own, as_county), as_province)
    # The city's, the province's and another county's totals cannot be read through a county account:
    # the widest selection gives the county's own figures, a sibling county nothing.
    pd.testing.assert_frame_equal(totals(con, Filters(*PERIOD, city=city), as_county), as_province)
    pd.testing.assert_frame_equal(totals(con, Filters(*PERIOD), as_county), as_province)
    assert totals(con, Filters(*PERIOD, city=city, county=other), as_county).empty
    assert not totals(con, Filters(*PERIOD, city=city), scope("province")).equals(as_province)


def test_a_city_reads_its_counties_and_its_own_total(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    city, elsewhere = region_code(demo_db, "柳州市"), region_code(demo_db, "自贡市")
    mine = Filters(*PERIOD, city=city)
    pd.testing.assert_frame_equal(totals(con, mine, scope("city", city)), totals(con, mine, scope("province")))
    assert totals(con, Filters(*PERIOD, city=elsewhere), scope("city", city)).empty


def test_an_alliance_reads_its_own_figures_and_no_place_totals(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    alliance = alliance_code(demo_db, "鹿寨县医共体")
    as_alliance = scope("alliance", alliance)
    own = Filters(*PERIOD, alliance=alliance)
    pd.testing.assert_frame_equal(totals(con, own, as_alliance), totals(con, own, scope("province")))
    regions = execute(con, "filter_regions", as_alliance, catalog=CATALOG)
    assert regions.empty, "no place offered, so no place total shown"
    alliances = execute(con, "filter_alliances", as_alliance, catalog=CATALOG)
    assert list(alliances["code"]) == [alliance]


def test_a_facility_reads_itself_only(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    hospital = facility_code(demo_db, "鹿寨县人民医院")
    neighbour = facility_code(demo_db, "鹿寨县中医医院")
    as_hospital = scope("facility", hospital)
    month_from, month_to = PERIOD
    own = execute(con, "facility_profile", {"facility": hospital, **as_hospital}, catalog=CATALOG)
    assert list(own["facility_code"]) == [hospital]
    assert execute(con, "facility_profile", {"facility": neighbour, **as_hospital}, catalog=CATALOG).empty
    partners = {"facility": neighbour, "month_from": month_from, "month_to": month_to, **as_hospital}
    assert execute(con, "facility_referral_partners", partners, catalog=CATALOG).empty
    labels = execute(con, "facility_labels", {"codes": [hospital, neighbour], **as_hospital}, catalog=CATALOG)
    assert list(labels["facility_code"]) == [hospital]
    # The area's totals hold the hospital's own rows and nothing else.
    area = totals(con, Filters(*PERIOD), as_hospital)
    monthly = execute(con, "facility_indicator_monthly", {"facility": hospital, "codes": CODES,
                                                           "month_from": month_from, "month_to": month_to,
                                                           **as_hospital}, catalog=CATALOG)
    assert area.loc["outpatient_visits", "numerator"] == monthly.loc[
        monthly["indicator_code"] == "outpatient_visits", "numerator"].sum() > 0


@pytest.mark.parametrize("within", [scope(None), scope("county", "no-such-code"), scope("town", "x"),
                                    scope("city", None)])
def test_no_jurisdiction_or_a_wrong_one_reads_nothing(con: duckdb.DuckDBPyConnection, within: dict) -> None:
    assert totals(con, Filters(*PERIOD), within).empty
    assert execute(con, "filter_regions", within, catalog=CATALOG).empty
    codes = execute(con, "facility_choices", {**scope("province"), "city": None, "county": None, "town": None,
                                              "tiers": ["county"]}, catalog=CATALOG)["facility_code"].tolist()
    assert codes and execute(con, "facility_labels", {"codes": codes, **within}, catalog=CATALOG).empty

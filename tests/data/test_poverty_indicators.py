"""防止因病返贫 and 医养结合 (issue 26) on rows written by hand, through the queries pages run: a stock is the
period's last month with a report, a rate is sums over sums (never a mean of rates), a reported zero is 0
and a place without a report has no data."""

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
from tests.data.test_aggregation_kinds import REGIONS
from tests.support.reading import execute
from tests.support.worlds import write_world

CATALOG = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
K1, K2 = "K1", "K2"

# T1 reports every month; T2 skips February; 丁县 (T3) sends nothing.
POVERTY = pd.DataFrame(
    [
        ("T1", JAN, 40, 100, 80, 2, 5, 10_000.0, 1_000.0, 4, 2),
        ("T1", FEB, 40, 100, 90, 0, 0, 20_000.0, 4_000.0, 4, 3),
        ("T1", MAR, 44, 110, 99, 1, 3, 10_000.0, 1_000.0, 4, 4),
        ("T2", JAN, 20, 50, 25, 0, 0, 0.0, 0.0, 0, 0),
        ("T2", MAR, 24, 60, 30, 0, 0, 5_000.0, 2_500.0, 2, 1),
    ],
    columns=["town_code", "month", "monitored_households", "monitored_people", "contracted_people",
             "households_exited", "people_exited", "inpatient_spending", "out_of_pocket", "village_clinics",
             "village_clinics_standard"],
)
ILLNESS = pd.DataFrame(
    [("T1", JAN, "lung", 2, 1), ("T1", JAN, "breast", 1, 1), ("T1", MAR, "lung", 4, 4), ("T1", MAR, "breast", 2, 1),
     ("T2", MAR, "lung", 0, 0)],
    columns=["town_code", "month", "disease", "cases", "treated"],
)
ELDERLY = pd.DataFrame(
    [("T1", JAN, "health_centre", 20, 10, 2), ("T1", MAR, "health_centre", 20, 15, 3),
     ("T1", MAR, "nursing_home", 30, 27, 1), ("T2", JAN, "health_centre", 0, 0, 0), ("T2", MAR, "health_centre", 0, 0, 0)],
    columns=["town_code", "month", "setting", "beds", "residents", "admissions"],
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("poverty") / "poverty.duckdb", region=REGIONS,
                       poverty_monitoring=POVERTY, serious_illness=ILLNESS, elderly_care=ELDERLY)


def value(db: Path, first: date, last: date, county: str, code: str) -> float | None:
    """What a card shows for the county over first..last (None: 暂无数据)."""
    filters = Filters(first, last, county=county)
    with duckdb.connect(str(db), read_only=True) as con:
        frame = execute(con, "indicator_totals", {"codes": [code], **filters.sql_params()})
    row = frame[frame["period"] == "current"]
    return None if row.empty else ind.value(CATALOG[code], row["numerator"].iloc[0], row["denominator"].iloc[0])


def test_the_monitored_population_is_the_last_reported_month_not_a_sum(db: Path) -> None:
    assert value(db, JAN, MAR, K1, "poverty_monitored_people") == 110 + 60
    assert value(db, JAN, FEB, K1, "poverty_monitored_people") == 100  # February: T2 sent nothing


def test_rates_are_sums_over_sums_at_period_end_never_a_mean(db: Path) -> None:
    assert value(db, JAN, MAR, K1, "poverty_fd_coverage") == pytest.approx((99 + 30) / (110 + 60))
    assert value(db, JAN, MAR, K1, "poverty_fd_coverage") != pytest.approx((99 / 110 + 30 / 60) / 2)
    assert value(db, JAN, MAR, K1, "village_clinic_standard_rate") == pytest.approx((4 + 1) / (4 + 2))
    assert value(db, JAN, MAR, K1, "serious_illness_treatment_rate") == pytest.approx((4 + 1) / (4 + 2))
    # A flow ratio adds up every month's bills: (1,000 + 4,000 + 1,000 + 2,500) / (10,000 + 20,000 + 10,000 + 5,000).
    assert value(db, JAN, MAR, K1, "poverty_oop_share") == pytest.approx(8_500 / 45_000)


def test_a_reported_zero_is_zero_and_no_report_is_no_data(db: Path) -> None:
    assert value(db, JAN, MAR, K1, "poverty_exit_people") == 5 + 3
    assert value(db, FEB, FEB, K1, "poverty_exit_people") == 0
    assert value(db, JAN, MAR, K2, "poverty_exit_people") is None
    assert value(db, FEB, FEB, K1, "serious_illness_treatment_rate") is None


def test_clinics_brought_to_standard_count_only_changes_from_a_reported_month(db: Path) -> None:
    # T1: +1 in February, +1 in March; T2's March follows an unreported February, so it says nothing.
    assert value(db, JAN, MAR, K1, "village_clinics_to_standard") == 2
    assert value(db, JAN, JAN, K1, "village_clinics_to_standard") is None


def test_elderly_care_beds_occupancy_and_town_coverage(db: Path) -> None:
    assert value(db, JAN, MAR, K1, "eldercare_beds") == 50
    assert value(db, JAN, MAR, K1, "eldercare_residents") == 42
    assert value(db, JAN, MAR, K1, "eldercare_occupancy") == pytest.approx(42 / 50)
    assert value(db, JAN, MAR, K1, "eldercare_town_coverage") == pytest.approx(1 / 2)  # T2 reports 0 beds
    assert value(db, JAN, MAR, K2, "eldercare_town_coverage") is None


def test_towns_without_beds_and_towns_without_a_report(db: Path) -> None:
    filters = Filters(JAN, MAR, city="C1")
    with duckdb.connect(str(db), read_only=True) as con:
        towns = execute(con, "elderly_care_by_town", filters.sql_params()).set_index("town_code")
        illness = execute(con, "serious_illness_by_disease", filters.sql_params()).set_index("disease")
    assert towns.loc["T1", ["beds", "centre_beds", "home_beds", "residents", "admissions"]].tolist() == [50, 20, 30, 42, 6]
    assert towns.loc["T2", "reported"] and towns.loc["T2", "beds"] == 0
    assert not towns.loc["T3", "reported"] and pd.isna(towns.loc["T3", "beds"])
    assert illness.loc["lung", ["cases", "treated", "towns"]].tolist() == [4, 4, 2]
    assert illness.loc["breast", ["cases", "treated"]].tolist() == [2, 1]

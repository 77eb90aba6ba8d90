"""The licensing-register and pathogen-network indicators (issue 26) on rows written by hand, through the
query the KPI cards run: staff per 1,000 residents and licensed village doctors are stocks at the period's
last month, summed over places before dividing; a member that sent nothing sent 0 and one with no report is
no data; identification and turnaround are sums over sums, never means of monthly or per-member rates."""

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
from tests.support.worlds import write_world

CATALOG = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
REGIONS = pd.DataFrame(
    [("C1", "甲市", "city", None, True, False, 30_000),
     ("K1", "乙县", "county", "C1", True, False, 20_000),
     ("K2", "丁县", "county", "C1", True, False, 10_000),
     ("K3", "丙县", "county", "C1", True, False, 5_000),
     ("T1", "一镇", "town", "K1", True, False, 8_000)],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"])
FACILITIES = pd.DataFrame(
    [("H1", "乙县人民医院", "K1", "county", "general", "二甲", 300),
     ("W1", "一镇卫生院", "T1", "township", "general", "一级", 40),
     ("V1", "一镇甲村卫生室", "T1", "village", "general", "未定级", 0),
     ("H2", "丁县人民医院", "K2", "county", "general", "二甲", 200),
     ("L0", "甲市疾病预防控制中心", "K1", "public_health", "cdc", "未定级", 0),
     ("L1", "乙县疾病预防控制中心", "K1", "public_health", "cdc", "未定级", 0),
     ("L2", "丁县疾病预防控制中心", "K2", "public_health", "cdc", "未定级", 0)],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"])
ALLIANCES = pd.DataFrame([("N1", "甲市病原微生物鉴定网络", "telemedicine", "loose", "L0", "C1", date(2023, 1, 1))],
                         columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"])
MEMBERS = pd.DataFrame([("N1", "L0", "lead", date(2023, 1, 1)), ("N1", "L1", "member", date(2023, 1, 1)),
                        ("N1", "L2", "member", date(2023, 1, 1))],
                       columns=["alliance_code", "facility_code", "role", "joined"])
# K1: 40 physicians in January, 50 by March (H1 grows, W1 stays); K2: 10 in March; K3 has no facility on the
# register, so no data. V1 has 4 village doctors, 1 licensed in January and 3 in March. H2 reports zero nurses.
REGISTER = pd.DataFrame(
    [("H1", JAN, 36, 50, 5, 0, 0), ("H1", MAR, 46, 60, 5, 0, 0),
     ("W1", JAN, 4, 3, 1, 0, 0), ("W1", MAR, 4, 3, 1, 0, 0),
     ("V1", JAN, 0, 0, 0, 4, 1), ("V1", MAR, 0, 0, 0, 4, 3),
     ("H2", MAR, 10, 0, 2, 0, 0)],
    columns=["facility_code", "month", "physicians", "nurses", "technicians", "village_doctors",
             "village_doctors_licensed"])
# L1 sends 100 in January (all identified, 20 h each) and 10 in February (5 identified, 100 h each); L2 sends
# nothing in February (a report of zeros) and reports nothing in March.
PATHOGEN = pd.DataFrame(
    [("N1", "L1", JAN, 100, 100, 2000.0), ("N1", "L1", FEB, 10, 5, 500.0),
     ("N1", "L2", JAN, 40, 20, 1200.0), ("N1", "L2", FEB, 0, 0, 0.0)],
    columns=["alliance_code", "facility_code", "month", "cases_sent", "cases_identified", "turnaround_hours"])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("workforce") / "w.duckdb", region=REGIONS, facility=FACILITIES,
                       alliance=ALLIANCES, alliance_member=MEMBERS, workforce_register=REGISTER,
                       pathogen_test=PATHOGEN)


def total(db: Path, filters: Filters, code: str) -> float | None:
    """The value a KPI card shows for the current period (None: 暂无数据)."""
    with duckdb.connect(str(db), read_only=True) as con:
        frame = execute(con, "indicator_totals", {"codes": [code], **filters.sql_params()})
    row = frame[frame["period"] == "current"]
    if row.empty:
        return None
    return ind.value(CATALOG[code], row["numerator"].iloc[0], row["denominator"].iloc[0])


def test_staff_per_thousand_is_the_stock_at_the_periods_last_month(db: Path) -> None:
    assert total(db, Filters(JAN, MAR, county="K1"), "physicians_per_1000") == pytest.approx(50 / 20)
    assert total(db, Filters(JAN, FEB, county="K1"), "physicians_per_1000") == pytest.approx(40 / 20)
    assert total(db, Filters(JAN, MAR, county="K1"), "nurses_per_1000") == pytest.approx(63 / 20)


def test_staff_per_thousand_over_counties_sums_before_dividing(db: Path) -> None:
    # (50 + 10) physicians over (20,000 + 10,000) residents: 2.0, not the mean of 2.5 and 1.0. K3 has no
    # register and adds neither physicians nor residents.
    assert total(db, Filters(MAR, MAR, city="C1"), "physicians_per_1000") == pytest.approx(60 / 30)


def test_zero_on_the_register_is_zero_and_no_register_is_no_data(db: Path) -> None:
    assert total(db, Filters(MAR, MAR, county="K2"), "nurses_per_1000") == 0
    assert total(db, Filters(MAR, MAR, county="K3"), "physicians_per_1000") is None
    assert total(db, Filters(JAN, JAN, county="K2"), "physicians_per_1000") is None


def test_licensed_village_doctors_are_a_stock(db: Path) -> None:
    assert total(db, Filters(JAN, MAR, county="K1"), "village_doctor_licence_rate") == pytest.approx(3 / 4)
    assert total(db, Filters(JAN, JAN, county="K1"), "village_doctor_licence_rate") == pytest.approx(1 / 4)
    assert total(db, Filters(MAR, MAR, county="K2"), "village_doctor_licence_rate") is None, "no village doctor"


def test_pathogen_rates_are_sums_over_sums(db: Path) -> None:
    whole = Filters(JAN, FEB, city="C1")
    assert total(db, whole, "pathogen_cases_sent") == 150
    # 125 of 150, not the mean of L1's 105/110 and L2's 20/40, nor of January's and February's rates.
    assert total(db, whole, "pathogen_identification_rate") == pytest.approx(125 / 150)
    assert total(db, whole, "pathogen_turnaround_hours") == pytest.approx(3700 / 125)


def test_pathogen_zero_sent_is_zero_and_no_report_is_no_data(db: Path) -> None:
    assert total(db, Filters(FEB, FEB, county="K2"), "pathogen_cases_sent") == 0
    assert total(db, Filters(FEB, FEB, county="K2"), "pathogen_identification_rate") is None, "0 of 0"
    assert total(db, Filters(MAR, MAR, county="K2"), "pathogen_cases_sent") is None


def test_public_health_institutions_count_under_any_tier_choice(db: Path) -> None:
    township_only = Filters(JAN, FEB, city="C1", tiers=("township",))
    assert total(db, township_only, "pathogen_cases_sent") == 150

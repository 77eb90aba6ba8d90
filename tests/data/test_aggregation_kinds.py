"""Each aggregation kind of INDICATORS.md, on rows written by hand, through the queries pages run.

- year to date: numerators from January of the period's last year to its last month, over the population
  at that month (a half-year is the share reached so far, never annualised);
- rolling coverage: people screened in the window ending at the period's last month, over the population
  then; nothing before the town has reported for a whole window;
- stock at period end: only the last month of the period with data, wherever gaps lie before it;
- a count with no events is 0 where a report came in, and "no data" only where none did;
- 下转/上转比 counts referrals out of the county on the upward side.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core import indicators as ind
from healthdash.core.filters import Filters, add_months
from healthdash.core.indicators import Indicator
from healthdash.data.catalog import load_catalog
from tests.support.reading import execute
from tests.support.worlds import write_world

CATALOG = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
REGIONS = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False, 2_000),
        ("K1", "乙县", "county", "C1", True, False, 2_000),
        ("K2", "丁县", "county", "C1", True, False, 1_000),
        ("T1", "一镇", "town", "K1", True, False, 1_000),
        ("T2", "二镇", "town", "K1", True, False, 1_000),
        ("T3", "三镇", "town", "K2", True, False, 1_000),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)
FACILITIES = pd.DataFrame(
    [
        ("H1", "乙县人民医院", "K1", "county", "general", "二甲", 300),
        ("W1", "一镇卫生院", "T1", "township", "general", "一级", 40),
        ("W2", "二镇卫生院", "T2", "township", "general", "一级", 40),
        ("H2", "丁县人民医院", "K2", "county", "general", "二甲", 300),
    ],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)
NOV, DEC = date(2023, 11, 1), date(2023, 12, 1)
JAN, FEB, MAR, APR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)


def _public_health() -> pd.DataFrame:
    rows = [
        # Elderly health management (ytd): 65+ residents 100 in 2023, 110 from February 2024.
        ("T1", NOV, "elderly_health_mgmt_rate", 10, 100),
        ("T1", DEC, "elderly_health_mgmt_rate", 20, 100),
        ("T1", JAN, "elderly_health_mgmt_rate", 5, 100),
        ("T1", FEB, "elderly_health_mgmt_rate", 7, 110),
        # Hypertension management (stock): T1 skips February, T2 stops after February.
        ("T1", JAN, "htn_std_mgmt_rate", 50, 100),
        ("T1", MAR, "htn_std_mgmt_rate", 72, 100),
        ("T2", JAN, "htn_std_mgmt_rate", 10, 100),
        ("T2", FEB, "htn_std_mgmt_rate", 90, 100),
    ]
    # Breast screening (rolling coverage, 24 months): one woman a month in T2 from 2022-01 to 2024-03, of 200.
    month = date(2022, 1, 1)
    while month <= MAR:
        rows.append(("T2", month, "breast_screening_rate", 1, 200))
        month = add_months(month, 1)
    return pd.DataFrame(rows, columns=["town_code", "month", "indicator_code", "numerator", "denominator"])


def _volume() -> pd.DataFrame:
    """Every facility reports January and February; H2 does not report February's figures at all."""
    rows = [(code, month, 1_000, 50, 0, 100_000.0) for code in ("H1", "W1", "W2", "H2") for month in (JAN, FEB)
            if not (code == "H2" and month == FEB)]
    return pd.DataFrame(rows, columns=["facility_code", "month", "outpatient_visits", "inpatient_discharges",
                                       "critical_cases", "inpatient_spending"])


def _referrals() -> pd.DataFrame:
    """January only: W1 sends 4 up, H1 sends 2 down and 2 out of the county (to H2 in 丁县)."""
    rows = [("W1", "H1", "up")] * 4 + [("H1", "W1", "down")] * 2 + [("H1", "H2", "out_of_county")] * 2
    return pd.DataFrame(
        [(i, date(2024, 1, 10), sender, receiver, direction, "IX", False, "completed", None)
         for i, (sender, receiver, direction) in enumerate(rows)],
        columns=["referral_id", "referral_date", "from_facility", "to_facility", "direction", "disease_chapter",
                 "green_channel", "status", "import_batch"],
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("kinds") / "kinds.duckdb", region=REGIONS, facility=FACILITIES,
                       service_volume=_volume(), referral=_referrals(), public_health=_public_health())


def totals(db: Path, filters: Filters, code: str) -> float | None:
    """The value a KPI card shows for the current period (None: 暂无数据)."""
    with duckdb.connect(str(db), read_only=True) as con:
        frame = execute(con, "indicator_totals", {"codes": [code], **filters.sql_params()})
    row = frame[frame["period"] == "current"]
    if row.empty:
        return None
    return ind.value(CATALOG[code], row["numerator"].iloc[0], row["denominator"].iloc[0])


def monthly(db: Path, filters: Filters, code: str) -> dict[date, float | None]:
    with duckdb.connect(str(db), read_only=True) as con:
        frame = execute(con, "indicator_monthly", {"codes": [code], **filters.scope_params(),
                                                   "month_from": filters.month_from, "month_to": filters.month_to})
    return {pd.Timestamp(r.month).date(): ind.value(CATALOG[code], r.numerator, r.denominator)
            for r in frame.itertuples(index=False)}


# ---------------------------------------------------------------------------------------------- ytd


def test_year_to_date_starts_again_in_january_across_a_year_boundary(db: Path) -> None:
    # December 2023 to February 2024: January and February of 2024 only, over February's 110 residents.
    assert totals(db, Filters(DEC, FEB, county="K1"), "elderly_health_mgmt_rate") == pytest.approx((5 + 7) / 110)
    # The last two months of 2023: everything from January 2023 (here November and December) over 100.
    assert totals(db, Filters(NOV, DEC, county="K1"), "elderly_health_mgmt_rate") == pytest.approx((10 + 20) / 100)


def test_year_to_date_ignores_where_the_period_starts(db: Path) -> None:
    # February alone still shows the share reached since January, not an annualised month.
    assert totals(db, Filters(FEB, FEB, county="K1"), "elderly_health_mgmt_rate") == pytest.approx((5 + 7) / 110)


def test_year_to_date_month_by_month_climbs_and_resets(db: Path) -> None:
    series = monthly(db, Filters(NOV, FEB, county="K1"), "elderly_health_mgmt_rate")
    assert series == pytest.approx({NOV: 0.10, DEC: 0.30, JAN: 0.05, FEB: 12 / 110})


# ---------------------------------------------------------------------------------------------- rolling


def test_rolling_coverage_counts_the_window_ending_at_the_period_end(db: Path) -> None:
    # 24 months up to March 2024: April 2022 to March 2024, one woman each, of 200.
    assert totals(db, Filters(JAN, MAR, county="K1"), "breast_screening_rate") == pytest.approx(24 / 200)
    # Up to December 2023, the window starting in January 2022 is the first whole one.
    assert totals(db, Filters(DEC, DEC, county="K1"), "breast_screening_rate") == pytest.approx(24 / 200)


def test_rolling_coverage_is_no_data_before_a_whole_window_was_reported(db: Path) -> None:
    assert totals(db, Filters(date(2023, 11, 1), date(2023, 11, 1), county="K1"), "breast_screening_rate") is None


def test_the_screening_count_adds_up_the_months_of_the_period(db: Path) -> None:
    assert totals(db, Filters(JAN, MAR, county="K1"), "breast_screenings") == 3


# ---------------------------------------------------------------------------------------------- stock


def test_a_stock_takes_the_periods_last_month_whatever_the_gaps_before(db: Path) -> None:
    # January to March: March is the last month with a report; only T1 reported then (72 of 100).
    assert totals(db, Filters(JAN, MAR, county="K1"), "htn_std_mgmt_rate") == pytest.approx(0.72)
    # January to February: both towns' February, T1 has none, so T2's 90 of 100.
    assert totals(db, Filters(JAN, FEB, county="K1"), "htn_std_mgmt_rate") == pytest.approx(0.90)
    # A period past the last report (to April) takes the last month that has one.
    assert totals(db, Filters(JAN, APR, county="K1"), "htn_std_mgmt_rate") == pytest.approx(0.72)


def test_a_stock_is_never_an_average_of_months(db: Path) -> None:
    average = (50 + 72) / 200
    assert totals(db, Filters(JAN, MAR, town="T1", county="K1"), "htn_std_mgmt_rate") != pytest.approx(average)


# ---------------------------------------------------------------------------------------------- zeros


def test_a_reported_month_without_referrals_is_zero(db: Path) -> None:
    # February: every K1 facility reported its volume and sent nothing: 0, not 暂无数据.
    assert totals(db, Filters(FEB, FEB, county="K1"), "out_of_county_referrals") == 0
    assert totals(db, Filters(FEB, FEB, town="T2", county="K1"), "up_referrals") == 0


def test_a_month_without_any_report_is_no_data(db: Path) -> None:
    # H2 (丁县's only facility) did not report February.
    assert totals(db, Filters(FEB, FEB, county="K2"), "up_referrals") is None
    assert totals(db, Filters(JAN, JAN, county="K2"), "up_referrals") == 0


def test_a_ratio_with_nothing_referred_stays_undefined(db: Path) -> None:
    assert totals(db, Filters(FEB, FEB, county="K1"), "down_up_ratio") is None


def test_down_to_up_ratio_counts_out_of_county_referrals_upward(db: Path) -> None:
    # 2 down over 4 up + 2 out of the county, not 2 over 4.
    assert totals(db, Filters(JAN, JAN, county="K1"), "down_up_ratio") == pytest.approx(2 / 6)

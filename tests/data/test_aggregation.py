"""The page queries aggregate the way the catalog says, checked on a tiny database written by hand.

Two towns of very different size make the mean of rates and the ratio of sums disagree, and two months
make a stock indicator (taken at the period's last month) differ from a summed one.
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
from tests.support.worlds import write_world

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
REGIONS = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False, 11_000),
        ("K1", "乙县", "county", "C1", True, False, 11_000),
        ("T1", "小镇", "town", "K1", True, False, 1_000),
        ("T2", "大镇", "town", "K1", True, False, 10_000),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)
PUBLIC_HEALTH = pd.DataFrame(
    [
        # stock: contracts in force at month end / residents
        ("T1", JAN, "fd_coverage", 500, 1_000),
        ("T1", FEB, "fd_coverage", 900, 1_000),
        ("T2", JAN, "fd_coverage", 1_000, 10_000),
        ("T2", FEB, "fd_coverage", 2_000, 10_000),
        # flow: children vaccinated on schedule / children due, each month
        ("T1", JAN, "child_immunization_rate", 9, 10),
        ("T1", FEB, "child_immunization_rate", 10, 10),
        ("T2", JAN, "child_immunization_rate", 500, 1_000),
        ("T2", FEB, "child_immunization_rate", 600, 1_000),
    ],
    columns=["town_code", "month", "indicator_code", "numerator", "denominator"],
)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", region=REGIONS, public_health=PUBLIC_HEALTH)


def totals(db: Path, filters: Filters, codes: list[str]) -> dict[tuple[str, str], float | None]:
    catalog = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
    with duckdb.connect(str(db), read_only=True) as con:
        frame = execute(con, "indicator_totals", {"codes": codes, **filters.sql_params()})
    return {
        (row.indicator_code, row.period): ind.value(catalog[row.indicator_code], row.numerator, row.denominator)
        for row in frame.itertuples(index=False)
    }


def test_flow_rate_is_ratio_of_sums_over_towns_and_months(tiny_db: Path) -> None:
    result = totals(tiny_db, Filters(JAN, FEB, county="K1"), ["child_immunization_rate"])
    ratio_of_sums = (9 + 10 + 500 + 600) / (10 + 10 + 1_000 + 1_000)
    mean_of_rates = (0.9 + 1.0 + 0.5 + 0.6) / 4
    assert result[("child_immunization_rate", "current")] == pytest.approx(ratio_of_sums)
    assert abs(ratio_of_sums - mean_of_rates) > 0.1


def test_stock_rate_takes_the_last_month_of_the_period(tiny_db: Path) -> None:
    result = totals(tiny_db, Filters(JAN, FEB, county="K1"), ["fd_coverage"])
    at_february = (900 + 2_000) / (1_000 + 10_000)
    summed_over_months = (500 + 900 + 1_000 + 2_000) / (2 * 11_000)
    assert result[("fd_coverage", "current")] == pytest.approx(at_february)
    assert abs(at_february - summed_over_months) > 0.05


def test_comparison_period_is_computed_alongside(tiny_db: Path) -> None:
    result = totals(tiny_db, Filters(FEB, FEB, county="K1", compare="mom"), ["fd_coverage"])
    assert result[("fd_coverage", "current")] == pytest.approx(2_900 / 11_000)
    assert result[("fd_coverage", "base")] == pytest.approx(1_500 / 11_000)


def test_a_town_selection_sees_only_that_town(tiny_db: Path) -> None:
    result = totals(tiny_db, Filters(JAN, FEB, town="T1", county="K1", city="C1"), ["child_immunization_rate"])
    assert result[("child_immunization_rate", "current")] == pytest.approx(19 / 20)


def test_ranking_by_town_uses_each_towns_last_month(tiny_db: Path) -> None:
    filters = Filters(JAN, FEB, county="K1")
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        frame = execute(con, "indicator_by_place",
                        {"codes": ["fd_coverage"], "child_level": "town", **filters.sql_params()})
    shares = dict(zip(frame["place_name"], frame["numerator"] / frame["denominator"], strict=True))
    assert shares == pytest.approx({"小镇": 0.9, "大镇": 0.2})

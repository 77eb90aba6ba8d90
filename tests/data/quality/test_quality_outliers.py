"""Outliers on given series: seasonal series, a trend and a shock every facility shares must not flag;
an extra zero, a jump against last year, a negative correction and a value beyond its bounds must."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from healthdash.core.filters import Filters
from healthdash.data import db
from healthdash.data.quality import outliers
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.marks import FlagKey
from healthdash.data.quality.sql import runner
from tests.support.worlds import write_world

MONTHS = pd.date_range("2021-01-01", "2024-12-01", freq="MS")
# A winter respiratory peak, the Spring Festival dip in February, a quiet summer: ±60% around the mean.
SEASON = np.array([1.5, 0.7, 1.1, 1.0, 0.95, 0.9, 0.85, 0.85, 0.95, 1.0, 1.2, 1.6])
SHOCK = pd.Timestamp("2022-04-01")  # an epidemic: every facility halves
TOWNSHIPS = [f"HT{number}" for number in range(1, 7)]
EVERYTHING = Filters(date(2021, 1, 1), date(2024, 12, 1))

REGIONS = pd.DataFrame(
    [("C1", "甲市", "city", None, True, False), ("K1", "乙县", "county", "C1", True, False),
     ("T1", "东镇", "town", "K1", True, False)],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban"],
).assign(population=10_000)
FACILITIES = pd.DataFrame(
    [(code, f"{code}卫生院", "T1", "township", "general", "一级", 40) for code in TOWNSHIPS]
    + [("VT1", "一村卫生室", "T1", "village", "general", "未定级", 0)],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)


def volumes(noise: float = 0.03) -> pd.DataFrame:
    """Seasonal, growing 6% a year, with `noise` (log sd); township k sees about 2,000 × k visits a month."""
    rng = np.random.default_rng(7)
    rows = []
    for number, code in enumerate(TOWNSHIPS, start=1):
        level = 2000 * number * 1.06 ** (np.arange(len(MONTHS)) / 12)
        visits = level * SEASON[MONTHS.month - 1] * np.exp(rng.normal(0, noise, len(MONTHS)))
        visits[MONTHS == SHOCK] *= 0.5
        discharges = visits / 40
        rows += [(code, month.date(), int(v), int(d), 0, float(d) * 2000) for month, v, d in zip(MONTHS, visits, discharges, strict=True)]
    rows += [("VT1", month.date(), (400 + 50 * (month.month in (1, 12))) // (1 + (month == SHOCK)), 0, 0, 0.0)
             for month in MONTHS]
    return pd.DataFrame(rows, columns=["facility_code", "month", "outpatient_visits", "inpatient_discharges",
                                       "critical_cases", "inpatient_spending"])


def build(path: Path, volume: pd.DataFrame) -> Path:
    return write_world(path, region=REGIONS, facility=FACILITIES, service_volume=volume)


def seeded() -> pd.DataFrame:
    volume = volumes()
    at = pd.to_datetime(volume["month"])
    extra_zero = (volume["facility_code"] == "HT3") & (at == "2024-08-01")
    volume.loc[extra_zero, "outpatient_visits"] *= 10
    negative = (volume["facility_code"] == "HT4") & (at == "2024-06-01")
    volume.loc[negative, "inpatient_discharges"] = -30
    grown = (volume["facility_code"] == "HT5") & (at >= "2024-10-01")  # a new wing opens: 2.5 times the visits
    volume.loc[grown, "outpatient_visits"] = (volume.loc[grown, "outpatient_visits"] * 2.5).astype("int64")
    village = (volume["facility_code"] == "VT1") & (at == "2024-03-01")
    volume.loc[village, "outpatient_visits"] = 9000  # above the village bound of 5,000
    return volume


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("outliers-exact") / "health.duckdb", volumes(noise=0))
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("outliers-noisy") / "health.duckdb", volumes())
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("outliers-dirty") / "health.duckdb", seeded())
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def flagged(con, **options) -> pd.DataFrame:
    return outliers.flags(runner(con, db.EVERYTHING), EVERYTHING, **options)


def keyed(frame: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    return {(row.check_id, row.unit_code, row.measure, f"{row.month:%Y-%m}") for row in frame.itertuples()}


def test_seasonal_growing_series_with_a_shared_shock_raise_no_flag(exact) -> None:
    found = flagged(exact)
    assert found.empty, found[["check_id", "unit_code", "measure", "month", "value", "expected", "score"]].to_string()


def naive_flags(con) -> int:
    """A plain robust z-score over each whole series (no seasons, no shared shocks), at 3.5."""
    return con.execute("""
        with stats as (
            select unit_code, measure, median(value) as centre, mad(value) as mad from quality_score group by all
        )
        select count(*) from quality_score s join stats t using (unit_code, measure)
        where s.measure = 'outpatient_visits' and abs(s.value - t.centre) / (1.4826 * t.mad) >= 3.5
    """).fetchall()[0][0]


def test_with_noise_they_raise_a_flag_in_a_hundred_values_where_one_z_over_each_series_floods(noisy) -> None:
    values = noisy.execute("select count(z) from quality_score").fetchall()[0][0]
    assert len(flagged(noisy)) <= values / 100
    assert naive_flags(noisy) > values / 20, "winter peaks and the epidemic's month, as the naive check sees them"


def test_an_extra_zero_flags_with_the_range_it_left(dirty) -> None:
    found = flagged(dirty)
    zero = found[(found["unit_code"] == "HT3") & (found["measure"] == "outpatient_visits")]
    assert set(zero["check_id"]) == {"zscore", "jump"}
    assert set(zero["month"].dt.strftime("%Y-%m")) == {"2024-08"}
    z = zero.set_index("check_id").loc["zscore"]
    normal = z["value"] / 10
    assert z["low"] <= normal <= z["high"] < z["value"], "the value a tenth as large is in the expected range"
    assert z["score"] > 20
    jump = zero.set_index("check_id").loc["jump"]
    assert jump["score"] == pytest.approx(10, rel=0.15), "ten times the same month last year"


def test_a_negative_correction_and_a_value_above_its_bound_flag_against_the_bounds(dirty) -> None:
    found = keyed(flagged(dirty, chosen_checks=["bounds"]))
    assert found == {("bounds", "HT4", "inpatient_discharges", "2024-06"), ("bounds", "VT1", "outpatient_visits", "2024-03")}
    bounds = flagged(dirty, chosen_checks=["bounds"]).set_index("unit_code")
    assert (bounds.loc["VT1", "low"], bounds.loc["VT1", "high"]) == (0, 5000), "the village tier's own bounds"
    assert (bounds.loc["HT4", "low"], bounds.loc["HT4", "high"]) == (0, 3000)


def test_more_than_doubling_against_last_year_is_a_jump(dirty) -> None:
    found = keyed(flagged(dirty, chosen_checks=["jump"]))
    jumps = {month for check, unit, measure, month in found if unit == "HT5" and measure == "outpatient_visits"}
    assert jumps == {"2024-10", "2024-11", "2024-12"}


def test_the_seeded_errors_add_their_flags_and_little_else(dirty) -> None:
    seeded_units = {"HT3", "HT4", "HT5", "VT1"}
    found = flagged(dirty)
    others = found[~found["unit_code"].isin(seeded_units)]
    values = dirty.execute("select count(z) from quality_score").fetchall()[0][0]
    assert len(others) <= values / 100, others[["check_id", "unit_code", "measure", "month"]].to_string()


def test_thresholds_filter_and_cannot_go_below_what_is_stored(dirty) -> None:
    found = flagged(dirty, chosen_checks=["zscore"])
    strongest = found["score"].abs().max()
    assert flagged(dirty, chosen_checks=["zscore"], z=strongest + 1).empty
    # The extra zero is ten times last year's: gone at 12; the village's 9,000 (22 times) and the negative
    # correction stay.
    assert {(unit, measure) for _, unit, measure, _ in keyed(flagged(dirty, chosen_checks=["jump"], jump=12))} == {
        ("VT1", "outpatient_visits"), ("HT4", "inpatient_discharges")}
    with pytest.raises(QualityError, match="不小于 3.0"):
        flagged(dirty, z=2)
    with pytest.raises(QualityError, match="不小于 1.5"):
        flagged(dirty, jump=1.2)
    with pytest.raises(QualityError, match="未知的检查项"):
        flagged(dirty, chosen_checks=["median"])


def test_the_series_behind_a_flag_shows_the_value_outside_its_range(dirty) -> None:
    key = FlagKey("zscore", "service_volume", "outpatient_visits", "HT3", "", date(2024, 8, 1))
    series = outliers.series(runner(dirty, db.EVERYTHING), key).set_index("month")
    assert len(series) == len(MONTHS)
    flagged_month = series.loc[pd.Timestamp("2024-08-01")]
    assert flagged_month["value"] > flagged_month["high"]
    others = series.drop(pd.Timestamp("2024-08-01"))
    ranged = others.dropna(subset=["high"])
    inside = (ranged["value"] >= ranged["low"]) & (ranged["value"] <= ranged["high"])
    assert inside.all(), ranged[~inside].to_string()
    # A range needs the past: a year for the level, a year of that calendar month, a year of residuals.
    assert series.loc[:"2022-12-01", "high"].isna().all()
    assert series.loc["2024-01-01":, "high"].notna().all()
    assert series.loc[pd.Timestamp("2024-12-01"), "high"] > series.loc[pd.Timestamp("2024-06-01"), "high"], \
        "the range follows the season"

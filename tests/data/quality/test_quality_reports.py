"""Expected, received, late and missing reports on given rows (tests/data/quality/worlds.py): a facility
opened mid-year, one closed, an exception, a report not yet due, rates by place and alliance, the grid."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import exceptions, reporting
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.sql import runner
from healthdash.ingest import loader
from tests.data.quality import worlds

YEAR = Filters(date(2024, 1, 1), date(2024, 12, 1))
LATER = date(2025, 6, 1)  # every 2024 report is past its due day


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return worlds.build(tmp_path_factory.mktemp("quality-reports") / "health.duckdb")


@pytest.fixture
def con(master: Path):
    with duckdb.connect(str(master), read_only=True) as connection:
        yield connection


@pytest.fixture
def db(master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(master, path)
    return path


def states(frame, dataset: str = "service_volume") -> dict[tuple[str, int], str]:
    rows = frame[frame["dataset"] == dataset]
    return {(code, month.month): state for code, month, state in rows[["unit_code", "month", "state"]].itertuples(index=False)}


def test_each_facility_owes_from_opening_to_closing_and_an_exception_excuses(con) -> None:
    grid = states(reporting.grid(runner(con, EVERYTHING), YEAR, as_of=LATER))
    assert grid[("HK1", 3)] == "late", "delivered on 15 April, due by the 10th"
    assert grid[("HK1", 4)] == "received"
    assert ("HT1", 3) not in grid and grid[("HT1", 4)] == "received", "opened 20 April: owes April on"
    assert grid[("HT1", 12)] == "missing"
    assert grid[("HT2", 6)] == "received" and ("HT2", 7) not in grid, "closed 10 June: owes June, not July"
    assert grid[("VT1", 5)] == grid[("VT1", 6)] == "not_due", "excused: renovation"
    assert grid[("VT1", 9)] == "missing"
    assert not any(code == "PK1" for code, _ in grid), "a CDC owes no service volume"


def test_the_grid_table_has_every_month_and_says_why_a_month_is_not_due(con) -> None:
    long = reporting.grid(runner(con, EVERYTHING), YEAR, as_of=LATER)
    excused = long[(long["unit_code"] == "VT1") & (long["month"] == "2024-05-01")]
    assert excused["exception_reason"].tolist() == ["卫生室装修"]
    table = reporting.grid_table(long[long["dataset"] == "service_volume"], worlds.MONTHS)
    ht1 = table[table["unit_code"] == "HT1"].iloc[0]
    assert [ht1[pd.Timestamp(2024, m, 1)] for m in (3, 4, 12)] == ["not_due", "received", "missing"]
    assert len(table) == 4, "HK1, HT1, HT2, VT1"


def test_rates_count_due_reports_received_and_on_time(con) -> None:
    totals = reporting.totals(runner(con, EVERYTHING), YEAR, chosen=["service_volume"], as_of=LATER)
    volume = totals[totals["dataset"] == "service_volume"].iloc[0]
    # HK1 12 + HT1 9 (April on) + HT2 6 (to June) + VT1 10 (12 less two excused) = 37 due
    assert (volume["reports_due"], volume["reports_received"], volume["reports_on_time"], volume["reports_late"],
            volume["reports_missing"]) == (37, 35, 34, 1, 2)
    assert volume["reporting_rate"] == pytest.approx(35 / 37)
    assert volume["timeliness"] == pytest.approx(34 / 37)
    assert volume["units_missing"] == 2
    assert volume["last_month"].date() == date(2024, 12, 1)


def test_a_later_due_day_makes_the_late_report_on_time(con) -> None:
    totals = reporting.totals(runner(con, EVERYTHING), YEAR, chosen=["service_volume"], due_day=20, as_of=LATER)
    volume = totals[totals["dataset"] == "service_volume"].iloc[0]
    assert (volume["reports_on_time"], volume["reports_late"]) == (35, 0)


def test_a_month_not_yet_due_counts_only_what_came_in(con) -> None:
    # On 5 January 2025 December is due on the 10th: HT1's December is pending, not missing.
    totals = reporting.totals(runner(con, EVERYTHING), YEAR, chosen=["service_volume"], as_of=date(2025, 1, 5))
    volume = totals[totals["dataset"] == "service_volume"].iloc[0]
    assert (volume["reports_due"], volume["reports_missing"], volume["reports_not_yet_due"]) == (36, 1, 1)
    grid = states(reporting.grid(runner(con, EVERYTHING), YEAR, as_of=date(2025, 1, 5)))
    assert grid[("HT1", 12)] == "not_due"


def test_every_dataset_counts_in_the_overall_rate_and_one_nobody_reports_is_owed_by_nobody(con) -> None:
    totals = reporting.totals(runner(con, EVERYTHING), YEAR, as_of=LATER).set_index("dataset", drop=False)
    reported = {"service_volume", "alliance_activity", "public_health", "poverty_monitoring"}
    assert set(totals["dataset"].dropna()) == reported
    # alliance activity: HT2 January–June and HT1 July–December, all in; public health: T2 misses August
    assert totals.loc["alliance_activity", "reports_due"] == 12 and totals.loc["alliance_activity", "reports_missing"] == 0
    assert (totals.loc["public_health", "reports_due"], totals.loc["public_health", "reports_missing"]) == (24, 1)
    # 防止因病返贫监测, added with issue 26, is owed like the first reports: T2 misses October
    assert (totals.loc["poverty_monitoring", "reports_due"], totals.loc["poverty_monitoring", "reports_missing"]) == (24, 1)
    overall = totals[totals["dataset"].isna()].iloc[0]
    assert (overall["reports_due"], overall["reports_received"]) == (37 + 12 + 24 + 24, 35 + 12 + 23 + 23)


def test_rates_by_town_by_unit_and_by_alliance(con) -> None:
    run = runner(con, EVERYTHING)
    towns = reporting.by_place(run, YEAR, "town", as_of=LATER).set_index("place_code")
    # T1: HT1 9 + VT1 10 + its public health 12 + HT1's alliance activity 6 + its poverty monitoring 12;
    # T2: HT2 6 + 6, public health 12 and poverty monitoring 12 (October missing)
    assert (towns.loc["T1", "reports_due"], towns.loc["T1", "reports_received"]) == (49, 47)
    assert (towns.loc["T2", "reports_due"], towns.loc["T2", "reports_received"]) == (36, 34)
    assert towns.loc["T1", "place_name"] == "东镇"
    units = reporting.by_place(run, YEAR, "unit", chosen=["service_volume"], as_of=LATER).set_index("place_code")
    assert units.loc["VT1", "reporting_rate"] == pytest.approx(9 / 10)
    assert units.index[0] in ("HT1", "VT1"), "lowest rate first"
    alliances = reporting.by_alliance(run, YEAR, as_of=LATER).set_index("alliance_code")
    # HK1 12 + HT2 6 + 6 + HT1 from July: 6 volume (December missing) + 6 activity
    assert (alliances.loc["A1", "reports_due"], alliances.loc["A1", "reports_received"]) == (36, 35)


def test_an_alliance_selection_counts_members_from_their_joining(con) -> None:
    picked = Filters(date(2024, 1, 1), date(2024, 12, 1), alliance="A1")
    grid = states(reporting.grid(runner(con, EVERYTHING), picked, as_of=LATER))
    assert ("HT1", 6) not in grid and grid[("HT1", 7)] == "received", "HT1 joined in July"
    assert not any(code == "VT1" for code, _ in grid), "VT1 is no member"
    assert not any(code in ("T1", "T2") for code, _ in states(reporting.grid(runner(con, EVERYTHING), picked, as_of=LATER),
                                                              "public_health")), "a town's report is no member's"


def test_monthly_trend_and_the_list_of_missing_reports(con) -> None:
    run = runner(con, EVERYTHING)
    trend = reporting.monthly(run, YEAR, chosen=["service_volume"], as_of=LATER)
    overall = trend[trend["dataset"].isna()].set_index(trend[trend["dataset"].isna()]["month"].dt.month)
    assert overall.loc[9, "reports_missing"] == 1 and overall.loc[3, "reports_late"] == 1
    assert overall.loc[5, "reports_due"] == 3, "HK1, HT1, HT2; VT1 excused"
    missing = reporting.missing(run, YEAR, states=("missing", "late"), as_of=LATER)
    listed = {(row.state, row.dataset, row.unit_code, row.month.month) for row in missing.itertuples()}
    assert listed == {("missing", "service_volume", "HT1", 12), ("missing", "service_volume", "VT1", 9),
                      ("missing", "public_health", "T2", 8), ("missing", "poverty_monitoring", "T2", 10),
                      ("late", "service_volume", "HK1", 3)}
    late = missing[missing["state"] == "late"].iloc[0]
    assert late["days_late"] == 5 and late["unit_name"] == "乙县人民医院"


def test_bad_options_are_refused_in_chinese(con) -> None:
    with pytest.raises(QualityError) as error:
        reporting.totals(runner(con, EVERYTHING), YEAR, due_day=40)
    assert "1–28" in error.value.zh
    with pytest.raises(QualityError, match="未知的报表"):
        reporting.totals(runner(con, EVERYTHING), YEAR, chosen=["referral"])


def test_recording_and_withdrawing_an_exception_changes_what_is_owed(db: Path) -> None:
    exception = loader.write(db, lambda con: exceptions.record_exception(
        con, "HT1", date(2024, 12, 1), date(2024, 12, 31), "年底停诊", "县卫健委", dataset="service_volume"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert states(reporting.grid(runner(con, EVERYTHING), YEAR, as_of=LATER))[("HT1", 12)] == "not_due"
        listed = exceptions.exceptions(runner(con, EVERYTHING))
        assert listed.iloc[0]["unit_name"] == "东镇卫生院" and listed.iloc[0]["reason"] == "年底停诊"
    loader.write(db, lambda con: exceptions.withdraw_exception(con, exception, "县卫健委"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert states(reporting.grid(runner(con, EVERYTHING), YEAR, as_of=LATER))[("HT1", 12)] == "missing"
        assert exceptions.exceptions(runner(con, EVERYTHING)).set_index("exception_id").loc[exception, "withdrawn_by"] == "县卫健委"


def test_a_refused_exception_changes_nothing(db: Path) -> None:
    before = db.read_bytes()
    for call, message in (
        (lambda con: exceptions.record_exception(con, "NOPE", date(2024, 1, 1), date(2024, 2, 1), "x", "officer"),
         "找不到机构或地区代码"),
        (lambda con: exceptions.record_exception(con, "HT1", date(2024, 3, 1), date(2024, 2, 1), "x", "officer"),
         "晚于截止月份"),
        (lambda con: exceptions.record_exception(con, "HT1", date(2024, 1, 1), date(2024, 2, 1), "  ", "officer"),
         "请填写例外原因"),
        (lambda con: exceptions.withdraw_exception(con, 99, "officer"), "没有编号为 99"),
    ):
        with pytest.raises(QualityError, match=message):
            loader.write(db, call)
    assert db.read_bytes() == before


def test_a_facilitys_closing_date_set_later_ends_what_it_owes(db: Path) -> None:
    loader.write(db, lambda con: exceptions.set_facility_dates(con, "VT1", None, date(2024, 8, 31)))
    with duckdb.connect(str(db), read_only=True) as con:
        grid = states(reporting.grid(runner(con, EVERYTHING), YEAR, as_of=LATER))
        units = reporting.by_place(runner(con, EVERYTHING), YEAR, "unit", chosen=["service_volume"], as_of=LATER)
    assert grid[("VT1", 8)] == "received" and ("VT1", 9) not in grid, "September is no longer owed"
    # January–August less the two excused months, all in: the reports sent after closing count for nothing
    assert units.set_index("place_code").loc["VT1", ["reports_due", "reports_received"]].tolist() == [6, 6]
    with pytest.raises(QualityError, match="晚于停业日期"):
        loader.write(db, lambda con: exceptions.set_facility_dates(con, "VT1", date(2024, 9, 1), date(2024, 8, 1)))


def test_the_footnote_of_a_figure_says_how_complete_its_reports_are(con) -> None:
    whole = reporting.coverage(reporting.totals(runner(con, EVERYTHING), YEAR, as_of=LATER))
    # HT1, VT1 and T2 (its public health and its poverty monitoring): three units
    assert (whole.last_month, whole.units_missing, whole.complete) == (date(2024, 12, 1), 3, False)
    assert whole.reporting_rate == pytest.approx((35 + 12 + 23 + 23) / (37 + 12 + 24 + 24))
    spring = Filters(date(2024, 1, 1), date(2024, 3, 1))
    assert reporting.coverage(reporting.totals(runner(con, EVERYTHING), spring, chosen=["service_volume"], as_of=LATER)).complete
    nothing = reporting.coverage(reporting.totals(runner(con, EVERYTHING), Filters(date(2030, 1, 1), date(2030, 2, 1)), as_of=LATER))
    assert nothing.reporting_rate is None and nothing.complete

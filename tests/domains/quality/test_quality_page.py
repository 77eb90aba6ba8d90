"""数据质量 page as a user sees it (AppTest on the demo, whose simulated gaps, late loads and errors come from
healthdash/data/quality/simulate.py): the headline figures are the engine's, a county shows its facility ×
month grid in words, a picked flag shows its series, and a follow-up mark is saved, shown after the rerun,
audited by the engine's history and kept through a load of other data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import marks, outliers, reporting
from healthdash.data.quality.sql import runner
from healthdash.ingest import loader
from tests.support.app import open_page
from tests.support.load_world import csv_bytes
from tests.support.places import region_code

PAGE = "pages/quality.py"
YEAR = {"period": "custom", "from": "2025-01", "to": "2025-12"}


def engine(db: Path, **place: str):
    filters = Filters(date(2025, 1, 1), date(2025, 12, 1), **place)
    with duckdb.connect(str(db), read_only=True) as con:
        run = runner(con, EVERYTHING)
        return reporting.totals(run, filters), reporting.missing(run, filters), outliers.flags(run, filters)


def table_with(at: AppTest, column: str):
    """The table on screen with `column` (a table without a selection has no key in AppTest)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_demo_opens_with_the_engines_figures(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, PAGE, YEAR)
    totals, missing, flags = engine(demo_db)
    overall = totals[totals["dataset"].isna()].iloc[0]
    shown = metrics(at)
    assert shown["上报率"] == f"{int(overall['reporting_rate'] * 1000) / 10:.1f}%"
    assert shown["及时率"] == f"{int(overall['timeliness'] * 1000) / 10:.1f}%"
    assert shown["未上报月报"] == str(len(missing)) and len(missing) > 0
    assert shown["数据截至"] == "2025年12月"
    listed = table_with(at, "报送截止日")
    assert len(listed) == len(missing) and set(listed["机构或单位"]) == set(missing["unit_name"])
    assert len(at.dataframe(key="quality_outliers").value) == int((flags["kind"] == "outlier").sum())
    assert len(at.dataframe(key="quality_rules").value) == int((flags["kind"] == "rule").sum())
    assert any(info.value.startswith("在左侧选择一个区县") for info in at.info), "the grid asks for a county"


def test_a_county_shows_its_grid_in_words(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(demo_db, "博爱县")
    at = open_page(demo_db, monkeypatch, PAGE, {"county": county, **YEAR})
    _, missing, _ = engine(demo_db, city=county[:4] + "00", county=county)
    grid = table_with(at, "未报月数")
    assert {f"2025年{month}月" for month in range(1, 13)} <= set(grid.columns)
    cells = set(grid[[f"2025年{month}月" for month in range(1, 13)]].to_numpy().ravel())
    assert cells <= {"✓ 已报", "△ 迟报", "✗ 未报", "— 无需上报"} and {"✓ 已报", "✗ 未报"} <= cells
    first = grid.iloc[0]  # most months missing first
    assert first["机构或单位"] == missing["unit_name"].iloc[0] and first["未报月数"] == len(missing)
    for month in missing["month"]:
        assert first[f"2025年{month.month}月"] == "✗ 未报"


def pick_first_outlier(at: AppTest) -> AppTest:
    at.session_state["quality_outliers"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_picked_flag_shows_its_series(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, PAGE, YEAR)
    charts_before = len(at.get("vega_lite_chart"))
    pick_first_outlier(at)
    flag = engine(demo_db)[2].query("kind == 'outlier'").iloc[0]
    assert any(str(flag["unit_name"]) in markdown.value for markdown in at.markdown)
    assert any(caption.value.startswith("2025年") and "合理范围为" in caption.value for caption in at.caption)
    drawn = at.get("vega_lite_chart")
    assert len(drawn) == charts_before + 1, "the series is drawn"
    series = [chart for chart in drawn if '"diamond"' in chart.proto.spec]
    assert len(series) == 1, "with the flagged month marked"


def test_a_mark_is_saved_shown_and_kept_through_a_load_of_other_data(demo_db: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    at = pick_first_outlier(open_page(db, monkeypatch, PAGE, YEAR))
    at.radio(key="quality_mark_status_outlier").set_value("to_correct")
    at.text_area(key="quality_mark_comment_outlier").input("已电话联系机构，数值多录一个零")
    at.text_input(key="quality_mark_by_outlier").input("县数据员")
    next(button for button in at.button if button.label == "保存跟进").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(success.value == "已保存跟进：待更正" for success in at.success)
    assert at.dataframe(key="quality_outliers").value["跟进"].iloc[0] == "待更正"

    flag = engine(db)[2].query("kind == 'outlier'").iloc[0]
    with duckdb.connect(str(db), read_only=True) as con:
        key = marks.FlagKey.of(flag.fillna({"alliance_code": "", "measure": ""}))
        history = marks.history(runner(con, EVERYTHING), key)
    assert history[["status", "comment", "marked_by"]].values.tolist() == [
        ["to_correct", "已电话联系机构，数值多录一个零", "县数据员"]]

    with duckdb.connect(str(db), read_only=True) as con:
        other = con.execute("select facility_code, month, outpatient_visits, inpatient_discharges, critical_cases, "
                            "inpatient_spending from service_volume where facility_code <> $f order by month desc "
                            "limit 1", {"f": flag["unit_code"]}).df()
    row = other.iloc[0].to_dict() | {"month": "2025-06", "outpatient_visits": int(other["outpatient_visits"].iloc[0]) + 1}
    path = tmp_path / "门急诊与住院服务量.csv"
    path.write_bytes(csv_bytes("service_volume", [row]))
    assert loader.apply(db, loader.read_paths([path]), "县数据员").applied
    again = open_page(db, monkeypatch, PAGE, YEAR)
    assert again.dataframe(key="quality_outliers").value["跟进"].iloc[0] == "待更正"


def test_alliances_are_ranked_by_reporting_rate(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, PAGE, YEAR)
    filters = Filters(date(2025, 1, 1), date(2025, 12, 1))
    with duckdb.connect(str(demo_db), read_only=True) as con:
        ranked = reporting.by_alliance(runner(con, EVERYTHING), filters)
    assert any(header.value == "各医联体上报率" for header in at.subheader)
    names = ranked["alliance_name"].head(30).tolist()
    frames = [pd.concat([pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets])
              for chart in at.get("vega_lite_chart") if chart.proto.datasets]
    drawn = [frame for frame in frames if "place_name" in frame and set(names) <= set(frame["place_name"])]
    assert len(names) > 5 and len(drawn) == 1, "one chart names every alliance ranked"
    lowest = ranked.iloc[0]
    label = drawn[0].set_index("place_name").loc[lowest["alliance_name"], "label"]
    assert label.startswith(f"{int(lowest['reporting_rate'] * 1000) / 10:.1f}%")

    alliance = open_page(demo_db, monkeypatch, PAGE, {**YEAR, "alliance": str(lowest["alliance_code"])})
    assert any(caption.value.startswith("所选范围没有医联体") for caption in alliance.caption)

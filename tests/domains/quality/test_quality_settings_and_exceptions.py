"""数据质量 page, the data officer's controls: the checks' settings in the sidebar (due day, z-score, jump
factor) change the figures to the engine's at those settings and stay in the link; a unit picked in a
county's grid is excused for months (an exception), which takes its reports off the missing list, is listed
with reason and author, and can be withdrawn, putting them back."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.access import audit
from healthdash.access.audit import Action
from healthdash.access.store import open_store
from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import exceptions, outliers, reporting
from healthdash.data.quality.sql import runner
from tests.support.app import open_page
from tests.support.places import region_code

PAGE = "pages/quality.py"
YEAR = {"period": "custom", "from": "2025-01", "to": "2025-12"}


def engine_figures(db: Path, *, due_day: int = 10, z: float = 3.5, **place: str) -> tuple[float, int, pd.DataFrame]:
    filters = Filters(date(2025, 1, 1), date(2025, 12, 1), **place)
    with duckdb.connect(str(db), read_only=True) as con:
        run = runner(con, EVERYTHING)
        totals = reporting.totals(run, filters, due_day=due_day)
        flags = outliers.flags(run, filters, z=z)
        missing = reporting.missing(run, filters, due_day=due_day)
    timely = float(totals[totals["dataset"].isna()]["timeliness"].iloc[0])
    return timely, int((flags["kind"] == "outlier").sum()), missing



def shown_rate(rate: float) -> str:
    return f"{int(rate * 1000) / 10:.1f}%"


def metric(at: AppTest, label: str) -> str:
    return next(item.value for item in at.metric if item.label == label)


def ran(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_settings_change_the_figures_and_stay_in_the_link(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, PAGE, YEAR)
    timely_10, outliers_35, _ = engine_figures(demo_db)
    timely_28, _, _ = engine_figures(demo_db, due_day=28)
    _, outliers_6, _ = engine_figures(demo_db, z=6.0)
    assert timely_28 > timely_10 and outliers_6 < outliers_35, "the demo's late loads and outliers tell them apart"
    assert metric(at, "及时率") == shown_rate(timely_10)
    assert len(at.dataframe(key="quality_outliers").value) == outliers_35

    ran(at.slider(key="due_day").set_value(28).run())
    assert metric(at, "及时率") == shown_rate(timely_28)
    assert at.query_params["due_day"] == "28"

    ran(at.slider(key="z_score").set_value(6.0).run())
    assert len(at.dataframe(key="quality_outliers").value) == outliers_6
    assert metric(at, "及时率") == shown_rate(timely_28), "one setting does not undo another"

    link = dict(at.query_params.items())
    again = open_page(demo_db, monkeypatch, PAGE, link)
    assert again.slider(key="due_day").value == 28 and again.slider(key="z_score").value == 6.0
    assert metric(again, "及时率") == shown_rate(timely_28)
    assert len(again.dataframe(key="quality_outliers").value) == outliers_6

    broken = open_page(demo_db, monkeypatch, PAGE, {**YEAR, "z_score": "1", "due_day": "x"})
    assert broken.slider(key="z_score").value == 3.5 and broken.slider(key="due_day").value == 10
    assert len([w for w in broken.warning if "z_score=1" in w.value or "due_day=x" in w.value]) == 2


def test_an_exception_recorded_from_the_grid_and_withdrawn(demo_db: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "health.duckdb"
    shutil.copyfile(demo_db, db)
    county = region_code(db, "博爱县")
    place = {"city": county[:4] + "00", "county": county}
    _, _, missing = engine_figures(db, **place)
    unit = missing["unit_name"].iloc[0]
    owed = missing[missing["unit_name"] == unit]
    first, last = owed["month"].min(), owed["month"].max()
    at = open_page(db, monkeypatch, PAGE, {**YEAR, "county": county})
    assert unit in set(next(f.value for f in at.dataframe if "报送截止日" in f.value.columns)["机构或单位"])
    assert any(caption.value == "所选地区尚无免报登记。" for caption in at.caption), "another county's are not listed"

    at.session_state["quality_grid"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    ran(at.run())
    assert any(markdown.value == f"**为“{unit}”登记免报**" for markdown in at.markdown)
    at.selectbox(key="quality_exception_from").set_value(pd_month(first))
    at.selectbox(key="quality_exception_to").set_value(pd_month(last))
    at.text_input(key="quality_exception_reason").input("停业装修")
    at.text_input(key="quality_exception_by").input("县数据员")
    ran(next(button for button in at.button if button.label == "登记免报").click().run())
    assert any(success.value.startswith(f"已为“{unit}”登记免报") for success in at.success)
    others = missing[missing["unit_name"] != unit]
    if others.empty:
        assert any(s.value == "所选范围和时间内，应报月报均已收到。" for s in at.success), "nothing is missing now"
    else:
        listed = next(f.value for f in at.dataframe if "报送截止日" in f.value.columns)
        assert set(listed["机构或单位"]) == set(others["unit_name"]), "its months are off the missing list"
    assert metric(at, "未上报月报") == str(len(others))
    shown = at.dataframe(key="quality_exceptions").value
    assert shown[["机构或单位", "原因", "经办人", "撤销"]].values.tolist() == [[unit, "停业装修", "县数据员", ""]]
    with duckdb.connect(str(db), read_only=True) as con:
        recorded = exceptions.exceptions(runner(con, EVERYTHING), county=county)
    assert recorded[["unit_name", "month_from", "month_to", "reason"]].astype(str).values.tolist() == [
        [unit, str(pd_month(first)), str(pd_month(last)), "停业装修"]]

    at.session_state["quality_exceptions"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    ran(at.run())
    at.text_input(key="quality_withdraw_by").input("县数据员")
    ran(next(button for button in at.button if button.label == "撤销该登记").click().run())
    assert any(success.value.startswith(f"已撤销“{unit}”的免报登记") for success in at.success)
    listed = next(f.value for f in at.dataframe if "报送截止日" in f.value.columns)
    assert unit in set(listed["机构或单位"]), "its months are owed again"
    assert at.dataframe(key="quality_exceptions").value["撤销"].iloc[0].startswith("县数据员于")
    logged = audit.entries(open_store(db), action=Action.QUALITY_EXCEPTION)
    assert sorted(entry.detail.get("withdrawn", "") for entry in logged) == ["", "yes"], "both are in the audit trail"


def pd_month(value: object) -> date:
    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, 1)

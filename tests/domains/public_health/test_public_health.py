"""公共卫生 Public health: the banding rule, the gap in people, stock versus flow aggregation per place, the
coloured XLSX, and the page as a user sees it (AppTest on the demo and on a tiny database).

The tiny database has three towns in one county whose contract coverage sits exactly at the target, exactly
10 points below it and just below that, so the edges of the bands are checked on what the page computes,
not only on the pure function.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from healthdash.core.filters import Filters
from healthdash.data.catalog import load_catalog
from healthdash.domains.public_health import scorecard
from healthdash.ui import widgets
from tests.support.app import open_page
from tests.support.downloads import offered_files
from tests.support.places import region_code
from tests.support.published import calibration
from tests.support.reading import execute
from tests.support.worlds import write_world

HAN = re.compile(r"[\u4e00-\u9fff]")
JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
PAGE = "pages/public_health.py"


# ------------------------------------------------------------------------------------------- banding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.80, scorecard.MET),
        (0.75, scorecard.MET),  # exactly at target meets it
        (0.75 - 1e-12, scorecard.MET),  # float noise is not a shortfall
        (0.7499, scorecard.BELOW),
        (0.65, scorecard.BELOW),  # exactly target − 10 points is still "below", not "far below"
        (0.75 - 0.10, scorecard.BELOW),  # the same edge computed in floats
        (0.6499, scorecard.FAR_BELOW),
        (0.0, scorecard.FAR_BELOW),
        (None, scorecard.NO_DATA),
        (float("nan"), scorecard.NO_DATA),
    ],
)
def test_bands_of_a_floor_target(value: float | None, expected: str) -> None:
    assert scorecard.band(value, 0.75, "up") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.10, scorecard.MET), (0.05, scorecard.MET), (0.20, scorecard.BELOW), (0.2001, scorecard.FAR_BELOW)],
)
def test_bands_of_a_ceiling_target_are_mirrored(value: float, expected: str) -> None:
    assert scorecard.band(value, 0.10, "down") == expected


def test_indicators_without_target_are_neutral() -> None:
    assert scorecard.band(0.3, None, "up") == scorecard.NO_TARGET
    assert scorecard.band(0.3, 0.5, "monitor") == scorecard.NO_TARGET


def test_bands_cover_the_line_without_gaps_or_overlaps() -> None:
    # Walking up in steps of 0.01 points, the band changes exactly twice, at target − 10 and at target.
    values = [round(0.50 + i / 10_000, 6) for i in range(3_001)]
    keys = [scorecard.band(v, 0.75, "up") for v in values]
    changes = [(values[i], keys[i]) for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    assert changes == [(0.65, scorecard.BELOW), (0.75, scorecard.MET)]


def test_far_margin_is_ten_points_for_rates_and_ten_percent_otherwise() -> None:
    assert scorecard.far_margin(0.75, is_percent=True) == pytest.approx(0.10)
    assert scorecard.far_margin(200, is_percent=False) == pytest.approx(20)


# ------------------------------------------------------------------------------------------- people


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "expected"),
    [
        (600, 1_000, 0.75, 150),  # 1,000 × 75% − 600
        (749.5, 1_000, 0.75, 1),  # half a person short still needs one more
        (750, 1_000, 0.75, 0),  # exactly at target
        (800, 1_000, 0.75, 0),  # above target: nobody more
        (4_212, 29_415, 0.50, 10_496),  # 29,415 × 50% − 4,212 = 10,495.5, rounded up
        (0.7 * 3 * 100, 300, 0.7, 0),  # 0.7 × 300 is 210.00000000000003 in floats: still at target
        (None, 1_000, 0.75, None),
        (600, None, 0.75, None),
        (600, 1_000, None, None),
    ],
)
def test_people_gap(numerator: float | None, denominator: float | None, target: float | None,
                    expected: int | None) -> None:
    assert scorecard.people_gap(numerator, denominator, target) == expected


def test_people_to_reach_a_target_are_counted_at_period_end() -> None:
    # 100 hypertension patients under management at period end, 65 managed to standard: 5 more reach 70%.
    assert scorecard.people_gap(65, 100, 0.70) == 5
    assert scorecard.people_gap(70, 100, 0.70) == 0


# ------------------------------------------------------------------------------------------- tiny database

REGIONS = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False, 3_000),
        ("K1", "乙县", "county", "C1", True, False, 3_000),
        ("K2", "丙县", "county", "C1", True, False, 0),
        ("T1", "达标镇", "town", "K1", True, False, 1_000),
        ("T2", "边缘镇", "town", "K1", True, False, 1_000),
        ("T3", "落后镇", "town", "K1", True, False, 1_000),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)


def _rows() -> pd.DataFrame:
    rows = []
    # Contract coverage (stock, target 75%): at March end exactly 75.00%, 65.00% and 64.90%; earlier months
    # differ, so a sum over months would give other values.
    for town, by_month in {"T1": (500, 700, 750), "T2": (900, 600, 650), "T3": (100, 200, 649)}.items():
        for month, contracted in zip((JAN, FEB, MAR), by_month, strict=True):
            rows.append((town, month, "fd_coverage", contracted, 1_000))
    # Child immunisation (flow): children vaccinated / due each month, summed.
    for town, (due, done) in {"T1": (10, 9), "T2": (100, 80), "T3": (40, 40)}.items():
        for month in (JAN, FEB, MAR):
            rows.append((town, month, "child_immunization_rate", done, due))
    # Hypertension management (a stock at period end): 100 patients, 60/65/70 managed in T1.
    for month, managed in zip((JAN, FEB, MAR), (60, 65, 70), strict=True):
        rows.append(("T1", month, "htn_std_mgmt_rate", managed, 100))
    # HPV first doses (count) and family-doctor teams (stock count).
    for month, doses, teams in zip((JAN, FEB, MAR), (5, 7, 11), (2, 3, 4), strict=True):
        rows.append(("T2", month, "hpv_first_doses", doses, None))
        rows.append(("T2", month, "fd_teams", teams, None))
    return pd.DataFrame(rows, columns=["town_code", "month", "indicator_code", "numerator", "denominator"])


PUBLIC_HEALTH = _rows()


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("tiny_ph") / "tiny.duckdb", region=REGIONS,
                       public_health=PUBLIC_HEALTH)


def by_place(db: Path, filters: Filters, level: str, codes: list[str]) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return execute(con, "public_health_by_place", {"codes": codes, "place_level": level, **filters.sql_params()})


def expected_from_base_rows(level: str) -> dict[tuple[str, str], tuple[float, float | None]]:
    """The same figures computed in pandas from the base rows: stocks at each place's last month, the
    rest summed over the months."""
    catalog = load_catalog().set_index("code")
    rows = PUBLIC_HEALTH.assign(place=PUBLIC_HEALTH["town_code"] if level == "town" else "K1")
    result = {}
    for (code, place), group in rows.groupby(["indicator_code", "place"]):
        if catalog.loc[code, "aggregation"] in ("stock_ratio", "stock_count"):
            group = group[group["month"] == group["month"].max()]
        denominator = group["denominator"].sum() if group["denominator"].notna().any() else None
        result[(code, place)] = (group["numerator"].sum(), denominator)
    return result


@pytest.mark.parametrize("level", ["town", "county"])
def test_stocks_take_the_last_month_and_flows_add_up(tiny_db: Path, level: str) -> None:
    codes = ["fd_coverage", "child_immunization_rate", "htn_std_mgmt_rate", "hpv_first_doses", "fd_teams"]
    frame = by_place(tiny_db, Filters(JAN, MAR, city="C1"), level, codes)
    got = {(r.indicator_code, r.place_code): (r.numerator, None if pd.isna(r.denominator) else r.denominator)
           for r in frame.itertuples(index=False)}
    assert got == pytest.approx(expected_from_base_rows(level))
    if level == "county":
        # Contracts at March end over three towns, not three months summed.
        assert got[("fd_coverage", "K1")] == (750 + 650 + 649, 3_000)
        assert got[("fd_teams", "K1")] == (4, None)
        assert got[("hpv_first_doses", "K1")] == (5 + 7 + 11, None)
    assert set(frame["months"]) == {3}


def test_a_period_ending_earlier_takes_that_months_stock(tiny_db: Path) -> None:
    frame = by_place(tiny_db, Filters(JAN, FEB, county="K1", city="C1"), "town", ["fd_coverage"])
    assert dict(zip(frame["place_name"], frame["numerator"], strict=True)) == {"达标镇": 700, "边缘镇": 600,
                                                                            "落后镇": 200}


def test_places_carry_their_county_and_city_names(tiny_db: Path) -> None:
    frame = by_place(tiny_db, Filters(JAN, MAR), "town", ["fd_coverage"])
    assert set(frame["county_name"]) == {"乙县"} and set(frame["city_name"]) == {"甲市"}


@pytest.fixture
def tiny_env(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEALTHDASH_DB", str(tiny_db))
    return tiny_db


def test_town_exactly_at_target_is_coloured_as_meeting_it(tiny_env: Path) -> None:
    from healthdash.domains.public_health import data as ph

    filters = Filters(JAN, MAR, city="C1", county="K1")
    standing = ph.standings(filters, "town")
    coverage = standing[standing["indicator_code"] == "fd_coverage"].set_index("place_name")
    assert coverage["band"].to_dict() == {"达标镇": scorecard.MET, "边缘镇": scorecard.BELOW,
                                          "落后镇": scorecard.FAR_BELOW}
    # People short of 75% at March end: 0, 1,000 × 75% − 650 = 100, and 101.
    assert coverage["people_gap"].to_dict() == {"达标镇": 0, "边缘镇": 100, "落后镇": 101}

    card = ph.build_scorecard(standing, "town")
    row = card.values.index[card.values["place_name"] == "达标镇"][0]
    column = list(card.values.columns).index("fd_coverage")
    assert card.bands.iat[row, column] == scorecard.MET
    styles = scorecard.styled(card.values, card.bands, {})._compute().ctx[(row, column)]
    assert ("background-color", f"#{scorecard.FILLS[scorecard.MET]}") in styles


def test_below_target_lists_the_people_short(tiny_env: Path) -> None:
    from healthdash.data.kpi import indicator_catalog
    from healthdash.domains.public_health import data as ph

    filters = Filters(JAN, MAR, city="C1", county="K1")
    towns = ph.standings(filters, "town")
    indicator = indicator_catalog()["fd_coverage"]
    result = ph.below_target(towns[towns["indicator_code"] == "fd_coverage"], indicator, filters.level)
    people = [column for column in result.table.columns if "人" in column][0]
    assert result.table.iloc[:, 0].tolist() == ["落后镇", "边缘镇"]
    assert result.table[people].tolist() == [101, 100]
    assert result.people == 201


def test_scorecard_xlsx_has_chinese_headers_band_fills_and_words(tiny_env: Path) -> None:
    from healthdash.domains.public_health import data as ph
    from healthdash.ui import widgets

    filters = Filters(JAN, MAR, city="C1", county="K1", period="custom")
    standing = ph.standings(filters, "town")
    card = ph.build_scorecard(standing, "town")
    book = load_workbook(io.BytesIO(ph.scorecard_xlsx(card, widgets.title_block("公共卫生记分卡", filters))()))
    sheet = book.worksheets[0]
    # The title block above the header, then the frozen header row.
    assert [sheet.cell(row, 1).value for row in range(1, 6)] == [
        "公共卫生记分卡", "地区：甲市 · 乙县", "时间：2024年1–3月", "对比：同比（对比期 2023年1–3月）", "数据截至：2024年3月"]
    header_row = int(sheet.freeze_panes[1:]) - 1  # frozen below the header
    headers = [cell.value for cell in sheet[header_row]]
    assert headers[0] == "乡镇/街道"
    assert "家庭医生签约率（%，目标 ≥75%）" in headers
    assert all(HAN.search(str(header)) for header in headers)
    column = headers.index("家庭医生签约率（%，目标 ≥75%）") + 1
    # Pass or fail is a word beside the value, not only a fill.
    assert headers[column] == "签约率达标情况"
    fills = {}
    for row in range(header_row + 1, sheet.max_row + 1):
        value = sheet.cell(row=row, column=column)
        fills[sheet.cell(row=row, column=1).value] = (value.fill.start_color.rgb, value.value, value.number_format,
                                                      sheet.cell(row=row, column=column + 1).value)
    assert fills["达标镇"] == ("00" + scorecard.FILLS[scorecard.MET], pytest.approx(0.75), "0.0%", "达标")
    assert fills["边缘镇"][0] == "00" + scorecard.FILLS[scorecard.BELOW] and fills["边缘镇"][3] == "未达标"
    assert fills["落后镇"][0] == "00" + scorecard.FILLS[scorecard.FAR_BELOW]
    assert fills["落后镇"][3] == "未达标（差距大）"
    legend = book.worksheets[1]
    assert legend.title == "图例"
    assert {row[0].fill.start_color.rgb for row in legend.iter_rows(min_row=2)} >= {
        "00" + scorecard.FILLS[key] for key in (scorecard.FAR_BELOW, scorecard.BELOW, scorecard.MET)}


# ------------------------------------------------------------------------------------------- the page


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def captions(app: AppTest) -> str:
    return "\n".join(caption.value for caption in app.caption)


def test_demo_reproduces_mingshan_first_half_2024(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_page(demo_db, monkeypatch, PAGE, {"county": region_code(demo_db, "名山区"), "period": "custom",
                                                 "from": "2024-01", "to": "2024-06"})
    metrics, notes = metric_values(app), captions(app)

    def shown_rate(label: str) -> float:
        return float(metrics[label].rstrip("%"))

    coverage = calibration("fd_coverage", "名山区")
    assert shown_rate("家庭医生签约率") == pytest.approx(float(coverage["value"]), abs=0.05)
    key_groups = calibration("fd_key_pop_coverage", "名山区")
    assert shown_rate("重点人群签约率") == pytest.approx(float(key_groups["value"]), abs=0.05)
    # The people behind the figures, as published (thousands separators, exact).
    for measure in ("fd_contracted_residents", "fd_key_pop_contracted", "resident_population", "hpv_first_doses",
                    "cervical_screenings", "breast_screenings"):
        published = f"{int(float(calibration(measure, '名山区')['value'])):,}"
        assert f" {published}人" in notes, f"{measure}: {published} not on the page"
    teams = calibration("fd_teams", "名山区")
    assert metrics["家庭医生团队数"] == f"{int(float(teams['value']))}支"
    assert all(metric.help for metric in app.metric), "every indicator explains itself"


def test_immunisation_floor_holds_in_every_mingshan_town(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    floor = calibration("child_immunization_rate_min_town", "名山区")
    app = open_page(demo_db, monkeypatch, PAGE, {"county": region_code(demo_db, "名山区"), "period": "custom",
                                                 "from": floor["period_from"], "to": floor["period_to"]})
    table = app.dataframe[0].value
    assert len(table) == 13
    assert (table["儿童免疫接种率"] >= float(floor["value"]) / 100).all()


def child_count(db: Path, level: str, parent: str | None) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select count(*) from region where level = $level and in_scope and ($parent is null or parent_code = $parent)"
            " and ($level <> 'city' or code in (select parent_code from region where level = 'county' and in_scope))",
            {"level": level, "parent": parent},
        ).fetchall()[0][0]


@pytest.mark.parametrize(
    ("query", "level", "parent"),
    [
        ({}, "city", None),
        ({"city": "自贡市"}, "county", "自贡市"),
        ({"county": "鹿寨县", "period": "last12"}, "town", "鹿寨县"),
        ({"town": "百丈镇", "period": "quarter", "cmp": "mom"}, None, None),
        ({"city": "雅安市", "period": "custom", "from": "2023-03", "to": "2023-08"}, "county", "雅安市"),
    ],
)
def test_page_under_several_selections(demo_db: Path, monkeypatch: pytest.MonkeyPatch, query: dict,
                                       level: str | None, parent: str | None) -> None:
    resolved = {key: region_code(demo_db, value) if key in ("city", "county", "town") else value
                for key, value in query.items()}
    app = open_page(demo_db, monkeypatch, PAGE, resolved)
    assert not app.sidebar.warning, "every value in these links is valid"
    assert len(app.metric) == 14
    scorecard_table = app.dataframe[0].value
    expected_rows = 1 if level is None else child_count(demo_db, level, parent and region_code(demo_db, parent))
    assert len(scorecard_table) == expected_rows
    assert scorecard_table.columns[0] in ("地市", "区县", "乡镇/街道")
    assert "未达标项数" in scorecard_table.columns
    assert any(subheader.value == "记分卡：各单位对照目标" for subheader in app.subheader)


def test_indicator_picker_is_kept_in_the_url(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 霍邱县: towns below the 50% five-year screening coverage, so the list of towns to catch up is shown.
    county = region_code(demo_db, "霍邱县")
    app = open_page(demo_db, monkeypatch, PAGE, {"county": county, "ph_indicator": "cervical_screening_rate"})
    picker = app.selectbox(key="ph_indicator")
    assert picker.value == "cervical_screening_rate"
    assert any("还需筛查" in str(column) for frame in app.dataframe for column in frame.value.columns)
    picker.set_value("htn_std_mgmt_rate").run()
    assert not app.exception
    assert app.query_params["ph_indicator"] in (["htn_std_mgmt_rate"], "htn_std_mgmt_rate")
    assert app.selectbox(key="ph_indicator").value == "htn_std_mgmt_rate"


def test_unknown_indicator_in_the_link_is_dropped_with_a_note(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_page(demo_db, monkeypatch, PAGE, {"ph_indicator": "'; drop table region; --"})
    assert app.selectbox(key="ph_indicator").value == "fd_coverage"
    assert any("已忽略" in warning.value for warning in app.warning)


def test_below_target_people_match_the_page_arithmetic(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The gap shown for each town is denominator × target − numerator at the period's last month,
    # recomputed here from the base table.
    county = region_code(demo_db, "名山区")
    app = open_page(demo_db, monkeypatch, PAGE, {"county": county, "period": "custom", "from": "2024-01", "to": "2024-06"})
    table = next(frame.value for frame in app.dataframe if "还需新增签约（人）" in frame.value.columns)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        base = con.execute(
            "select r.name, p.numerator, p.denominator from public_health p join region r on r.code = p.town_code"
            " where r.parent_code = $county and p.indicator_code = 'fd_coverage' and p.month = date '2024-06-01'",
            {"county": county},
        ).df()
    expected = {row.name: math.ceil(row.denominator * 0.75 - row.numerator)
                for row in base.itertuples() if row.numerator / row.denominator < 0.75}
    assert dict(zip(table["乡镇/街道"], table["还需新增签约（人）"], strict=True)) == expected


def test_a_long_list_of_towns_below_target_shows_the_largest_gaps(demo_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A province has thousands of towns below a target: the grid lists the GRID_ROWS with the most people
    short and says so; the download has every town (here GRID_ROWS is made 3)."""
    monkeypatch.setattr(widgets, "GRID_ROWS", 3)
    files = offered_files(monkeypatch)
    app = open_page(demo_db, monkeypatch, PAGE, {"period": "custom", "from": "2024-01", "to": "2024-06"})
    table = next(frame.value for frame in app.dataframe if "还需新增签约（人）" in frame.value.columns)
    summary = next(md.value for md in app.markdown if "个乡镇/街道未达到目标" in md.value)
    below = int(summary.split("个乡镇")[0].replace(",", ""))
    assert below > 3 and len(table) == 3
    assert table["还需新增签约（人）"].is_monotonic_decreasing
    assert any("表中列出差距人数最多的 3 个" in caption.value for caption in app.caption)
    data = next(data for name, data in files.items() if name.endswith(".csv") and "未达标" in name)()
    rows = [line for line in bytes(data).decode("utf-8-sig").splitlines() if line.count(",") >= 5]
    assert len(rows) == below + 1, "the file: a header and every town below target"


def test_selection_without_data_shows_a_friendly_empty_state(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_page(tiny_db, monkeypatch, PAGE, {"county": "K2"})
    assert any("暂无公共卫生数据" in info.value for info in app.info)
    assert not app.dataframe


def test_english_switch(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The language picker's state (AppTest drops ?lang= on a page switch, a browser does not).
    app = open_page(demo_db, monkeypatch, PAGE, {"city": region_code(demo_db, "雅安市")}, lang="en")
    assert "Family-doctor contract coverage" in metric_values(app)
    assert "County" in app.dataframe[0].value.columns


def test_a_click_on_a_place_in_the_scorecard_narrows_the_page_to_it(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthdash.ui.sidebar import KEY

    city = region_code(demo_db, "柳州市")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        names = dict(con.execute("select name, code from region where parent_code = $city", {"city": city}).fetchall())
    app = open_page(demo_db, monkeypatch, PAGE, {"city": city, "period": "year", "from": "2024-01"})
    first = next(frame.value for frame in app.dataframe if "区县" in frame.value.columns)["区县"].iloc[0]
    click = {"selection": {"rows": [], "columns": [], "cells": [(0, "区县")]}}
    app.session_state[f"ph_scorecard_{city}_0"] = click  # the city's scorecard before any narrowing
    app.run()
    assert not app.exception
    assert app.selectbox(key=KEY["county"]).value == names[first]
    assert app.query_params["county"] == names[first] and app.query_params["period"] == "year"
    towns = next(frame.value for frame in app.dataframe if "乡镇/街道" in frame.value.columns)
    assert len(towns) > 1, "the scorecard now compares the county's towns"

    # Back while the county's run is still going: that run never ends, so Streamlit keeps the city
    # scorecard's state, click included; the city's page, run again, must not drill down a second time.
    app.session_state[f"ph_scorecard_{city}_0"] = click
    app.query_params.clear()
    app.query_params.update({"city": city, "period": "year", "from": "2024-01"})
    app.run()
    assert not app.exception
    assert "county" not in app.query_params and app.query_params["city"] == city
    assert next(frame.value for frame in app.dataframe if "区县" in frame.value.columns)["区县"].iloc[0] == first


def test_a_click_on_a_place_bar_narrows_the_page_to_it(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthdash.ui import widgets
    from healthdash.ui.sidebar import KEY

    city, county = region_code(demo_db, "柳州市"), region_code(demo_db, "鹿寨县")
    app = open_page(demo_db, monkeypatch, PAGE, {"city": city})
    pending = {"place_code": county}
    real = widgets.selected_values
    monkeypatch.setattr(widgets, "selected_values", lambda event, name, field: (
        [pending.pop(field)] if name == "place_click" and field in pending else real(event, name, field)))
    app.run()
    assert not app.exception
    assert app.selectbox(key=KEY["county"]).value == county
    assert app.query_params["county"] == county


def test_poverty_section_shows_zigongs_2018_task_met_by_place_and_disease(demo_db: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_page(demo_db, monkeypatch, PAGE, {"city": region_code(demo_db, "自贡市"), "period": "custom",
                                                 "from": "2018-01", "to": "2018-12"})
    text = "\n".join(str(el.value) for kind in ("markdown", "caption", "success") for el in getattr(app, kind))
    people, households, clinics = (int(float(calibration(measure, "自贡市")["value"])) for measure in (
        "poverty_exit_task_people", "poverty_exit_task_households", "poor_village_clinics_to_standard_task"))
    assert f"脱贫（消除风险）{people:,}人、{households:,}户" in text
    assert f"村卫生室新增达标{clinics}个" in text
    assert "脱贫人口家庭医生签约率" in text and "目标 ≥85%" in text
    tables = {tuple(frame.value.columns): frame.value for frame in app.dataframe}
    by_place = next(frame for columns, frame in tables.items() if columns[:2] == ("区县", "监测人口(人)"))
    assert len(by_place) == 6 and by_place["家医签约率"].str.contains("达标").all()
    diseases = next(frame for columns, frame in tables.items() if columns[0] == "病种").set_index("病种")
    assert diseases.loc["尘肺病", "纳入"] == "2018年扩大纳入" and diseases.loc["胃癌", "纳入"] == ""


def test_place_charts_carry_only_the_columns_their_marks_read(tiny_env: Path) -> None:
    """A province's towns are 3,000 rows of twenty columns: the specs the browser receives hold what the
    marks, tooltips and the place click read, nothing else."""
    from healthdash.data.kpi import indicator_catalog
    from healthdash.domains.public_health import charts as ph_charts
    from healthdash.domains.public_health import data as ph
    from healthdash.ui.charts import BLUE

    towns = ph.standings(Filters(JAN, MAR, city="C1", county="K1"), "town")
    coverage = indicator_catalog()["fd_coverage"]
    specs = {
        "distribution": (ph_charts.distribution_chart(towns[towns["indicator_code"] == "fd_coverage"], coverage),
                         {"bin", "stack", "status", "place_name", "where", "text"}),
        "bars": (ph_charts.place_bars(towns, "fd_coverage"), {"place_code", "place_name", "value", "text", "status"}),
        "paired": (ph_charts.paired_bars(towns, ["fd_coverage", "fd_key_pop_coverage"], [BLUE, BLUE], "fd_coverage"),
                   {"place_code", "place_name", "series", "value", "text"}),
    }
    for name, (spec, columns) in specs.items():
        rows = [row for values in spec["datasets"].values() for row in values if "place_name" in row]
        assert rows, name
        assert {key for row in rows for key in row} == columns, name


def _distribution_spec(app: AppTest) -> dict:
    """The spec of the page's chart of towns by value: the one whose first layer is the towns' marks."""
    import json

    import pyarrow as pa

    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        first = spec.get("layer", [{}])[0]
        if first.get("encoding", {}).get("x", {}).get("field") == "bin":
            data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets}
            return {"mark": first["mark"]["type"], "rows": data[first["data"]["name"]]}
    raise AssertionError("no chart of towns by value on the page")


def test_a_provinces_towns_are_counted_per_bin_not_drawn_one_by_one(tiny_env: Path) -> None:
    """3,000 towns spread over 40 points stack ~150 a bin: bars of counts, each bin's range in words, and
    every town counted once; 40 towns stay dots with their names."""
    from healthdash.data.kpi import indicator_catalog
    from healthdash.domains.public_health import charts as ph_charts

    coverage = indicator_catalog()["fd_coverage"]
    values = [0.55 + 0.4 * (i % 1000) / 1000 for i in range(3000)]
    towns = pd.DataFrame({
        "value": values, "place_name": [f"镇{i}" for i in range(3000)], "county_name": "某县",
        "band": [scorecard.MET if v >= coverage.target_value else scorecard.BELOW for v in values],
    })
    assert ph_charts.draws_counts(towns, coverage)
    spec = ph_charts.distribution_chart(towns, coverage)
    bars = spec["layer"][0]
    # Each bar spans from its base to its top: Vega-Lite draws a bar with x and x2 but no y2 as a thin line.
    assert bars["mark"]["type"] == "bar"
    assert (bars["encoding"]["y"]["field"], bars["encoding"]["y2"]["field"]) == ("top", "base")
    rows = spec["datasets"][bars["data"]["name"]]
    assert sum(row["towns"] for row in rows) == 3000
    for start in {row["bin"] for row in rows}:
        stack = sorted((row for row in rows if row["bin"] == start), key=lambda row: row["base"])
        assert stack[0]["base"] == 0 and all(row["top"] == row["base"] + row["towns"] for row in stack)
        assert all(below["top"] == above["base"] for below, above in zip(stack, stack[1:], strict=False))
    assert max(row["towns"] for row in rows) > ph_charts.MOST_DOTS_IN_A_STACK
    assert {"place_name"}.isdisjoint(rows[0]) and re.fullmatch(r"\d+\.\d% – \d+\.\d%", rows[0]["range"])
    assert {row["status"] for row in rows} == {"✓ 达标", "✗ 差距≤10个百分点"}

    few = towns.iloc[::75]
    assert not ph_charts.draws_counts(few, coverage)
    dots = ph_charts.distribution_chart(few, coverage)["layer"][0]
    assert dots["mark"]["type"] == "circle"
    assert len(ph_charts.distribution_chart(few, coverage)["datasets"][dots["data"]["name"]]) == len(few) == 40


def test_a_city_with_crowded_bins_shows_counts_and_its_county_dots(demo_db: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is lowered so that the demo's 柳州市 (33 towns, four in its fullest bin) crosses it and its
    county 鹿寨县 (two) does not: the chart and its caption follow the selection as the user narrows it."""
    from healthdash.domains.public_health import charts as ph_charts
    from healthdash.ui import chart_cache
    from healthdash.ui.sidebar import KEY

    monkeypatch.setattr(ph_charts, "MOST_DOTS_IN_A_STACK", 3)
    chart_cache._spec.clear()  # a spec drawn under the real limit would be served again
    city, county = region_code(demo_db, "柳州市"), region_code(demo_db, "鹿寨县")
    app = open_page(demo_db, monkeypatch, PAGE, {"city": city})
    crowded = _distribution_spec(app)
    count = int(re.search(r"共([\d,]+)个乡镇/街道", " ".join(c.value for c in app.caption)).group(1).replace(",", ""))
    assert crowded["mark"] == "bar" and sum(row["towns"] for row in crowded["rows"]) == count
    assert any("按数值分组计数" in c.value for c in app.caption)

    app.selectbox(key=KEY["county"]).set_value(county).run()
    assert not app.exception
    spread = _distribution_spec(app)
    assert spread["mark"] == "circle" and all(row["place_name"] for row in spread["rows"])
    assert any("每个点是一个乡镇" in c.value for c in app.caption)
    assert not any("按数值分组计数" in c.value for c in app.caption)

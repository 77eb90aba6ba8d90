"""The alliances page (医联体) as a user sees it, driven through AppTest on the demo database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.domains.alliances.views import ALL
from healthdash.ui.sidebar import KEY
from tests.support.app import open_page
from tests.support.places import alliance_code, lookup, region_code
from tests.support.published import calibration_rows

PAGE = "pages/alliances.py"
HEADLINE_NAMES = ["下派人员人次", "每万人口派驻医师数", "专家坐诊次数", "远程会诊人次", "影像诊断符合率", "图像甲级片率"]


@pytest.fixture
def app(app: AppTest) -> AppTest:
    """The shared new session, on this page."""
    return app.switch_page(PAGE)


def texts(at: AppTest) -> str:
    """Everything written on the page as text (markdown, captions, notes), for "does it say" checks."""
    parts = [el.value for kind in ("markdown", "caption", "info", "warning", "success", "subheader")
             for el in getattr(at, kind)]
    return "\n".join(str(part) for part in parts)


def al_filters(at: AppTest) -> object:
    """The page's selection as the alliances module reads it (the default: every place, the page's period)."""
    from healthdash.core.filters import default_filters
    from healthdash.ui.sidebar import filter_options

    return default_filters(filter_options())


def table_with(at: AppTest, column: str) -> object:
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_page_opens_with_headline_registry_and_sections(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [metric.label for metric in app.metric] == HEADLINE_NAMES
    assert all(metric.help for metric in app.metric), "every indicator explains itself"
    posted_help = next(metric.help for metric in app.metric if metric.label == "每万人口派驻医师数")
    assert "期末存量" in posted_help and "服务地区常住人口" in posted_help
    headings = [subheader.value for subheader in app.subheader]
    assert headings == ["医联体名录", "组织结构", "资源下沉", "共享服务中心", "执业注册人员与派驻医师", "病原鉴定网络",
                        "医联体横向比较"]
    assert "模拟演示数据" in texts(app)


def test_registry_total_counts_a_facility_in_several_alliances_once(app: AppTest, demo_db: Path) -> None:
    city = region_code(demo_db, "自贡市")
    app.query_params["city"] = city
    app.run()
    assert not app.exception
    registry = table_with(app, "牵头单位")
    names = list(registry["医联体"])
    with duckdb.connect(str(demo_db), read_only=True) as con:
        distinct, memberships = con.execute(
            """select count(distinct m.facility_code), count(*)
               from alliance_member m join alliance a on a.code = m.alliance_code
               where a.name in (select unnest($names))""", {"names": names}).fetchone()
    assert memberships > distinct, "the demo has facilities in two alliances"
    total = next(md.value for md in app.markdown if "个医联体" in md.value)
    assert f"成员单位 **{distinct:,}** 家" in total
    assert f"累计 {memberships:,} 家次" in total


def test_zigong_imaging_quality_rises_as_published(app: AppTest, demo_db: Path) -> None:
    concordance = calibration_rows("imaging_concordance_rate_primary", "自贡市")
    grade_a = calibration_rows("grade_a_film_rate_primary", "自贡市")
    first, last = min(r["period_from"] for r in concordance), max(r["period_to"] for r in concordance)
    app.query_params.update({"city": region_code(demo_db, "自贡市"), "alliance": alliance_code(demo_db, "自贡市远程影像协作网"),
                             "period": "custom", "from": first, "to": last})
    app.run()
    assert not app.exception
    table = table_with(app, "影像诊断符合率").set_index("月份")
    for rows, column in ((concordance, "影像诊断符合率"), (grade_a, "图像甲级片率")):
        for row in rows:
            year, month = row["period_from"].split("-")
            shown = table.loc[f"{int(year)}年{int(month)}月", column]
            assert float(shown.rstrip("%")) == pytest.approx(float(row["value"]), abs=1.0), (column, row)
    assert "目标 ≥90%" in texts(app) and "目标 ≥70%" in texts(app)


def test_city_selection_shows_the_same_rise(app: AppTest, demo_db: Path) -> None:
    concordance = calibration_rows("imaging_concordance_rate_primary", "自贡市")
    app.query_params.update({"city": region_code(demo_db, "自贡市"), "period": "custom", "from": "2017-01",
                             "to": "2018-06"})
    app.run()
    table = table_with(app, "影像诊断符合率").set_index("月份")
    start = next(r for r in concordance if r["period_from"] == "2017-01")
    assert float(table.loc["2017年1月", "影像诊断符合率"].rstrip("%")) == pytest.approx(float(start["value"]), abs=1.0)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        # a telemedicine network posts nobody: resources section is an empty state, shared services are not
        ({"alliance": "自贡市远程影像协作网"}, "没有资源下沉记录"),
        # founded in 2021: in 2019 it has no members, no activity, no shared services
        ({"alliance": "舒城县医共体", "period": "custom", "from": "2019-01", "to": "2019-12"}, "还没有成立"),
        ({"county": "鹿寨县", "tiers": "township,village"}, "资源下沉"),
        ({"kind": "telemedicine", "integration": "tight"}, "没有符合所选类型和紧密程度的医联体"),
        ({"city": "焦作市", "period": "month", "cmp": "mom"}, "医联体横向比较"),
    ],
)
def test_selections_render_with_friendly_empty_states(app: AppTest, demo_db: Path, query: dict, says: str) -> None:
    resolved = {}
    for key, value in query.items():
        if key in ("city", "county"):
            value = region_code(demo_db, value)
        elif key == "alliance":
            value = alliance_code(demo_db, value)
        resolved[key] = value
    app.query_params.update(resolved)
    app.run()
    assert not app.exception
    assert not app.sidebar.warning and not app.warning, "every value in these links is valid"
    assert says in texts(app)


def test_picking_an_alliance_shows_its_structure_and_goes_into_the_link(app: AppTest, demo_db: Path) -> None:
    app.run()
    code = alliance_code(demo_db, "鹿寨县医共体")
    app.selectbox(key=KEY["alliance"]).set_value(code).run()
    assert not app.exception
    assert app.query_params["alliance"] in ([code], code)
    assert "组织结构：鹿寨县医共体" in [subheader.value for subheader in app.subheader]
    members = table_with(app, "角色")
    expected = lookup(demo_db, "select count(*) from alliance_member where alliance_code = $code", code=code)
    assert len(members) == expected
    assert list(members["角色"]).count("牵头单位") == 1


def test_comparison_indicator_is_kept_in_the_link(app: AppTest) -> None:
    app.query_params["compare_by"] = "imaging_concordance_rate"
    app.run()
    assert not app.exception
    assert app.selectbox(key="compare_by").value == "imaging_concordance_rate"
    table = table_with(app, "名次")
    assert list(table["名次"])[-1] == "合计"
    ranked = [float(v.rstrip("%")) for v in table["影像诊断符合率"][:-1] if v != "—"]
    assert ranked == sorted(ranked, reverse=True)


def test_the_comparison_follows_the_kind_filter_and_a_rerun_reuses_it(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison and the headline are kept per selection: a rerun that changes nothing they read
    builds neither again, and the registry's kind filter (part of what the comparison reads) does."""
    from healthdash.domains.alliances import data as al

    app.run()
    everyone = table_with(app, "名次")
    kinds = {row["code"]: row["kind"] for _, row in al.registry(al_filters(app)).iterrows()}
    built: list[str] = []
    real_registry = al.registry
    monkeypatch.setattr(al, "registry", lambda *args, **kwargs: built.append("registry") or real_registry(*args, **kwargs))
    real_posted = al.posted_kpi
    monkeypatch.setattr(al, "posted_kpi", lambda *args: built.append("headline") or real_posted(*args))
    app.run()
    assert not app.exception
    assert built == ["registry"], "only the page's own registry read: the comparison and headline are kept"
    app.selectbox(key="kind").set_value("county_community").run()
    assert not app.exception
    assert built.count("registry") == 3, "the kind filter reaches the comparison, which reads the registry again"
    narrowed = table_with(app, "名次")
    expected = sum(kind == "county_community" for kind in kinds.values())
    assert len(narrowed) - 1 == expected < len(everyone) - 1
    assert "headline" not in built


def test_a_registry_click_widens_the_places_to_the_alliance_served(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen from 鹿寨县, a 柳州市 specialty alliance is in the registry (鹿寨 hospitals are members) but the
    sidebar only offers alliances of the selected places: picking it moves the places to 柳州市."""
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))

    def script(county: str, city: str, alliance: str) -> None:
        import streamlit as st

        from healthdash.data import db
        from healthdash.domains.alliances.views import select_alliance
        from healthdash.ui.sidebar import KEY

        db.read_within(db.EVERYTHING)  # a function run by AppTest passes no sign-in gate: read as the province
        st.session_state[KEY["city"]], st.session_state[KEY["county"]] = city, county
        select_alliance(alliance)
        st.write(f"{st.session_state[KEY['city']]}|{st.session_state[KEY['county']]}|{st.session_state[KEY['alliance']]}")

    liuzhou, luzhai = region_code(demo_db, "柳州市"), region_code(demo_db, "鹿寨县")
    specialty, own = alliance_code(demo_db, "柳州市胸痛专科联盟"), alliance_code(demo_db, "鹿寨县医共体")
    at = AppTest.from_function(script, args=(luzhai, liuzhou, specialty), default_timeout=60).run()
    assert at.markdown[0].value == f"{liuzhou}|None|{specialty}"
    at = AppTest.from_function(script, args=(luzhai, liuzhou, own), default_timeout=60).run()
    assert at.markdown[0].value == f"{liuzhou}|{luzhai}|{own}"


def test_english(app: AppTest) -> None:
    # The language widget's state (AppTest's switch_page run does not pass ?lang to app.py's first lines).
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception
    assert "Alliance registry" in [subheader.value for subheader in app.subheader]


def test_a_lead_name_in_the_registry_opens_its_profile(app: AppTest, demo_db: Path) -> None:
    """A name in the registry opens its link; the row's checkbox (tested in the browser) selects the
    alliance, and a click on a name leaves the selection alone."""
    code = alliance_code(demo_db, "鹿寨县医共体")
    app.query_params.update({"alliance": code, "period": "year", "from": "2024-01"})
    app.run()
    app.session_state[f"alliance_registry_{code}_{ALL}_{ALL}"] = {
        "selection": {"rows": [], "columns": [], "cells": [(0, "牵头单位")]}}
    app.run()
    assert not app.exception
    assert app.query_params["alliance"] == code
    scripts = [element.proto.body for element in app.get("html") if "location.assign" in element.proto.body]
    assert len(scripts) == 1 and '"facility?facility=' in scripts[0] and "period=year" in scripts[0]


def chart_views(at: AppTest) -> list[tuple[dict, pd.DataFrame | None]]:
    """Every view of every Vega-Lite chart on the page (a chart, each layer, each panel of a small multiple),
    with the rows of the data it draws (None when it draws another view's)."""
    views = []
    for chart in at.get("vega_lite_chart"):
        data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets}
        stack = [(json.loads(chart.proto.spec), None)]
        while stack:
            view, inherited = stack.pop()
            rows = data.get(view.get("data", {}).get("name"), inherited)
            views.append((view, rows))
            stack.extend((child, rows) for key in ("layer", "vconcat", "hconcat") for child in view.get(key, []))
    return views


def unit_of(text: str) -> str:
    """The unit a value is written with: '1,234人次' -> '人次', '1.2万人' -> '人'."""
    return re.sub(r"^[−\d,.]+[万亿]?", "", text)


def test_no_axis_of_the_alliance_charts_mixes_units(app: AppTest) -> None:
    from healthdash.core.fmt import COUNT_UNITS

    app.run()
    assert not app.exception
    checked = []
    for view, rows in chart_views(app):
        title = view.get("encoding", {}).get("y", {}).get("title")
        assert "（人）" not in str(title) and "次（" not in str(title)
        if rows is None or "text" not in rows.columns or not title:
            continue
        units = {unit_of(text) for text in rows["text"]}
        if units <= COUNT_UNITS:
            assert units == {title}, f"the axis '{title}' draws values in {units}"
            checked.append(title)
    # Staff sent (人次), sessions, surgery demonstrations and trainees each on their own axis; remote cases.
    assert {"人次", "次", "台次", "人"} <= set(checked)


def test_alliance_work_cards_carry_no_home_region_line(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alliance's own figures (posted physicians included) are its members', never labelled as the region's."""
    app = open_page(demo_db, monkeypatch, PAGE, {"alliance": alliance_code(demo_db, "名山区医共体")})
    assert "每万人口派驻医师数" in [metric.label for metric in app.metric]
    assert not any("全域数据" in caption.value for caption in app.caption)


def test_zigong_shows_registered_staff_and_its_pathogen_network(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"city": region_code(demo_db, "自贡市"), "period": "year", "from": "2025-01"})
    app.run()
    assert not app.exception
    staff = table_with(app, "基层成员在册医师").set_index("医联体")
    # The network's six sending CDCs are on the register at the year's end.
    assert staff.loc["自贡市病原微生物鉴定网络", "已报注册数据"] == "6/6"
    sent, identified = (lookup(demo_db, f"""select sum({column}) from pathogen_test p join alliance a on a.code = p.alliance_code
                                            where a.name = '自贡市病原微生物鉴定网络' and year(p.month) = 2025""")
                        for column in ("cases_sent", "cases_identified"))
    assert f"送检 **{sent:,}** 例" in texts(app)
    assert f"{100 * identified / sent:.1f}%" in texts(app)
    members = table_with(app, "送检单位")
    assert len(members) == 6 and sum(int(v.replace(",", "")) for v in members["送检例数"]) == sent


def test_a_province_of_members_lists_the_busiest(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's thousands of members: each per-member table lists the widgets.GRID_ROWS with the most work,
    most first, and says how many there are (here GRID_ROWS is made 5)."""
    from healthdash.ui import widgets

    monkeypatch.setattr(widgets, "GRID_ROWS", 5)
    app.run()
    assert not app.exception
    staff = table_with(app, "下派人员合计")
    assert len(staff) == 5
    notes = [caption.value for caption in app.caption if "表中列出数量最多的 5 家" in caption.value]
    assert len(notes) >= 2, "the help received and the shared services"
    total = int(notes[0].split("共 ")[1].split(" 家")[0].replace(",", ""))
    assert total > 5

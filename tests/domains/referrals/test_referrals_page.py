"""The referrals page (双向转诊) as a user sees it, driven through AppTest: on the demo database, and on the
tiny database of test_referrals.py for a town without referrals.

A click on a chart is simulated by making the chart report a selection (widgets.selected_values is what reads
a chart's selection event), so the page's own handling — narrowing the sidebar, focusing a facility,
updating the link — runs for real.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.data.catalog import load_catalog
from healthdash.domains.referrals import data as referrals
from healthdash.ui import widgets
from tests.support.app import open_page
from tests.support.downloads import offered_files
from tests.support.places import facility_code, region_code
from tests.support.referral_world import write_tiny

PAGE = "pages/referrals.py"
NAMES = dict(zip(load_catalog()["code"], load_catalog()["name_zh"], strict=True))
SECTIONS = ["排名", "月度趋势", "层级间转诊流向", "县外转诊去向", "机构间转诊矩阵", "机构转诊明细"]


def url(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def click(monkeypatch: pytest.MonkeyPatch, selection: str, **point: str) -> None:
    """The next chart drawn with `selection` reports `point` (field -> value) as clicked, once, as a real
    click would."""
    pending = dict(point)
    real = widgets.selected_values

    def fake(event: object, name: str, field: str) -> list[str]:
        if name != selection:
            return real(event, name, field)
        return [pending.pop(field)] if field in pending else []

    monkeypatch.setattr(widgets, "selected_values", fake)


def test_page_shows_every_headline_indicator_and_section(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, PAGE)
    assert [metric.label for metric in at.metric] == [NAMES[code] for code in referrals.HEADLINE]
    assert all(metric.help for metric in at.metric), "every indicator explains itself"
    growth = next(m for m in at.metric if m.label == "下转人次同比增长")
    assert "10%" in growth.help
    assert [header.value for header in at.subheader] == SECTIONS
    table = at.dataframe[-1].value
    assert {"机构", "层级", "上转", "下转", "县外转诊", "县外转诊率（%）"} <= set(table.columns)


def test_clicking_a_city_in_the_ranking_narrows_sidebar_and_link(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = region_code(demo_db, "自贡市")
    at = open_page(demo_db, monkeypatch, PAGE)
    everything = [metric.value for metric in at.metric]
    click(monkeypatch, widgets.RANKING_SELECTION, place_code=city)
    at.run()
    assert not at.exception
    assert at.selectbox(key="flt_city").value == city
    assert url(at, "city") == city
    assert "自贡市" in at.caption[0].value
    assert [metric.value for metric in at.metric] != everything


def test_clicking_a_facility_focuses_the_flow_views_and_the_link(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = region_code(demo_db, "鹿寨县")
    centre = facility_code(demo_db, "鹿寨县中渡镇卫生院")
    at = open_page(demo_db, monkeypatch, PAGE, {"county": county})
    assert not at.info or all("仅统计" not in info.value for info in at.info)
    # At county level the down/up ratio ranks facilities: a click focuses the page on one of them.
    click(monkeypatch, widgets.RANKING_SELECTION, place_code=centre)
    at.run()
    assert not at.exception
    assert at.selectbox(key="facility").value == centre
    assert url(at, "facility") == centre
    assert any("鹿寨县中渡镇卫生院" in info.value for info in at.info)
    assert at.selectbox(key="flt_county").value == county, "the sidebar keeps the county"


def test_a_facility_link_reopens_the_focus_and_clearing_it_drops_the_parameter(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = region_code(demo_db, "鹿寨县")
    hospital = facility_code(demo_db, "鹿寨县人民医院")
    at = open_page(demo_db, monkeypatch, PAGE, {"county": county, "facility": hospital})
    assert at.selectbox(key="facility").value == hospital
    at.selectbox(key="facility").set_value("").run()
    assert not at.exception
    assert url(at, "facility") is None
    assert url(at, "county") == county


def test_clicking_a_matrix_cell_focuses_its_sender(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(demo_db, "鹿寨县")
    hospital = facility_code(demo_db, "鹿寨县人民医院")
    provincial = facility_code(demo_db, "广西医科大学第一附属医院")
    at = open_page(demo_db, monkeypatch, PAGE, {"county": county})
    click(monkeypatch, "cell", from_facility=hospital, to_facility=provincial)
    at.run()
    assert not at.exception
    assert url(at, "facility") == hospital


def test_a_town_without_referrals_shows_an_empty_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = write_tiny(tmp_path / "tiny.duckdb")
    at = open_page(tiny, monkeypatch, PAGE, {"town": "T9", "period": "custom", "from": "2024-01", "to": "2024-03"})
    assert not at.sidebar.warning, "the link is valid"
    assert any("没有转诊记录" in info.value for info in at.info)
    assert not at.metric


def test_a_town_with_referrals_on_the_tiny_database_renders_every_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = write_tiny(tmp_path / "tiny.duckdb")
    at = open_page(tiny, monkeypatch, PAGE, {"town": "T1", "period": "custom", "from": "2024-01", "to": "2024-03"})
    assert [header.value for header in at.subheader] == SECTIONS
    # 东镇 sends nothing out of the county: that section says so instead of drawing empty charts.
    assert any("没有县外转诊" in info.value for info in at.info)


def test_tiers_with_no_facility_in_the_town_show_an_empty_state(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    town = region_code(demo_db, "百丈镇")
    at = open_page(demo_db, monkeypatch, PAGE, {"town": town, "tiers": "tertiary"})
    assert any("没有转诊记录" in info.value for info in at.info)


def test_english(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest's switch_page runs the page without app.py, whose language switch reads ?lang=en; set what it
    # would set (a browser arriving with ?lang=en gets English).
    at = open_page(demo_db, monkeypatch, PAGE, lang="en")
    assert "Up-referrals" in [metric.label for metric in at.metric]
    assert "Where out-of-county patients go" in [header.value for header in at.subheader]


@pytest.mark.parametrize(("table", "column"), [("referral_facilities", "机构"), ("referral_receivers", "to_name")])
def test_a_facility_name_in_a_table_opens_its_profile(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, table: str, column: str
) -> None:
    at = open_page(demo_db, monkeypatch, PAGE, {"county": region_code(demo_db, "鹿寨县"), "period": "year",
                                                "from": "2024-01"})
    at.session_state[table] = {"selection": {"rows": [], "columns": [], "cells": [(0, column)]}}
    at.run()
    assert not at.exception
    scripts = [element.proto.body for element in at.get("html") if "location.assign" in element.proto.body]
    assert len(scripts) == 1 and '"facility?facility=' in scripts[0] and "period=year" in scripts[0]


def test_a_long_facility_table_lists_the_busiest_and_the_file_has_all(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A province lists tens of thousands of facilities: the grid shows the GRID_ROWS with the most referrals,
    most first, says so, and the download carries every facility (here GRID_ROWS is made 10)."""
    monkeypatch.setattr(widgets, "GRID_ROWS", 10)
    files = offered_files(monkeypatch)
    at = open_page(demo_db, monkeypatch, PAGE, {"period": "year", "from": "2024-01"})
    table = at.dataframe[-1].value
    volume = table[["上转", "下转", "县外转诊", "转回", "接收上转", "接收下转"]].sum(axis=1)
    assert len(table) == 10 and volume.is_monotonic_decreasing
    listed = [caption.value for caption in at.caption if "表中列出转诊人次" in caption.value]
    assert len(listed) == 1 and "最多的 10 家" in listed[0]
    total = int(listed[0].split("共 ")[1].split(" 家")[0].replace(",", ""))
    data = next(data for name, data in files.items() if name.startswith("机构转诊明细") and name.endswith(".csv"))()
    rows = [line for line in bytes(data).decode("utf-8-sig").splitlines() if line.count(",") > 5]
    assert total > 100 and len(rows) == total + 1, "the file: a header and every facility"


def test_a_matrix_of_senders_and_receivers_apart_says_where_to_look(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Across a province the largest senders and receivers lie in different counties, so the matrix has no
    pair: the page says so and where to look, not that there are no referrals."""
    real = referrals.facility_pairs
    monkeypatch.setattr(referrals, "facility_pairs", lambda *args, **kwargs: real(*args, **kwargs).head(0))
    at = open_page(demo_db, monkeypatch, PAGE)
    notes = [box.value for box in at.info]
    assert any("转出最多与接收最多的机构之间没有直接转诊" in note for note in notes)
    assert not any("没有转诊记录" in note for note in notes)
    assert len(at.dataframe[-1].value) > 10, "the facilities' table is still there"

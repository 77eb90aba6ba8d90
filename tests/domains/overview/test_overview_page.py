"""The Overview page as a user sees it, driven through AppTest on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.places import alliance_code, region_code
from tests.support.published import calibration

HEADLINE_NAMES = ["县域内就诊率", "基层医疗卫生机构诊疗人次占比", "县域内住院人次占比", "下转/上转比", "县外转诊人次",
                  "家庭医生签约率", "适龄儿童免疫规划疫苗接种率", "高血压患者规范管理率", "2型糖尿病患者规范管理率"]


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_overview_opens_with_every_headline_indicator(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert list(metric_values(app)) == HEADLINE_NAMES
    assert all(metric.help for metric in app.metric), "every indicator explains itself"
    assert any("模拟演示数据" in markdown.value for markdown in app.markdown)


def test_county_link_shows_the_published_retention_rate(app: AppTest, demo_db: Path) -> None:
    row = calibration("county_retention_rate", "鹿寨县")
    app.query_params.update({"county": region_code(demo_db, "鹿寨县"), "period": "custom",
                             "from": row["period_from"], "to": row["period_to"]})
    app.run()
    assert not app.exception
    shown = metric_values(app)["县域内就诊率"]
    assert float(shown.rstrip("%")) == pytest.approx(float(row["value"]), abs=0.1)
    assert "鹿寨县" in app.caption[0].value
    help_text = next(m.help for m in app.metric if m.label == "县域内就诊率")
    assert "90" in help_text and "分级诊疗" in help_text


@pytest.mark.parametrize(
    "query",
    [
        {"county": "' OR 1=1 --"},
        {"city": "000000"},
        {"period": "custom", "from": "2099-13", "to": "2024-06"},
        {"tiers": "county,<script>"},
        {"alliance": "x'); drop table region; --"},
    ],
)
def test_malicious_or_malformed_links_are_dropped_with_a_note(app: AppTest, query: dict) -> None:
    app.query_params.update(query)
    app.run()
    assert not app.exception
    notes = [warning.value for warning in app.sidebar.warning]
    assert any("已忽略" in note for note in notes)
    assert len(app.metric) == len(HEADLINE_NAMES)


def test_picking_a_city_narrows_the_page_and_the_link(app: AppTest, demo_db: Path) -> None:
    app.run()
    everything = metric_values(app)
    code = region_code(demo_db, "自贡市")
    app.selectbox(key="flt_city").set_value(code).run()
    assert not app.exception
    assert app.query_params["city"] == [code] or app.query_params["city"] == code
    narrowed = metric_values(app)
    assert narrowed != everything
    assert "自贡市" in app.caption[0].value


@pytest.mark.parametrize(
    "query",
    [
        {"city": "自贡市", "cmp": "mom", "period": "quarter"},
        {"county": "名山区", "period": "last_year"},
        {"town": "百丈镇", "period": "last12"},
        {"county": "鹿寨县", "tiers": "township,village"},
    ],
)
def test_filter_combinations_render_without_errors(app: AppTest, demo_db: Path, query: dict) -> None:
    resolved = {key: region_code(demo_db, value) if key in ("city", "county", "town") else value
                for key, value in query.items()}
    app.query_params.update(resolved)
    app.run()
    assert not app.exception
    assert not app.sidebar.warning, "every value in these links is valid"
    assert 0 < len(app.metric) <= len(HEADLINE_NAMES)
    assert set(metric_values(app)) <= set(HEADLINE_NAMES)


def test_period_without_data_shows_a_friendly_empty_state(app: AppTest, demo_db: Path) -> None:
    # 2017-01 has data but its 环比 base (2016-12) does not: the page must still render, without deltas
    app.query_params.update({"period": "custom", "from": "2017-01", "to": "2017-01", "cmp": "mom"})
    app.run()
    assert not app.exception
    assert len(app.metric) == len(HEADLINE_NAMES)


def test_english_switch(app: AppTest) -> None:
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    assert "County retention rate" in metric_values(app)



def test_the_start_up_warm_up_reads_everything_the_first_overview_shows(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """healthdash.serve warms the cache for the default Overview while the browser loads: the first visit
    must then find every figure there. A page that starts showing something the warm-up does not read
    (or reads it differently) makes this fail."""
    import streamlit as st

    from healthdash import serve
    from healthdash.data import db

    st.cache_data.clear()
    serve.warm_default_overview()
    asked: list[str] = []
    real_execute = db.execute
    monkeypatch.setattr(db, "execute", lambda *args, **kwargs: asked.append(args[1]) or real_execute(*args, **kwargs))
    app.run()
    assert not app.exception
    assert list(metric_values(app)) == HEADLINE_NAMES
    assert asked == []


def test_the_start_up_imports_the_default_page_first_and_every_page_after() -> None:
    """The warm-up runs once the Overview's modules are in, before the other pages' (a tenth of a second
    off the first visit); the last step still imports every module any page needs."""
    from healthdash import serve
    from healthdash.ui.navigation import app_pages

    first = serve.app_modules([page for page in app_pages() if page.default])
    every = serve.app_modules()
    # A page imports its views module (which brings kpi, summary and the rest) and the layout.
    assert {"healthdash.domains.overview.views", "healthdash.ui.layout", "healthdash.ui.widgets"} <= set(first)
    assert set(first) < set(every)
    assert {"healthdash.domains.whatif.views", "healthdash.domains.public_health.views", "healthdash.domains.data_management.views"} <= set(every) - set(first)


def test_a_county_ranks_what_it_has_and_the_choice_comes_back_one_level_up(app: AppTest, demo_db: Path) -> None:
    """At county level 县域内就诊率 has no counties to rank: the ranking shows the first headline indicator
    that has places there (towns or facilities), never an empty box; back at the city it is 县域内就诊率
    again, as chosen, and the URL never named another."""
    from healthdash.ui.sidebar import KEY

    app.query_params["city"] = region_code(demo_db, "柳州市")
    app.run()
    assert app.selectbox(key="rank_shown").value == "county_retention_rate"
    app.selectbox(key=KEY["county"]).set_value(region_code(demo_db, "鹿寨县")).run()
    assert not app.exception
    shown = app.selectbox(key="rank_shown")
    assert "县域内就诊率" not in shown.options and shown.options[0] == "基层医疗卫生机构诊疗人次占比"
    assert shown.value == "primary_visit_share"
    assert any("按「" in caption.value and "排序" in caption.value for caption in app.caption), "a ranking is drawn"
    assert "rank" not in app.query_params
    app.selectbox(key=KEY["county"]).set_value(None).run()
    assert app.selectbox(key="rank_shown").value == "county_retention_rate"
    assert "rank" not in app.query_params
    # A choice made by the user is kept in the URL and survives the way down and up.
    app.selectbox(key="rank_shown").set_value("fd_coverage").run()
    assert app.query_params["rank"] == "fd_coverage"
    app.selectbox(key=KEY["county"]).set_value(region_code(demo_db, "鹿寨县")).run()
    assert app.selectbox(key="rank_shown").value == "fd_coverage"


def test_a_kpi_card_leads_to_the_places_one_level_down_ranked_by_it(app: AppTest, demo_db: Path) -> None:
    app.query_params["city"] = region_code(demo_db, "柳州市")
    app.run()
    drill = app.button(key="kpi_drill_fd_coverage")
    assert drill.label == "各区县排名"
    drill.click().run()
    assert not app.exception
    assert app.selectbox(key="rank_shown").value == "fd_coverage"
    assert app.query_params["rank"] == "fd_coverage"
    assert any("按「家庭医生签约率」排序" in caption.value for caption in app.caption)


# What a selection cannot mean: which cards are left out, and the one line that says why.
NOT_FOR_TOWN = {"县域内就诊率", "县域内住院人次占比", "基层医疗卫生机构诊疗人次占比"}


def _note(app: AppTest) -> str:
    return next((c.value for c in app.caption if c.value.startswith("未显示")), "")


def test_a_town_leaves_out_county_figures_and_the_trivial_primary_share(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"town": region_code(demo_db, "百丈镇")})
    app.run()
    assert not app.exception
    assert set(metric_values(app)) == set(HEADLINE_NAMES) - NOT_FOR_TOWN
    note = _note(app)
    assert all(name in note for name in NOT_FOR_TOWN), note
    assert "恒为100%" in note and "按区县居民统计" in note


def test_a_tier_filter_of_primary_tiers_leaves_out_the_primary_share(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"county": region_code(demo_db, "鹿寨县"), "tiers": "township,village"})
    app.run()
    assert "基层医疗卫生机构诊疗人次占比" not in metric_values(app)
    assert "县域内就诊率" in metric_values(app), "a county figure of residents ignores the tier filter"
    assert "机构层级筛选" in _note(app)


def test_a_county_shows_every_headline_card_and_no_note(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"county": region_code(demo_db, "名山区")})
    app.run()
    assert list(metric_values(app)) == HEADLINE_NAMES
    assert _note(app) == ""


def test_a_specialty_alliance_is_not_scored_on_primary_care(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"alliance": alliance_code(demo_db, "柳州市胸痛专科联盟")})
    app.run()
    assert not app.exception
    assert "基层医疗卫生机构诊疗人次占比" not in metric_values(app)
    assert "专科联盟成员均为医院" in _note(app)
    assert not any("差65.0个百分点" in text for text in app.markdown.values)


def test_alliance_cards_say_which_figures_are_the_home_regions(app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"alliance": alliance_code(demo_db, "名山区医共体")})
    app.run()
    assert not app.exception
    home = [c.value for c in app.caption if "服务地区名山区的全域数据" in c.value]
    # 县域内就诊率, 县域内住院人次占比 and the four public-health cards are the district's; referral cards are not.
    assert len(home) == 6, home
    assert "下转/上转比" in metric_values(app)


def test_a_town_does_not_claim_every_target_met_when_it_has_nothing_below_to_compare(
        app: AppTest, demo_db: Path) -> None:
    app.query_params.update({"town": region_code(demo_db, "百丈镇"), "period": "custom", "from": "2024-06",
                             "to": "2024-06"})
    app.run()
    assert "未达标" in " ".join(app.markdown.values), "the town misses some targets itself"
    assert not any("均已达标" in box.value for box in app.success)
    assert any("没有可与目标比较的下一级单位" in box.value for box in app.info)

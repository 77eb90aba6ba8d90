"""The 运行简报 on the demo database: the published figures come out in the text, the destinations match
the referral events, and the Overview shows the summary for the selection and follows it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.core.filters import Filters, parse_month
from healthdash.core.fmt import fmt_value
from tests.support.places import region_code
from tests.support.published import calibration


def county_filters(db: Path, county: str, row: dict) -> Filters:
    code = region_code(db, county)
    with duckdb.connect(str(db), read_only=True) as con:
        city = con.execute("select parent_code from region where code = $code", {"code": code}).fetchone()[0]
    return Filters(parse_month(row["period_from"]), parse_month(row["period_to"]), city=city, county=code,
                   period="custom")


@pytest.fixture
def demo_env(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    return demo_db


def test_mingshan_first_half_2024_reads_like_the_published_report(demo_env: Path) -> None:
    from healthdash.reports.summary import summary_text

    outpatient = calibration("outpatient_visits", "名山区")
    text = summary_text(county_filters(demo_env, "名山区", outpatient), "zh")
    for item, measure in (("门诊", "outpatient_visits"), ("住院", "inpatient_discharges")):
        published = calibration(measure, "名山区")
        amount = fmt_value(float(published["value"]), published["unit"])
        growth = re.search(rf"{item}{re.escape(amount)}，同比增长(\d+\.\d)%", text)
        assert growth, f"{item}{amount} and its growth to one decimal in: {text}"
        # The published growth has two decimals; the text rounds the demo's own growth to one.
        assert abs(float(growth[1]) - float(calibration(f"{measure}_growth", "名山区")["value"])) <= 0.06
    assert text.startswith("2024年1–6月，名山区医疗卫生机构门诊")
    assert "名山区全区设有目标的" in text


def test_the_summary_names_the_missing_reports_of_the_period(demo_env: Path) -> None:
    """博爱县 2025: the demo seeds one facility that missed three months (healthdash/data/quality/simulate.py)."""
    from healthdash.reports.summary import summary_text

    year = {"period_from": "2025-01", "period_to": "2025-12"}
    text = summary_text(county_filters(demo_env, "博爱县", year), "zh")
    said = re.search(r"另有1家机构或单位的3份月报未上报（上报率([0-9.]+)%），以上数字只计已收到的月报。", text)
    assert said, text
    # The rate over every report the county's units owed in 2025 (the reports added later count too).
    with duckdb.connect(str(demo_env), read_only=True) as con:
        due, received = con.execute(
            "select count(*) filter (where expected), count(*) filter (where expected and received) "
            "from report_status where county_code = ? and month between '2025-01-01' and '2025-12-01'",
            [region_code(demo_env, "博爱县")]).fetchone()
    assert due - received == 3 and abs(float(said.group(1)) - 100 * received / due) < 0.1, (said.group(0), due)
    complete = summary_text(county_filters(demo_env, "鹿寨县", year), "zh")
    assert "未上报" not in complete


def test_luzhai_2018_meets_the_retention_target(demo_env: Path) -> None:
    from healthdash.data.kpi import indicator_catalog
    from healthdash.reports.summary import summary_text

    row = calibration("county_retention_rate", "鹿寨县")
    text = summary_text(county_filters(demo_env, "鹿寨县", row), "zh")
    target = indicator_catalog()["county_retention_rate"].target
    assert text.startswith("2018年，鹿寨县")
    assert f"县域内就诊率{fmt_value(float(row['value']) / 100, '%')}，达到{target:g}%的目标" in text
    assert "鹿寨县全县设有目标的" in text


def test_destinations_are_the_receivers_of_the_referral_events(demo_env: Path) -> None:
    from healthdash.data.kpi import headline
    from healthdash.reports.summary import gather, summary_text

    row = calibration("outpatient_visits", "名山区")
    filters = county_filters(demo_env, "名山区", row)
    # Independently, from the base tables: non-cancelled out-of-county referral events sent by the
    # district's facilities (directly in the county or in one of its towns) during the period.
    with duckdb.connect(str(demo_env), read_only=True) as con:
        events = con.execute(
            """
            select t.name as receiver, count(*) as n
            from referral r
            join facility f on f.code = r.from_facility
            join region p on p.code = f.region_code
            join facility t on t.code = r.to_facility
            where r.direction = 'out_of_county' and r.status <> 'cancelled'
              and (p.code = $county or p.parent_code = $county)
              and r.referral_date >= $first and r.referral_date < $end
            group by all
            """,
            {"county": filters.county, "first": date(2024, 1, 1), "end": date(2024, 7, 1)},
        ).df()
    expected = events.sort_values(["n", "receiver"], ascending=[False, True]).reset_index(drop=True)
    got = pd.DataFrame([(d.name, d.referrals) for d in gather(filters).destinations], columns=["receiver", "n"])
    assert got["n"].sum() == expected["n"].sum()
    assert set(got["receiver"]) == set(expected["receiver"])

    # The text names the three largest, in order, and a total equal to the headline card's.
    text = summary_text(filters, "zh")
    total = headline(filters, ["out_of_county_referrals"])[0].value
    assert total == expected["n"].sum()
    assert f"县外转诊{fmt_value(total, '人次')}，主要流向" in text
    positions = [text.index(f"{name}（{fmt_value(n, '人次')}") for name, n in expected.head(3).itertuples(index=False)]
    assert positions == sorted(positions)


def test_every_place_of_the_demo_is_named_as_itself(demo_env: Path) -> None:
    from healthdash.reports.summary_rules import Place, collective

    with duckdb.connect(str(demo_env), read_only=True) as con:
        regions = con.execute("select name, level from region order by code").fetchall()
    assert {level for _, level in regions} >= {"city", "county", "town"}
    for name, level in regions:
        whole = collective(Place(name, level), "zh")
        assert whole.startswith(name), whole
        assert whole in (name, f"{name}全{name[-1]}"), whole
        assert "全街道" not in whole


def test_a_street_office_is_named_by_its_name(demo_env: Path) -> None:
    from healthdash.reports.summary import summary_text

    row = calibration("outpatient_visits", "名山区")
    filters = county_filters(demo_env, "名山区", row)
    text = summary_text(Filters(filters.month_from, filters.month_to, city=filters.city, county=filters.county,
                                town=region_code(demo_env, "蒙阳街道"), period="custom"), "zh")
    assert "蒙阳街道设有目标的" in text and "全街道" not in text


def test_a_town_month_says_zero_or_no_data_never_both(demo_env: Path) -> None:
    from healthdash.reports.summary import summary_text

    row = calibration("outpatient_visits", "名山区")
    filters = county_filters(demo_env, "名山区", row)
    june = Filters(date(2024, 6, 1), date(2024, 6, 1), city=filters.city, county=filters.county,
                   town=region_code(demo_env, "百丈镇"), period="custom")
    text = summary_text(june, "zh")
    no_data = re.search(r"县外转诊人次[^。，]*暂无数据", text) is not None
    assert no_data != ("无县外转诊" in text), text
    assert text.count("对比期") <= 1


def summary_lead(at: AppTest, title: str = "运行简报") -> str:
    return next(m.value for m in at.markdown if m.value.startswith(f"**{title}**"))


def test_overview_shows_the_summary_and_it_follows_the_selection(app: AppTest, demo_env: Path) -> None:
    from healthdash.reports.summary import summary_text

    # A preset period: AppTest does not carry a custom month range across a widget change.
    app.query_params.update({"county": region_code(demo_env, "名山区"), "period": "last_year"})
    app.run()
    assert not app.exception
    lead = summary_lead(app)
    full = app.text_area[0].value
    assert full.startswith("2024年，名山区医疗卫生机构门诊") and "主要流向" in full
    last_year = Filters(date(2024, 1, 1), date(2024, 12, 1), city=region_code(demo_env, "雅安市"),
                        county=region_code(demo_env, "名山区"), period="last_year")
    assert full == summary_text(last_year, "zh"), "the page shows the text composed for its selection"
    assert lead.removeprefix("**运行简报**：") in full

    app.selectbox(key="flt_county").set_value(region_code(demo_env, "雨城区")).run()
    assert not app.exception
    changed = summary_lead(app)
    assert changed != lead
    assert "雨城区医疗卫生机构门诊" in changed and "名山区" not in changed
    assert app.text_area[0].value.startswith("2024年，雨城区")


def test_overview_summary_in_english(app: AppTest) -> None:
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    lead = summary_lead(app, "Briefing")
    assert "outpatient visits" in lead and "all cities" in lead
    assert "同比" not in app.text_area[0].value


def test_the_summary_names_the_towns_without_elderly_care_beds(demo_env: Path) -> None:
    from healthdash.reports.summary import summary_text

    code = region_code(demo_env, "荣县")
    with duckdb.connect(str(demo_env), read_only=True) as con:
        without = [name for (name,) in con.execute(
            """select r.name from elderly_care e join region r on r.code = e.town_code
               where r.parent_code = $county and e.month = '2025-06-01' group by r.name having sum(e.beds) = 0
               order by min(r.code)""", {"county": code}).fetchall()]
    assert without, "the demo leaves a town of 荣县 without beds"
    text = summary_text(Filters(date(2025, 1, 1), date(2025, 6, 1), city=region_code(demo_env, "自贡市"),
                                county=code, period="custom"), "zh")
    assert f"有{len(without)}个尚无医养结合床位（{'、'.join(without[:3])}" in text

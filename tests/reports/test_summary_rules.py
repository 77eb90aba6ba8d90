"""The 运行简报 sentence rules on hand-made figures: every branch, no database, no Streamlit session.

Expected numbers are built with healthdash.core.fmt from the figures given, so a test states which rule
produced the words, not how a number happens to print.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from healthdash.core.fmt import fmt_change, fmt_period, fmt_pp, fmt_value
from healthdash.core.indicators import Indicator
from healthdash.core.wording import delta_text
from healthdash.reports.summary_rules import (
    Appraisal,
    BelowTarget,
    Destination,
    Figure,
    Period,
    Place,
    Relapse,
    Reporting,
    SummaryFigures,
    Workforce,
    appraisal_sentence,
    change_sentence,
    collective,
    compose,
    named_value,
    no_base_sentence,
    relapse_sentence,
    reporting_sentence,
    sentences,
    subject,
    target_sentences,
    volume_sentence,
    workforce_sentence,
)

ROOT = Path(__file__).resolve().parents[2]


def indicator(code: str, name_zh: str, unit: str = "%", aggregation: str = "ratio", direction: str = "up",
              target: float | None = None, name_en: str | None = None) -> Indicator:
    return Indicator(code=code, name_zh=name_zh, name_en=name_en or code.replace("_", " "), section="test",
                     definition_zh="", definition_en="", unit=unit, aggregation=aggregation, direction=direction,
                     target=target, target_source=None, level="county", proposed=False, growth_of=None)


OUTPATIENT = indicator("outpatient_visits", "门急诊人次", "人次", "count", "monitor")
INPATIENT = indicator("inpatient_discharges", "出院人次", "人次", "count", "monitor")
RETENTION = indicator("county_retention_rate", "县域内就诊率", target=90, name_en="county retention rate")
SIGNING = indicator("fd_coverage", "家庭医生签约率", aggregation="stock_ratio", target=75)
OUT_RATE = indicator("out_of_county_referral_rate", "县外转诊率", direction="down", target=5)
RATIO = indicator("down_up_ratio", "下转/上转比", unit="ratio")
OUT_COUNT = indicator("out_of_county_referrals", "县外转诊人次", "人次", "count", "down")
UP_COUNT = indicator("up_referrals", "上转人次", "人次", "count", "monitor")
RETURNED = indicator("returned_referrals", "县外转回人次", "人次", "count", "up")

H1_2024 = Period(date(2024, 1, 1), date(2024, 6, 1), "yoy")
MINGSHAN = Place("名山区", "county")


def figures(volumes=((488_900, 456_800), (28_500, 25_600)), indicators=(), **kwargs) -> SummaryFigures:
    vols = tuple(Figure(ind, value, base) for ind, (value, base) in zip((OUTPATIENT, INPATIENT), volumes, strict=True))
    values = {"place": MINGSHAN, "period": H1_2024, "volumes": vols, "indicators": tuple(indicators)}
    return SummaryFigures(**(values | kwargs))


def growth_words(value: float, base: float) -> str:
    return fmt_change(abs((value - base) / base)).lstrip("+")


# ---------------------------------------------------------------------------------------------- volumes


def test_volume_sentence_in_the_register_of_the_reports() -> None:
    text = volume_sentence(figures(), "zh")
    period = fmt_period(date(2024, 1, 1), date(2024, 6, 1))
    assert text.startswith(f"{period}，名山区医疗卫生机构门诊")
    assert f"门诊{fmt_value(488_900, '人次')}，同比增长{growth_words(488_900, 456_800)}；" in text
    assert f"住院{fmt_value(28_500, '人次')}，同比增长{growth_words(28_500, 25_600)}。" in text


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (90, 100, "同比下降" + growth_words(90, 100)),
        (100, 100, "同比持平"),
        (100_000, 100_001, "同比持平"),  # −0.001% rounds to 0.00%: not a "decline" of nothing
        (0, 100, "同比下降100.0%"),
    ],
)
def test_volume_direction_follows_the_sign_and_the_rounding(value: float, base: float, expected: str) -> None:
    text = volume_sentence(figures(volumes=((value, base), (28_500, 25_600))), "zh")
    assert expected in text.split("；")[0]
    assert "增长" not in text.split("；")[0] or value > base


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "门诊0人次"), (9_800, "门诊9,800人次"), (123_456_789, "门诊1.23亿人次"), (488_900, "门诊48.9万人次")],
)
def test_volume_numbers_are_written_the_chinese_way(value: float, expected: str) -> None:
    assert expected in volume_sentence(figures(volumes=((value, 100), (1, 1))), "zh")


def test_a_missing_comparison_period_is_said_once_never_as_a_number() -> None:
    text = compose(figures(volumes=((488_900, None), (28_500, None)),
                           indicators=[Figure(RETENTION, 0.95, None), Figure(RATIO, 0.3, None)]), "zh")
    base = fmt_period(date(2023, 1, 1), date(2023, 6, 1))
    assert "门诊48.9万人次，住院2.9万人次。" in text
    assert text.count("对比期") == 1
    assert f"对比期（{base}）无数据，不作同比比较。" in text
    assert "—" not in text and "改善" not in text


@pytest.mark.parametrize(
    ("compare", "words"),
    [("yoy", "门诊12人次，上年同期为0；"), ("mom", "门诊12人次，上期为0；")],
)
def test_a_zero_comparison_base_is_named_not_left_blank(compare: str, words: str) -> None:
    period = replace(H1_2024, compare=compare)
    text = volume_sentence(figures(period=period, volumes=((12, 0), (28_500, 25_600))), "zh")
    assert words in text
    assert ("同比增长" if compare == "yoy" else "环比增长") in text  # the inpatient clause keeps its growth
    assert "无数据" not in text and "%，" not in text.split("；")[0]


def test_one_volume_without_data() -> None:
    text = volume_sentence(figures(volumes=((None, None), (28_500, 25_600))), "zh")
    assert "门诊暂无数据；住院" in text


def test_a_zero_volume_is_zero_and_a_missing_one_is_no_data() -> None:
    zero = volume_sentence(figures(volumes=((0, 0), (28_500, 25_600))), "zh")
    assert "门诊0人次，上年同期为0；" in zero and "暂无数据" not in zero
    missing = volume_sentence(figures(volumes=((None, 10), (28_500, 25_600))), "zh")
    assert "门诊暂无数据；" in missing and "门诊0" not in missing


def test_no_volumes_at_all() -> None:
    text = volume_sentence(figures(volumes=((None, None), (None, None))), "zh")
    assert text.endswith("名山区医疗卫生机构暂无门诊、住院数据。")


def test_period_on_period_comparison_uses_huanbi_and_the_months_before() -> None:
    period = Period(date(2025, 12, 1), date(2025, 12, 1), "mom")
    text = compose(figures(period=period, volumes=((110, 100), (90, None))), "zh")
    assert text.startswith("2025年12月，")
    assert "环比增长10.0%；住院90人次。" in text
    assert "住院在对比期（2025年11月）无数据，不作环比比较。" in text


# ---------------------------------------------------------------------------------------------- places


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [("名山区", "county", "名山区全区"), ("鹿寨县", "county", "鹿寨县全县"), ("自贡市", "city", "自贡市全市"),
     ("开发区", "county", "开发区全区"), ("百丈镇", "town", "百丈镇全镇"), ("导江乡", "town", "导江乡全乡"),
     ("蒙阳街道", "town", "蒙阳街道"), (None, "all", "全部地市")],
)
def test_the_whole_place_is_named_for_every_level(name: str | None, level: str, expected: str) -> None:
    assert collective(Place(name, level), "zh") == expected
    text = "".join(target_sentences(figures(place=Place(name, level), indicators=[Figure(RETENTION, 0.95, None)]),
                                    "zh"))
    assert text.startswith(f"{expected}设有目标的1项核心指标全部达到目标。")
    assert "全街道" not in text


def test_a_tier_restriction_is_named_not_called_the_whole_place() -> None:
    place = Place("名山区", "county", tiers=("township",))
    assert collective(place, "zh") == "名山区乡镇卫生院"
    assert collective(place, "en") == f"{subject(place, 'en')} in 名山区"


def test_top_level_and_alliance_and_tiers() -> None:
    top = volume_sentence(figures(place=Place(None, "all")), "zh")
    assert "，全部地市医疗卫生机构门诊" in top
    alliance = Place("名山区", "county", alliance="名山区医共体")
    assert subject(alliance, "zh") == "名山区医共体成员机构"
    assert collective(alliance, "zh") == "该医联体"
    assert subject(Place("鹿寨县", "county", tiers=("township", "village")), "zh") == "乡镇卫生院、村卫生室"


def test_a_place_without_data_gets_one_sentence_that_says_so() -> None:
    empty = figures(volumes=((None, None), (None, None)), indicators=[Figure(RETENTION, None, None)],
                    destinations=(), below_target=())
    assert sentences(empty, "zh") == [f"{fmt_period(date(2024, 1, 1), date(2024, 6, 1))}，名山区暂无数据，无法生成简报。"]
    assert "no data for 名山区" in compose(empty, "en")


# ---------------------------------------------------------------------------------------------- targets


def test_met_target_states_the_value_the_target_and_the_margin() -> None:
    text = "".join(target_sentences(figures(indicators=[Figure(RETENTION, 0.95, None)]), "zh"))
    assert f"县域内就诊率{fmt_value(0.95, '%')}，达到90%的目标，高出{fmt_pp(0.05)}" in text
    assert "名山区全区设有目标的1项核心指标全部达到目标。" in text


def test_exactly_at_target_is_met_without_a_margin() -> None:
    text = "".join(target_sentences(figures(indicators=[Figure(RETENTION, 0.9, None)]), "zh"))
    assert "县域内就诊率90.0%，达到90%的目标。" in text


def test_missed_target_states_the_shortfall_in_percentage_points() -> None:
    text = "".join(target_sentences(figures(indicators=[Figure(SIGNING, 0.674, None)]), "zh"))
    assert f"家庭医生签约率67.4%，未达到75%的目标，差{fmt_pp(0.75 - 0.674)}" in text
    assert "均未达到目标" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.05, "县外转诊率5.0%，控制在5%的目标以内。"),
     (0.031, f"县外转诊率3.1%，控制在5%的目标以内，低{fmt_pp(0.019)}"),
     (0.072, f"县外转诊率7.2%，超出5%的控制目标{fmt_pp(0.022)}")],
)
def test_targets_that_should_stay_low(value: float, expected: str) -> None:
    assert expected in "".join(target_sentences(figures(indicators=[Figure(OUT_RATE, value, None)]), "zh"))


def test_mixed_targets_are_counted() -> None:
    text = "".join(target_sentences(figures(indicators=[Figure(RETENTION, 0.95, None), Figure(SIGNING, 0.6, None)]),
                                    "zh"))
    assert text.startswith("名山区全区设有目标的2项核心指标中，1项达到目标，1项未达到目标。")


def test_indicators_without_target_or_data_are_named_not_numbered() -> None:
    text = "".join(target_sentences(figures(indicators=[Figure(RATIO, 0.28, None), Figure(SIGNING, None, None)]),
                                    "zh"))
    assert "下转/上转比0.28，未设目标。" in text
    assert "仅作监测" not in text  # the ratio has a direction: it is judged, only not against a target
    assert "家庭医生签约率暂无数据。" in text
    assert "设有目标" not in text  # no count sentence when nothing with a target has data


@pytest.mark.parametrize(
    ("name", "unit", "value", "expected"),
    [
        ("县外转诊人次", "人次", 255, "县外转诊255人次"),
        ("上转人次", "人次", 1_234, "上转1,234人次"),
        ("门急诊人次", "人次", 488_900, "门急诊48.9万人次"),
        ("出院人次", "人次", 28_500, "出院2.9万人次"),
        ("下派人员人次", "人次", 23, "下派人员23人次"),
        ("专家坐诊次数", "次", 12, "专家坐诊12次"),
        ("手术示教台次", "台次", 43, "手术示教43台次"),
        ("上派进修人数", "人", 100, "上派进修100人"),
        ("HPV疫苗首剂接种人数", "人", 13_080, "HPV疫苗首剂接种1.3万人"),
        ("婚前检查对数", "对", 449, "婚前检查449对"),
        ("急危重症救治例数", "例", 2_789, "急危重症救治2,789例"),
        ("县域内住院次均费用", "元", 8_765, "县域内住院次均费用8,765元"),
        ("县域内就诊率", "%", 0.87, "县域内就诊率87.0%"),
        ("下转/上转比", "ratio", 0.28, "下转/上转比0.28"),
    ],
)
def test_a_count_names_the_measure_once_and_the_unit_once(name: str, unit: str, value: float, expected: str) -> None:
    aggregation = "ratio" if unit in ("%", "ratio", "元") else "count"
    assert named_value(indicator("x", name, unit, aggregation), value, "zh") == expected


def catalog_rows() -> list[dict[str, str]]:
    with open(ROOT / "data" / "indicators.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", [r for r in catalog_rows() if r["unit"] not in ("%", "ratio")], ids=lambda r: r["code"])
def test_no_indicator_of_the_catalog_doubles_its_unit(row: dict[str, str]) -> None:
    given = indicator(row["code"], row["name_zh"], row["unit"], row["aggregation"], row["direction"])
    for value in (255, 48_900):
        text = named_value(given, value, "zh")
        assert text.count(row["unit"]) == 1, text
        assert not re.search(r"(人次|次数|人数|对数|例数|台次|数)[\d,.]+", text), text


def test_the_briefing_says_a_count_and_its_unit_once() -> None:
    text = compose(figures(indicators=[Figure(OUT_COUNT, 255, 280), Figure(RATIO, 0.28, 0.25)],
                           destinations=(Destination("四川大学华西医院", 255),)), "zh")
    assert "县外转诊255人次、下转/上转比0.28，未设目标。" in text
    assert "人次255" not in text and "人次人次" not in text


def test_a_monitoring_only_indicator_is_never_ranked_or_judged() -> None:
    given = figures(indicators=[
        Figure(UP_COUNT, 2_000, 1_000),  # doubled: the largest change, but only monitored
        Figure(OUT_COUNT, 270, 300),  # −10%: an improvement of a count that should fall
        Figure(RATIO, 0.27, 0.28),  # a worsening
    ])
    parts = sentences(given, "zh")
    monitored = next(part for part in parts if "仅作监测" in part)
    assert monitored == "上转2,000人次，仅作监测，不评价升降。"
    change = next(part for part in parts if "最明显" in part)
    assert change == f"同比看，改善最明显的是县外转诊人次（{fmt_change(-0.1)}），变差最明显的是下转/上转比（−0.01）。"
    assert "上转人次" not in change
    assert "县外转诊255人次，未设目标" not in monitored  # what has a direction is not called monitoring-only


def test_only_monitoring_indicators_give_no_change_sentence() -> None:
    assert change_sentence(figures(indicators=[Figure(UP_COUNT, 2_000, 1_000)]), "zh") is None


# ---------------------------------------------------------------------------------------------- change


def test_most_improved_and_most_worsened_by_relative_change() -> None:
    text = change_sentence(figures(indicators=[
        Figure(RETENTION, 0.92, 0.90),  # +2.0 pp = +2.2% relative
        Figure(SIGNING, 0.70, 0.60),  # +10 pp = +16.7%: the largest improvement
        Figure(OUT_COUNT, 1_100, 1_000),  # +10% of a count that should fall: worsened
        Figure(OUT_RATE, 0.051, 0.050),  # +0.1 pp = +2%: worsened, but less
    ]), "zh")
    assert text == f"同比看，改善最明显的是家庭医生签约率（{fmt_pp(0.1, signed=True)}），变差最明显的是县外转诊人次（{fmt_change(0.1)}）。"


def test_only_improvements() -> None:
    text = change_sentence(figures(indicators=[Figure(OUT_COUNT, 900, 1_000), Figure(RATIO, 0.5, 0.5)]), "zh")
    assert text == f"同比看，改善最明显的是县外转诊人次（{fmt_change(-0.1)}），其余指标没有变差。"


def test_only_worsening() -> None:
    text = change_sentence(figures(indicators=[Figure(RATIO, 0.4, 0.5)]), "zh")
    assert text == "同比看，变差最明显的是下转/上转比（−0.10），其余指标没有改善。"


def test_unchanged_after_rounding_and_monitoring_only_indicators_are_not_movers() -> None:
    text = change_sentence(figures(indicators=[
        Figure(RETENTION, 0.90004, 0.9),  # +0.004 pp prints as +0.0个百分点
        Figure(UP_COUNT, 2_000, 1_000),  # doubled, but up-referrals are only monitored
    ]), "zh")
    assert text == "同比看，核心指标没有改善或变差。"


def test_no_comparison_base_gets_a_sentence_not_a_number() -> None:
    given = figures(volumes=((100, None), (10, None)), indicators=[Figure(RETENTION, 0.9, None)])
    assert change_sentence(given, "zh") is None
    assert no_base_sentence(given, "zh") == f"对比期（{fmt_period(date(2023, 1, 1), date(2023, 6, 1))}）无数据，不作同比比较。"


def test_everything_without_a_comparison_base_is_named_in_one_sentence() -> None:
    given = figures(volumes=((488_900, None), (28_500, 25_600)), indicators=[
        Figure(RETENTION, 0.92, 0.90), Figure(SIGNING, 0.70, None), Figure(RATIO, 0.3, None), Figure(OUT_RATE, None, None),
    ])
    text = compose(given, "zh")
    base = fmt_period(date(2023, 1, 1), date(2023, 6, 1))
    assert text.count("对比期") == 1
    assert f"门诊、家庭医生签约率、下转/上转比在对比期（{base}）无数据，不作同比比较。" in text
    assert "县外转诊率暂无数据。" in text  # no data at all is another matter, said on its own
    assert "改善最明显的是县域内就诊率" in text


@pytest.mark.parametrize(("compare", "words"), [("yoy", "上年同期为0"), ("mom", "上期为0")])
def test_a_count_that_grew_from_zero_says_the_base_was_zero(compare: str, words: str) -> None:
    text = change_sentence(figures(period=replace(H1_2024, compare=compare),
                                   indicators=[Figure(RETURNED, 12, 0), Figure(RETENTION, 0.92, 0.90)]), "zh")
    assert f"改善最明显的是县外转回人次（{words}）" in text
    assert delta_text(RETURNED, 12, 0, compare, "zh") == words
    assert delta_text(RETURNED, None, 0, compare, "zh") is None


# ---------------------------------------------------------------------------------------------- places below target


def test_places_below_target_worst_first_with_at_most_three_named() -> None:
    below = (BelowTarget(SIGNING, "town", ("红星镇", "永兴镇", "黑竹镇", "百丈镇")),
             BelowTarget(RETENTION, "town", ()),
             BelowTarget(OUT_RATE, "town", ("车岭镇",)))
    text = compose(figures(indicators=[Figure(SIGNING, 0.6, None)], below_target=below), "zh")
    assert "下级单位中，家庭医生签约率未达标的乡镇/街道有4个（红星镇、永兴镇、黑竹镇等）；县外转诊率未达标的乡镇/街道有1个（车岭镇）。" in text
    assert "县域内就诊率未达标" not in text


def test_all_places_meet_their_targets() -> None:
    text = compose(figures(indicators=[Figure(SIGNING, 0.8, None)], below_target=(BelowTarget(SIGNING, "town", ()),)),
                   "zh")
    assert "下级单位设有目标的核心指标均已达标。" in text


def test_no_lower_level_no_sentence() -> None:
    assert "下级单位" not in compose(figures(indicators=[Figure(SIGNING, 0.8, None)], below_target=None), "zh")


# ---------------------------------------------------------------------------------------------- destinations


def test_largest_out_of_county_destinations_with_their_share() -> None:
    destinations = (Destination("四川大学华西医院", 183), Destination("雅安市人民医院", 54),
                    Destination("雅安市中医医院", 18), Destination("成都市第三人民医院", 5))
    text = compose(figures(destinations=destinations), "zh")
    total = 183 + 54 + 18 + 5
    assert (f"县外转诊{fmt_value(total, '人次')}，主要流向四川大学华西医院（183人次，占{fmt_value(183 / total, '%')}）、"
            f"雅安市人民医院（54人次，占{fmt_value(54 / total, '%')}）、雅安市中医医院（18人次，") in text
    assert "成都市第三人民医院" not in text


def test_a_reported_zero_is_no_referrals_and_no_report_is_no_data() -> None:
    period = fmt_period(date(2024, 1, 1), date(2024, 6, 1))
    zero = compose(figures(indicators=[Figure(OUT_COUNT, 0, 3)], destinations=()), "zh")
    assert "县外转诊0人次，未设目标。" in zero
    assert zero.endswith(f"{period}无县外转诊。")
    assert "暂无数据" not in zero
    missing = compose(figures(indicators=[Figure(OUT_COUNT, None, 3), Figure(RETENTION, 0.9, 0.9)], destinations=()),
                      "zh")
    assert "县外转诊人次暂无数据。" in missing
    assert "无县外转诊" not in missing


def test_no_destinations_without_the_count_says_nothing_about_them() -> None:
    # Without the count the briefing cannot tell a reported zero from no report: it says neither.
    assert "县外转诊" not in compose(figures(destinations=()), "zh")


# ---------------------------------------------------------------------------------------------- English and the whole


def full() -> SummaryFigures:
    return figures(
        indicators=[Figure(RETENTION, 0.95, 0.93), Figure(SIGNING, 0.674, 0.70), Figure(RATIO, 0.3, 0.28)],
        below_target=(BelowTarget(SIGNING, "town", ("红星镇",)),),
        destinations=(Destination("四川大学华西医院", 183),),
    )


def test_english_text() -> None:
    text = compose(full(), "en")
    assert text.startswith("Jan–Jun 2024, health facilities in 名山区: 488.9k outpatient visits, up ")
    assert "County retention rate" not in text.split(". ", 1)[0]
    assert "County retention rate 95.0%, meeting the 90% target by 5.0 pp" in text
    assert "fd coverage: 1 below target (Town: 红星镇)" in text
    assert "short of the 75% target by 7.6 pp" in text
    assert "Headline indicators with a target in 名山区: 1 of 2 met, 1 not met." in text
    assert "Against Jan–Jun 2023, down up ratio (+0.02) improved most and fd coverage (−2.6 pp) worsened most." in text
    assert "mainly to 四川大学华西医院 (183, 100.0%)" in text
    for word in ("同比", "目标", "人次", "。", "；"):
        assert word not in text


def test_the_same_figures_always_give_the_same_text() -> None:
    assert compose(full(), "zh") == compose(replace(full()), "zh")
    zh = sentences(full(), "zh")
    assert all(sentence.endswith("。") for sentence in zh)
    assert "None" not in "".join(zh) and "nan" not in "".join(zh) and "{" not in "".join(zh)


@pytest.mark.parametrize(
    ("place", "zh", "en"),
    [
        (Place(None, "all", alliance="名山区医共体"), "，名山区医共体成员机构门诊", ", member facilities of 名山区医共体: "),
        (Place("名山区", "county", alliance="名山区医共体"), "，名山区医共体成员机构门诊", ", member facilities of 名山区医共体: "),
        (Place("雅安市", "city", alliance="名山区医共体"), "，雅安市名山区医共体成员机构门诊",
         ", member facilities of 名山区医共体 in 雅安市: "),
    ],
)
def test_an_alliance_is_named_once(place: Place, zh: str, en: str) -> None:
    assert zh in volume_sentence(figures(place=place), "zh")
    assert en in volume_sentence(figures(place=place), "en")


# ---------------------------------------------------------------------------------------------- reporting


def test_missing_reports_are_named_last_with_the_rate_rounded_down() -> None:
    found = figures(reporting=Reporting(0.9996, reports_missing=3, units_missing=2))
    sentence = reporting_sentence(found, "zh")
    assert sentence == "另有2家机构或单位的3份月报未上报（上报率99.9%），以上数字只计已收到的月报。"
    assert sentences(found, "zh")[-1] == sentence
    assert reporting_sentence(found, "en").startswith("3 monthly reports from 2 facilities or units are missing")


def test_nothing_is_said_when_every_report_came_in_or_none_were_gathered() -> None:
    assert reporting_sentence(figures(reporting=Reporting(1.0, 0, 0)), "zh") is None
    assert reporting_sentence(figures(), "zh") is None
    assert not any("未上报" in sentence for sentence in sentences(figures(reporting=Reporting(1.0, 0, 0)), "zh"))


def test_the_appraisal_sentence_names_score_and_rank_only_among_several_counties() -> None:
    ranked = Appraisal("示例：省级医共体建设考核方案", 2025, "名山区", 71.26, 2, 3)
    assert appraisal_sentence(figures(appraisal=ranked), "zh") == (
        "按当前考核方案“示例：省级医共体建设考核方案”，名山区2025年得71.3分，在本市3个区县中排第2名。")
    alone = replace(ranked, rank=1, of=1)
    assert appraisal_sentence(figures(appraisal=alone), "zh") == "按当前考核方案“示例：省级医共体建设考核方案”，名山区2025年得71.3分。"
    assert appraisal_sentence(figures(), "zh") is None
    assert sentences(figures(appraisal=ranked), "en")[-1].endswith("ranking 2 of the city's 3 counties.")


# ---------------------------------------------------------------------------------------------- 8 poverty, elderly care

TREATED = indicator("serious_illness_treatment_rate", "大病专项救治率", aggregation="stock_ratio", target=90)
OUT_OF_POCKET = indicator("poverty_oop_share", "脱贫人口住院费用个人自付比例", direction="down", target=10)


def test_relapse_says_nothing_when_nothing_is_notable() -> None:
    assert relapse_sentence(figures(), "zh") is None
    met = Relapse((Figure(TREATED, 0.95, None), Figure(OUT_OF_POCKET, 0.08, None)), (), 12)
    assert relapse_sentence(figures(relapse=met), "zh") is None
    assert relapse_sentence(figures(relapse=Relapse((Figure(TREATED, None, None),), (), 0)), "zh") is None


def test_relapse_names_the_figures_short_of_target_and_the_towns_without_beds() -> None:
    found = Relapse((Figure(TREATED, 0.862, None), Figure(OUT_OF_POCKET, 0.113, None)),
                    ("清水镇", "新田乡", "长安乡", "观音镇"), 10)
    text = relapse_sentence(figures(relapse=found), "zh")
    assert text == ("防止因病返贫监测中，大病专项救治率86.2%，未达到90%的目标，差3.8个百分点；"
                    "脱贫人口住院费用个人自付比例11.3%，超出10%的控制目标1.3个百分点；"
                    "医养结合方面，报送的10个乡镇（街道）中有4个尚无医养结合床位（清水镇、新田乡、长安乡等）。")
    english = relapse_sentence(figures(relapse=Relapse((), ("Qingshui",), 10)), "en")
    assert english == "Towns without elderly-care beds: 1 of the 10 reporting (Qingshui)."


PHYSICIANS = indicator("physicians_per_1000", "每千人口执业（助理）医师数", unit="人/千人", aggregation="stock_ratio",
                       target=3.2, name_en="physicians per 1,000 residents")


def test_the_workforce_is_said_only_when_notable() -> None:
    below = figures(workforce=Workforce(Figure(PHYSICIANS, 2.27, 2.18), flagged=3))
    assert workforce_sentence(below, "zh") == (
        "执业注册：每千人口执业（助理）医师2.27人/千人，低于3.20人/千人的目标；"
        "3家机构所报业务超出其在册人员可承担的范围（如在册医师为0却有住院），见数据质量页。")
    assert workforce_sentence(below, "en").startswith("Licensing registers: physicians per 1,000 residents 2.27 per 1k")
    met = figures(workforce=Workforce(Figure(PHYSICIANS, 3.3, 3.1), flagged=0))
    assert workforce_sentence(met, "zh") is None, "at target and nothing flagged: nothing to say"
    assert workforce_sentence(figures(workforce=Workforce(None, flagged=1)), "zh").startswith("1家机构")


def test_the_pathogen_network_is_said_when_cases_were_sent() -> None:
    sent = figures(workforce=Workforce(None, 0, 3601, 0.9497, 36.21))
    assert "病原鉴定网络本期送检3,601例，鉴定完成率95.0%，平均用时36.2小时。" in sentences(sent, "zh")
    assert not any("病原" in part for part in sentences(figures(workforce=Workforce(None, 0)), "zh"))

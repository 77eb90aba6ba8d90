"""Scoring rules with given values (exactly at the target, missing value, no target, lower-is-better) and
scheme files with each kind of mistake refused with a message naming its line."""

from __future__ import annotations

import pytest

from healthdash.data.catalog import load_catalog
from healthdash.domains.appraisal.scoring import (
    Rule,
    SchemeError,
    load_scheme,
    parse_scheme,
    preset_paths,
    score_rule,
    subtotals,
)

DIRECTIONS = dict(zip(load_catalog()["code"], load_catalog()["direction"], strict=True))


def points(rule: Rule, value: float | None, target: float | None, direction: str = "up") -> float | None:
    return score_rule(rule, value, target, direction).points


def test_at_target_gives_full_marks_exactly_at_the_target_and_none_below() -> None:
    rule = Rule("in_county_inpatient_share", "提效能", 10, "at_target")
    assert points(rule, 90.0, 90.0) == 10
    assert points(rule, 89.99, 90.0) == 0
    # Lower is better: at or under the target.
    assert points(rule, 8000.0, 8000.0, "down") == 10
    assert points(rule, 8000.5, 8000.0, "down") == 0


def test_linear_is_proportional_between_floor_and_target_and_clipped() -> None:
    rule = Rule("primary_visit_share", "促分工", 15, "linear", floor=50)
    assert points(rule, 50.0, 65.0) == 0
    assert points(rule, 60.0, 65.0) == pytest.approx(10)
    assert points(rule, 65.0, 65.0) == 15
    assert points(rule, 80.0, 65.0) == 15
    assert points(rule, 40.0, 65.0) == 0
    # Down: floor 20 scores 0, target 10 full marks, 15 half.
    down = Rule("chronic_mgmt_admission_rate", "保健康", 10, "linear", floor=20)
    assert points(down, 15.0, 10.0, "down") == pytest.approx(5)


def test_bands_take_the_best_band_reached_and_need_no_target() -> None:
    rule = Rule("posted_physicians_per_10k", "同质化", 10, "bands", bands=((0.8, 10), (0.5, 8), (0.2, 5)))
    assert points(rule, 0.8, None) == 10
    assert points(rule, 0.79, None) == 8
    assert points(rule, 0.2, None) == 5
    assert points(rule, 0.1, None) == 0


def test_deduct_takes_points_per_unit_short_and_stops_at_zero() -> None:
    rule = Rule("ins_fund_in_county_share", "促分工", 10, "deduct", per_unit=2)
    assert points(rule, 85.0, 85.0) == 10
    assert points(rule, 82.5, 85.0) == pytest.approx(5)
    assert points(rule, 70.0, 85.0) == 0
    assert points(Rule("ncd_premature_mortality", "保健康", 10, "deduct", per_unit=20), 0.45, 0.4, "down") \
        == pytest.approx(9)


def test_a_missing_value_or_target_scores_nothing_and_says_why() -> None:
    rule = Rule("primary_visit_share", "促分工", 15, "linear", floor=50)
    missing = score_rule(rule, None, 65.0, "up")
    assert missing.points == 0 and missing.lost == 15 and "无数据" in missing.explanation_zh
    untargeted = score_rule(rule, 60.0, None, "up")
    assert untargeted.points == 0 and "未设目标" in untargeted.explanation_zh
    assert "No target" in untargeted.explanation_en


def test_qualitative_items_score_on_the_judgement() -> None:
    rule = Rule("resource_management", "紧密型", 8, "qualitative")
    assert score_rule(rule, None, None, "up", True).points == 8
    assert score_rule(rule, None, None, "up", False).points == 0
    assert "尚未评定" in score_rule(rule, None, None, "up", None).explanation_zh


def test_monitored_items_have_no_points_and_subtotals_skip_them() -> None:
    watched = score_rule(Rule("tcm_visit_share", "提效能", 0, "monitor"), 17.0, None, "up")
    scored = score_rule(Rule("primary_visit_share", "促分工", 15, "at_target"), 70.0, 65.0, "up")
    assert watched.points is None and watched.lost == 0
    assert subtotals([watched, scored]) == {"促分工": 15}


def test_the_presets_load_one_unscored_and_one_sample_adding_to_100() -> None:
    national, sample = (load_scheme(path, DIRECTIONS) for path in preset_paths())
    assert not national.scored and len(national.rules) == 14
    assert sample.scored and sample.sample and "示例" in sample.name
    assert sum(rule.weight for rule in sample.rules) == 100


GOOD_RULE = '''
[[rule]]
indicator = "primary_visit_share"
dimension = "促分工"
weight = 100
kind = "at_target"
'''


def refusal(text: str) -> str:
    with pytest.raises(SchemeError) as refused:
        parse_scheme(text, DIRECTIONS)
    return str(refused.value)


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "甲"\n' + GOOD_RULE.replace("weight = 100", "weight = 90"), "第 1 行：各项分值合计 90"),
    ('name = "甲"\n' + GOOD_RULE.replace('"primary_visit_share"', '"no_such"'), "第 4 行：指标“no_such”"),
    ('name = "甲"\n' + GOOD_RULE.replace('"at_target"', '"curve"'), "第 7 行：计分方式“curve”"),
    ('name = "甲"\n' + GOOD_RULE.replace('"at_target"', '"linear"'), "第 3 行：线性计分须给出下限 floor"),
    ('name = "甲"\n' + GOOD_RULE.replace('weight = 100', 'weight = "十"'), "第 6 行：分值 weight“十”"),
    ('name = "甲"\n' + GOOD_RULE.replace('"at_target"', '"qualitative"'), "第 7 行：定性计分"),
    ('name = "甲"\n' + GOOD_RULE.replace('kind = "at_target"', 'kind = "deduct"\nper_unit = -1'),
     "第 8 行：扣分计分须给出每单位扣分 per_unit（正数），现为“-1”"),
    ('name = "甲"\n' + GOOD_RULE.replace('kind = "at_target"', 'kind = "bands"\nbands = [[60, 120]]'),
     "第 8 行：分档得分 120 超出分值 100"),
    ('name = "甲"\n' + GOOD_RULE + GOOD_RULE.replace("weight = 100", "weight = 0"), "第 10 行：指标“primary_visit_share”重复"),
    ('name = "甲"\nscored = false\n' + GOOD_RULE, "第 8 行：不计分方案中不能使用计分方式 at_target"),
    ('name = "甲\n' + GOOD_RULE, "第 1 行：文件格式有误"),
    (GOOD_RULE, "缺少方案名称"),
])
def test_each_mistake_is_refused_with_its_line(text: str, expected: str) -> None:
    assert expected in refusal(text)


def test_dimensions_are_named_in_english_from_the_scheme_and_a_bad_name_is_refused_by_line() -> None:
    sample = load_scheme(preset_paths()[1], DIRECTIONS)
    assert [sample.dimension_label(d, "en") for d in sample.dimensions] == [
        "Integration", "Same quality", "Division of work", "Efficiency", "Health"]
    assert sample.dimension_label("促分工", "zh") == "促分工"
    text = 'name = "甲"\n' + GOOD_RULE
    assert parse_scheme(text, DIRECTIONS).dimension_label("促分工", "en") == "促分工", "no English name: its own"
    unknown = text + '\n[[dimension]]\nname = "保健康"\nname_en = "Health"\n'
    assert "第 10 行：维度“保健康”没有任何规则使用" in refusal(unknown)
    missing = text + '\n[[dimension]]\nname = "促分工"\n'
    assert "第 9 行：维度“促分工”缺少英文名称 name_en" in refusal(missing)


def test_the_explanation_prints_values_as_the_page_does() -> None:
    share = score_rule(Rule("primary_visit_share", "促分工", 15, "linear", floor=50), 60.55, 65.0, "up", unit="%")
    assert "本年 60.5%" in share.explanation_zh or "本年 60.6%" in share.explanation_zh
    assert "下限 50.0%" in share.explanation_zh and "目标 65.0%" in share.explanation_zh
    ratio = score_rule(Rule("primary_income_ratio", "同质化", 5, "bands", bands=((0.9, 5.0), (0.8, 4.0))), 0.9055,
                       None, "up", unit="ratio")
    assert "0.91" in ratio.explanation_zh and "0.9055" not in ratio.explanation_zh
    deduct = score_rule(Rule("ins_fund_in_county_share", "促分工", 5, "deduct", per_unit=0.5), 88.0, 90.0, "up", unit="%")
    assert "扣0.5分" in deduct.explanation_zh and "目标 90.0%" in deduct.explanation_zh

"""One number format per kind wherever a change is shown: the Overview's cards, the briefing PDF's table,
the what-if table and the 运行简报 print the same change of the same figures the same way."""

from __future__ import annotations

from datetime import date

import pytest

from healthdash.core import wording
from healthdash.core.indicators import Indicator, change, is_improvement, meets_target
from healthdash.data.kpi import Kpi
from healthdash.reports import briefing
from healthdash.reports.summary_rules import (
    Figure,
    Period,
    Place,
    SummaryFigures,
    change_sentence,
    named_value,
)
from healthdash.ui import widgets


def indicator(code: str, unit: str, aggregation: str = "ratio", direction: str = "up") -> Indicator:
    return Indicator(code=code, name_zh=code, name_en=code, section="test", definition_zh="", definition_en="",
                     unit=unit, aggregation=aggregation, direction=direction, target=None, target_source=None,
                     level="county", proposed=False, growth_of=None)


RATE = indicator("rate", "%")
RATIO = indicator("ratio", "ratio")
COUNT = indicator("count", "人次", "count")


def kpi(given: Indicator, value: float | None, base: float | None) -> Kpi:
    delta = change(given, value, base)
    return Kpi(given, value, base, delta, meets_target(given, value), is_improvement(given, delta), [], [])


CASES = [
    (RATE, 0.674, 0.653, "+2.1个百分点"),  # a difference of rates: percentage points, one decimal
    (RATE, 0.9, 0.9004, "0.0个百分点"),
    (COUNT, 103, 100, "+3.0%"),  # growth: one decimal, never "+3%"
    (COUNT, 101.84, 100, "+1.8%"),
    (COUNT, 90, 100, "−10.0%"),
    (RATIO, 0.28, 0.33, "−0.05"),  # a ratio's change: two decimals, like the ratio
]


@pytest.mark.parametrize(("given", "value", "base", "expected"), CASES)
def test_a_change_reads_the_same_on_cards_tables_and_text(given: Indicator, value: float, base: float,
                                                          expected: str) -> None:
    card = kpi(given, value, base)
    assert widgets._delta_text(card, "yoy") == f"同比 {expected}"
    row = briefing.headline_frame([card], "yoy", "zh").iloc[0]
    assert row.iloc[-1] == expected
    assert wording.change_text(given, value, base, "zh") == expected
    text = change_sentence(SummaryFigures(Place("名山区", "county"), Period(date(2024, 1, 1), date(2024, 6, 1), "yoy"),
                                          (), (Figure(given, value, base),)), "zh")
    if expected.startswith(("+", "−")):
        assert f"（{expected}）" in text
    else:
        assert text == "同比看，核心指标没有改善或变差。"


@pytest.mark.parametrize(("compare", "words"), [("yoy", "上年同期为0"), ("mom", "上期为0")])
def test_a_count_from_zero_is_said_not_left_blank(compare: str, words: str) -> None:
    card = kpi(COUNT, 12, 0)
    assert widgets._delta_text(card, compare) == words
    assert briefing.headline_frame([card], compare, "zh").iloc[0].iloc[-1] == words


def test_no_comparison_is_a_dash_in_a_table_and_nothing_on_a_card() -> None:
    card = kpi(COUNT, 12, None)
    assert widgets._delta_text(card, "yoy") is None
    assert briefing.headline_frame([card], "yoy", "zh").iloc[0].iloc[-1] == "—"


def test_a_count_in_a_table_is_written_in_full_and_in_text_with_wan() -> None:
    card = kpi(COUNT, 488_900, None)
    assert briefing.headline_frame([card], "yoy", "zh").iloc[0].iloc[1] == "488,900人次"
    assert briefing.headline_frame([card], "yoy", "en").iloc[0].iloc[1] == "488,900"
    assert named_value(COUNT, 488_900, "zh") == "count48.9万人次"

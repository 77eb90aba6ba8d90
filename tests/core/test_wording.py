"""Pass/fail and target wording (healthdash.core.wording, fmt.status_mark): one copy, the same in every table,
chart label and file, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from healthdash.core import wording
from healthdash.core.fmt import marked, status_mark
from healthdash.core.indicators import Indicator


def indicator(unit: str, direction: str = "up", target: float | None = 90) -> Indicator:
    return Indicator(code="x", name_zh="x", name_en="x", section="test", definition_zh="", definition_en="",
                     unit=unit, aggregation="ratio", direction=direction, target=target, target_source=None,
                     level="county", proposed=False, growth_of=None)


@pytest.mark.parametrize(("meets", "mark", "zh", "en"), [
    (True, "✓", "达标", "Met"),
    (False, "✗", "未达标", "Not met"),
    (None, "", "未设目标", "No target"),
    (pd.NA, "", "未设目标", "No target"),  # a frame's missing judgement is no judgement, not a fail
])
def test_status_mark_and_word_in_both_languages(meets: object, mark: str, zh: str, en: str) -> None:
    assert status_mark(meets) == mark
    assert wording.status_word(meets, "zh") == zh
    assert wording.status_word(meets, "en") == en
    assert wording.status_label(meets, "zh") == f"{mark} {zh}".strip()
    assert marked("87.0%", meets) == f"87.0% {mark}".strip()


def test_status_labels_are_the_words_in_legend_order() -> None:
    assert wording.status_labels("zh") == ("达标", "未达标", "未设目标")
    assert wording.status_labels("en") == ("Met", "Not met", "No target")


@pytest.mark.parametrize(("given", "bound", "zh", "en"), [
    (indicator("%"), "≥90%", "目标 ≥90%", "Target ≥90%"),
    (indicator("%", direction="down", target=5), "≤5%", "目标 ≤5%", "Target ≤5%"),
    (indicator("%", target=None), "未设目标", "未设目标", "No target"),
])
def test_target_text_says_which_side_is_good(given: Indicator, bound: str, zh: str, en: str) -> None:
    assert wording.target_bound(given, "zh") == bound
    assert wording.target_text(given, "zh") == zh
    assert wording.target_text(given, "en") == en

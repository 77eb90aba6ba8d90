"""Printed lines follow Chinese rules: a number stays with its unit, no line starts with closing punctuation or
ends with opening punctuation; English breaks between words. Widths are counted in characters here."""

from __future__ import annotations

import re

import pytest

from healthdash.core.linebreak import CLOSING, OPENING, break_lines

SUMMARY = ("2025年，名山区医疗卫生机构门诊102.3万人次，同比增长1.9%；高血压患者规范管理率69.7%，未达到70%的目标，"
           "差0.3个百分点。下转/上转比0.27、县外转诊546人次，未设目标。同比看，改善最明显的是下转/上转比（+0.02）；"
           "其余指标没有变差。主要流向四川大学华西医院（368人次，占67.4%）、“雅安市人民医院”（124人次，占22.7%）。")


def test_a_number_is_never_split_from_its_unit() -> None:
    # At 17 characters a naive break falls inside the unit ("差0.3个百分" / "点。").
    lines = break_lines("高血压患者规范管理率69.7%，未达到70%的目标，差0.3个百分点。", 17, len)
    assert lines == ["高血压患者规范管理率69.7%，未", "达到70%的目标，差", "0.3个百分点。"]
    # At 12 it would fall inside the number ("差0" / ".3个百分点").
    assert break_lines("未达到70%的目标，差0.3个百分点。", 12, len) == ["未达到70%的目标，差", "0.3个百分点。"]


@pytest.mark.parametrize("width", range(10, 40))
def test_chinese_rules_hold_at_every_width(width: int) -> None:
    lines = break_lines(SUMMARY, width, len)
    assert "".join(lines) == SUMMARY, "nothing lost or added"
    assert all(len(line) <= width for line in lines)
    assert not [line for line in lines[1:] if line[0] in CLOSING], "a line starts with closing punctuation"
    assert not [line for line in lines[:-1] if line[-1] in OPENING], "a line ends with opening punctuation"
    for amount in re.findall(r"\d[\d.,]*(?:个百分点|万人次|人次|%|年)", SUMMARY):
        assert any(amount in line for line in lines), amount


def test_english_breaks_between_words_and_drops_the_space() -> None:
    text = "County retention rate 88.3%, short of the 90% target by 1.7 pp (368, 67.4%)."
    lines = break_lines(text, 24, len)
    assert lines == ["County retention rate", "88.3%, short of the 90%", "target by 1.7 pp (368,", "67.4%)."]


def test_a_word_longer_than_the_line_is_cut_and_newlines_break() -> None:
    assert break_lines("abcdefghij\n医联体", 4, len) == ["abcd", "efgh", "ij", "医联体"]

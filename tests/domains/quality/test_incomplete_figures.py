"""A headline figure computed over incomplete reports says so: an asterisk on the value and a line naming
how many units have not sent which report, for the months the figure rests on (the period for a flow, its
last month for a stock). The demo's simulated gaps: 博爱县's village clinic misses its service volume in
March, July and August 2025; 修武县's 观音镇 its public-health report in September 2025."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import open_page
from tests.support.places import region_code

VISITS = "基层医疗卫生机构诊疗人次占比"
FD = "家庭医生签约率"
RATIO = "下转/上转比"


def boxes(node: object):
    """Every block of the page, depth first."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        yield node
        for child in children.values():
            yield from boxes(child)


def card(at: AppTest, name: str) -> tuple[str, list[str]]:
    """A card's value and the captions in its box (the innermost block holding its metric)."""
    for box in reversed(list(boxes(at._tree))):
        metrics = [child for child in box.children.values() if getattr(child, "type", None) == "metric"]
        if any(metric.label == name for metric in metrics):
            value = next(metric.value for metric in metrics if metric.label == name)
            return value, [child.value for child in box.children.values() if getattr(child, "type", None) == "caption"]
    raise AssertionError(f"no card {name}")


def gap_lines(captions: list[str]) -> list[str]:
    return [line for line in captions if line.startswith("＊")]


def test_a_flow_over_months_with_a_report_missing_is_marked(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(demo_db, "博爱县")
    place = {"city": county[:4] + "00", "county": county}
    at = open_page(demo_db, monkeypatch, None, {**place, "period": "custom", "from": "2025-01", "to": "2025-12"})
    value, captions = card(at, VISITS)
    assert value.endswith("*")
    assert gap_lines(captions) == ["＊1家机构未上报“门急诊与住院服务量”月报，本数字不含其数据。"]
    for name in (RATIO, FD):
        value, captions = card(at, name)
        assert not value.endswith("*") and not gap_lines(captions), name

    at.query_params.update({"from": "2025-09", "to": "2025-12"})
    at.run()
    assert not at.exception
    value, captions = card(at, VISITS)
    assert not value.endswith("*") and not gap_lines(captions), "no report is missing from September on"


def test_a_stock_is_marked_only_when_its_last_month_is_missing(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(demo_db, "修武县")
    place = {"city": county[:4] + "00", "county": county}
    at = open_page(demo_db, monkeypatch, None, {**place, "period": "custom", "from": "2025-01", "to": "2025-12"})
    value, captions = card(at, FD)
    assert not value.endswith("*") and not gap_lines(captions), "December is complete"

    at = open_page(demo_db, monkeypatch, None, {**place, "period": "custom", "from": "2025-01", "to": "2025-09"})
    value, captions = card(at, FD)
    assert value.endswith("*")
    assert gap_lines(captions) == ["＊1个乡镇（街道）未上报“公共卫生”月报，本数字不含其数据。"]

"""The shared chart builders (healthdash.ui.charts), read off their spec: one target rule, one monthly-line
builder for every page's trends, one single-colour bar builder."""

from __future__ import annotations

import pandas as pd

from healthdash.ui import charts


def months(series: dict[str, list[float]]) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=3, freq="MS")
    return pd.DataFrame([{"month": d, "label": name, "value": v, "text": f"{v}"}
                         for name, values in series.items() for d, v in zip(dates, values, strict=True)])


def rules(spec: dict) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]


def test_every_target_rule_is_drawn_alike() -> None:
    ink = charts.target_rule(0.9).to_dict()
    assert ink["mark"] == {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5}
    assert ink["encoding"]["color"] == {"value": charts.TARGET_INK}
    assert ink["encoding"]["x"]["field"] == "target"


def test_monthly_lines_draw_last_year_dashed_and_each_target_in_its_colour() -> None:
    frame = months({"本期": [1, 2, 3], "上年同期": [2, 2, 2]})
    spec = charts.monthly_lines(frame, x="month", y="value", series="label", text="text",
                                colors={"本期": charts.BLUE, "上年同期": charts.GRAY}, dashed=["上年同期"],
                                targets={"本期": 2.5, "上年同期": None})
    line = spec["layer"][0]
    assert line["encoding"]["color"]["scale"] == {"domain": ["本期", "上年同期"], "range": [charts.BLUE, charts.GRAY]}
    assert line["encoding"]["strokeDash"]["condition"]["test"]["oneOf"] == ["上年同期"]
    [rule] = rules(spec)
    assert [row["target"] for row in spec["datasets"][rule["data"]["name"]]] == [2.5]
    assert rule["encoding"]["color"]["field"] == "label"  # the series' colour, not the ink
    plain = charts.monthly_lines(frame, x="month", y="value", series="label", text="text",
                                 colors=charts.series_colors(["本期", "上年同期"]), target=2.0)
    assert "strokeDash" not in plain["layer"][0]["encoding"]
    assert rules(plain)[0]["encoding"]["color"] == {"value": charts.TARGET_INK}


def test_plain_bars_leave_room_for_the_label_past_the_longest_bar_and_the_target() -> None:
    frame = pd.DataFrame({"name": ["甲", "乙"], "value": [10.0, 5.0], "text": ["10", "5"]})
    spec = charts.plain_bars(frame, label="name", value="value", text="text", target=20.0)
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 24.0]
    assert len(rules(spec)) == 1
    picked = charts.plain_bars(frame, label="name", value="value", text="text", highlight="乙")
    colour = picked["layer"][0]["encoding"]["color"]
    assert colour["condition"]["value"] == charts.BLUE and colour["value"] == charts.PALE_BLUE


def test_english_month_axes_tooltips_and_exports_are_english() -> None:
    from healthdash.core.i18n import speaking
    from healthdash.ui import chart_export

    frame = months({"This year": [1, 2, 3]})
    with speaking("en"):
        spec = charts.monthly_lines(frame, x="month", y="value", series="label", text="text",
                                    colors=charts.series_colors(["This year"]))
        svg = chart_export.chart_svg(spec, width=500, height=300)
    line = spec["layer"][0]["encoding"]
    assert "%b %Y" in line["x"]["axis"]["labelExpr"] and "年" not in line["x"]["axis"]["labelExpr"]
    assert [tip.get("format") for tip in line["tooltip"] if tip["type"] == "temporal"] == ["%b %Y"]
    assert "Jan 2024" in svg and "年" not in svg and "月" not in svg
    chinese = charts.monthly_lines(frame, x="month", y="value", series="label", text="text",
                                   colors=charts.series_colors(["This year"]))
    assert "2024年1月" in chart_export.chart_svg(chinese, width=500, height=300)

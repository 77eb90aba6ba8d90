"""Chart builders shared by every page: each takes a DataFrame and column names and returns a chart.

Colours, fonts and sizes live here once. Pass/fail is blue/orange (tellable apart by colour-blind
viewers and on washed-out projectors) and always carries a word or mark as well.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

BLUE = "#1f4e9c"
ORANGE = "#d9730d"
GRAY = "#8a8f98"
LIGHT_GRAY = "#c9ccd1"
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = [BLUE, ORANGE, "#5b8fd6", "#f2a65a", "#2e7d6b", "#8e6bbf", GRAY]
LABEL_SIZE = 13
TITLE_SIZE = 15


@alt.theme.register("healthdash", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": LABEL_SIZE,
                "titleFontSize": LABEL_SIZE,
                "grid": False,
                "domainColor": LIGHT_GRAY,
                "tickColor": LIGHT_GRAY,
                "titleFontWeight": "normal",
            },
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": LABEL_SIZE, "orient": "top"},
            "title": {"font": FONT, "fontSize": TITLE_SIZE, "anchor": "start"},
            "range": {"category": PALETTE},
        }
    }


def status_scale(met: str, not_met: str, no_target: str) -> alt.Scale:
    return alt.Scale(domain=[met, not_met, no_target], range=[BLUE, ORANGE, GRAY])


def ranking_bar(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    text: str,
    status: str,
    status_labels: tuple[str, str, str],
    target: float | None = None,
    axis_format: str = ",.0f",
    value_title: str = "",
    height_per_bar: int = 28,
) -> alt.Chart:
    """Horizontal bars, best first, coloured and labelled by pass/fail, with the target as a rule.

    `text` is a pre-formatted label column (Chinese number formats are done in Python, not d3).
    """
    order = alt.EncodingSortField(field=value, order="descending")
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=axis_format)),
        color=alt.Color(f"{status}:N", scale=status_scale(*status_labels), title=None),
        tooltip=[alt.Tooltip(f"{label}:N", title=" "), alt.Tooltip(f"{text}:N", title=value_title or " ")],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=LABEL_SIZE, font=FONT).encode(
        x=alt.X(f"{value}:Q"), text=alt.Text(f"{text}:N"), color=alt.value("#333333")
    )
    layers = [bars, labels]
    if target is not None:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(
            strokeDash=[6, 4], color="#444444", strokeWidth=1.5
        ).encode(x="target:Q")
        layers.append(rule)
    height = max(120, height_per_bar * len(frame))
    return alt.layer(*layers).properties(height=height)


def trend_lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    text: str,
    target: float | None = None,
    axis_format: str = ",.0f",
    x_title: str = "",
    y_title: str = "",
    dashed: list[str] | None = None,
    height: int = 300,
) -> alt.Chart:
    """Monthly lines by series; series named in `dashed` (e.g. last year) are drawn dashed and grey."""
    dashed = dashed or []
    lines = alt.Chart(frame).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%Y年%-m月", labelAngle=0, tickCount=6)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=axis_format)),
        color=alt.Color(f"{series}:N", title=None),
        strokeDash=alt.condition(
            alt.FieldOneOfPredicate(field=series, oneOf=dashed), alt.value([5, 4]), alt.value([1, 0])
        ),
        tooltip=[alt.Tooltip(f"{series}:N", title=" "), alt.Tooltip(f"{x}:T", format="%Y年%-m月", title=" "),
                 alt.Tooltip(f"{text}:N", title=y_title or " ")],
    )
    layers = [lines]
    if target is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[6, 4], color="#444444")
            .encode(y="target:Q")
        )
    return alt.layer(*layers).properties(height=height)

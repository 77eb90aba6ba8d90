"""Chart builders shared by every page: each takes a DataFrame and column names and returns a chart.

Colours, fonts and sizes live here once. Pass/fail is blue/orange (tellable apart by colour-blind
viewers and on washed-out projectors) and always carries a word or mark as well.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from healthdash.core.i18n import current_lang
from healthdash.ui.chart_cache import cached_spec

BLUE = "#1f4e9c"
ORANGE = "#d9730d"
GRAY = "#8a8f98"
LIGHT_GRAY = "#c9ccd1"
PALE_BLUE = "#8fb0e0"
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = [BLUE, ORANGE, "#5b8fd6", "#f2a65a", "#2e7d6b", "#8e6bbf", GRAY]
LABEL_SIZE = 13
TITLE_SIZE = 15
TARGET_INK = "#444444"
MONTH_FORMAT = "%Y年%-m月"
MONTH_FORMAT_EN = "%b %Y"
_MAX_MONTH_TICKS = 5


def top_legend(labels: list[str], most: int = 3) -> alt.Legend:
    """A legend above the chart, up to `most` labels to a row and none cut: long labels (English: "Remote
    pathology consultations") take fewer to a row instead of ending in "Remote patholog"."""
    widest = max((sum(2 if ord(char) > 0x2E7F else 1 for char in label) for label in labels), default=0)
    columns = most if widest <= 24 else 2 if widest <= 40 else 1
    return alt.Legend(orient="top", columns=min(most, columns), labelLimit=0)


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
            # labelLimit 0: a legend never cuts a label ("Technici…" in English).
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": LABEL_SIZE, "orient": "top", "labelLimit": 0},
            "title": {"font": FONT, "fontSize": TITLE_SIZE, "anchor": "start"},
            "range": {"category": PALETTE},
        }
    }


def status_scale(met: str, not_met: str, no_target: str) -> alt.Scale:
    return alt.Scale(domain=[met, not_met, no_target], range=[BLUE, ORANGE, GRAY])


def spoken(*fields: str) -> str:
    """A Vega expression joining `fields` of a row into what a screen reader says for its mark ("六安市，
    87.0% ✗，未达标"): Vega's default names the raw fields (place_name: …; status: …)."""
    return " + '，' + ".join(f"datum[{field!r}]" for field in fields)


def target_rule(target: float | pd.DataFrame, *, axis: str = "x", color: str | alt.Color = TARGET_INK) -> alt.Chart:
    """The target as a dashed rule across a chart, at `target` on the `axis` ("x" or "y").

    `target` is one value, or a frame with a "target" column (one rule a row) whose `color` is an
    encoding, so that each series' target takes the colour of its line.
    """
    data = target if isinstance(target, pd.DataFrame) else pd.DataFrame({"target": [target]})
    shade = alt.value(color) if isinstance(color, str) else color
    return alt.Chart(data).mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(**{axis: "target:Q"}, color=shade)


@cached_spec
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
    selection: alt.Parameter | None = None,
) -> alt.Chart:
    """Horizontal bars, best first, coloured and labelled by pass/fail, with the target as a rule.

    `text` is a pre-formatted label column (Chinese number formats are done in Python, not d3).
    With `selection` (a point selection), clicking a bar selects it and the others fade.
    """
    # op "max": Vega-Lite drops any other sort op in a layered chart (its layers' domains are unioned),
    # and the bars would come out in alphabetical order.
    order = alt.EncodingSortField(field=value, op="max", order="descending")
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=axis_format, tickCount=6)),
        color=alt.Color(f"{status}:N", scale=status_scale(*status_labels), title=None),
        tooltip=[alt.Tooltip(f"{label}:N", title=" "), alt.Tooltip(f"{text}:N", title=value_title or " ")],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=spoken(label, text, status))
    if selection is not None:
        bars = bars.add_params(selection).encode(opacity=alt.condition(selection, alt.value(1.0), alt.value(0.4)))
    labels = base.mark_text(align="left", dx=4, fontSize=LABEL_SIZE, font=FONT).encode(
        x=alt.X(f"{value}:Q"), text=alt.Text(f"{text}:N"), color=alt.value("#333333")
    )
    layers = [bars, labels]
    if target is not None:
        layers.append(target_rule(target))
    # Streamlit fits the whole chart, legend and axis included, into this height: leave room for them.
    height = max(120, height_per_bar * len(frame)) + 70
    return alt.layer(*layers).properties(height=height)


def month_format() -> str:
    """The d3 time format of a month in the reader's language: 2025年1月, Jan 2025."""
    return MONTH_FORMAT_EN if current_lang() == "en" else MONTH_FORMAT


def month_axis(months: pd.Series) -> alt.Axis:
    """A month axis labelled at (at most five) months of the data, never at a month past its end
    (a bar chart's band would otherwise earn the month after the last one a label)."""
    unique = sorted(pd.to_datetime(pd.Series(months).dropna().unique()))
    step = max(1, -(-len(unique) // _MAX_MONTH_TICKS))
    ticks = [alt.DateTime(year=m.year, month=m.month, date=1) for m in unique[::step]]
    # "2025年1月" (Jan 2025) on the first tick and at each January, "4月" (Apr) elsewhere: short labels fit
    # narrow charts. The chart cache keys on the language, so each language has its own spec.
    long, short = month_format(), "%b" if current_lang() == "en" else "%-m月"
    label = (f"datum.index == 0 || month(datum.value) == 0 ? timeFormat(datum.value, '{long}')"
             f" : timeFormat(datum.value, '{short}')")
    return alt.Axis(format=long, labelExpr=label, labelAngle=0, values=ticks, labelOverlap=True)


def series_colors(names: list[str]) -> dict[str, str]:
    """The palette's colours for `names`, in order."""
    return dict(zip(names, PALETTE, strict=False))


@cached_spec
def monthly_lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    text: str,
    colors: dict[str, str],
    dashed: list[str] | None = None,
    target: float | None = None,
    targets: dict[str, float | None] | None = None,
    axis_format: str = ",.0f",
    y_title: str = "",
    zero: bool = True,
    height: int = 260,
    title: str | None = None,
) -> alt.LayerChart:
    """Monthly lines, one per series of `colors` in its colour (the legend in that order, in rows of
    three); series named in `dashed` (e.g. last year) are drawn dashed.

    `target` is the chart's target, a rule in the target ink; `targets` gives each series its own, a rule
    in the series' colour (several targets on one chart stay readable). `title` goes above the chart;
    without `zero` the value axis fits the data instead of starting at 0.
    """
    order = list(colors)
    color = alt.Color(f"{series}:N", title=None, scale=alt.Scale(domain=order, range=list(colors.values())),
                      sort=order, legend=top_legend(order))
    encoding = {}
    if dashed:
        encoding["strokeDash"] = alt.condition(
            alt.FieldOneOfPredicate(field=series, oneOf=dashed), alt.value([5, 4]), alt.value([1, 0])
        )
    drawn = alt.Chart(frame).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:T", title=None, axis=month_axis(frame[x])),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=axis_format, tickCount=5), scale=alt.Scale(zero=zero)),
        color=color,
        tooltip=[alt.Tooltip(f"{series}:N", title=" "), alt.Tooltip(f"{x}:T", format=month_format(), title=" "),
                 alt.Tooltip(f"{text}:N", title=y_title or " ")],
        **encoding,
    )
    layers: list[alt.Chart] = [drawn]
    if target is not None:
        layers.append(target_rule(target, axis="y"))
    rules = pd.DataFrame(
        [{series: name, "target": value} for name, value in (targets or {}).items() if value is not None]
    )
    if not rules.empty:
        layers.append(target_rule(rules, axis="y", color=color))
    chart = alt.layer(*layers).properties(height=height)
    return chart.properties(title=title) if title else chart


@cached_spec
def plain_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    text: str,
    color: str = BLUE,
    highlight: str | None = None,
    value_title: str = "",
    axis_format: str = ",.0f",
    target: float | None = None,
    height_per_bar: int = 26,
    label_limit: int = 220,
    selection: alt.Parameter | None = None,
    ticks: tuple[float, ...] | None = None,
) -> alt.LayerChart:
    """Horizontal bars of one colour, largest on top, each labelled with its pre-formatted `text`: for
    figures with no pass/fail to colour. With `highlight`, the row whose `label` equals it keeps `color`
    and the others turn pale (the selected alliance); `target` is drawn as a rule; with `selection` (a
    point selection), clicking a bar selects it; `ticks`: the axis's values (a share stops at 100%, the
    headroom for labels past it unmarked)."""
    order = alt.EncodingSortField(field=value, op="max", order="descending")
    # Headroom on the right for the label of the longest bar.
    top = max(float(frame[value].max() or 1), target or 0.0) * 1.2
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=label_limit)),
        x=alt.X(f"{value}:Q", title=value_title,
                axis=alt.Axis(format=axis_format, tickCount=4) if ticks is None
                else alt.Axis(format=axis_format, values=list(ticks)),
                scale=alt.Scale(domain=[0, top], nice=False)),
    )
    shade = (alt.condition(alt.datum[label] == highlight, alt.value(color), alt.value(PALE_BLUE))
             if highlight is not None else alt.value(color))
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        color=shade,
        tooltip=[alt.Tooltip(f"{label}:N", title=" "), alt.Tooltip(f"{text}:N", title=value_title or " ")],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=spoken(label, text))
    if selection is not None:
        bars = bars.add_params(selection)
    labels = base.mark_text(align="left", dx=4, fontSize=LABEL_SIZE, font=FONT, color="#333333").encode(
        text=alt.Text(f"{text}:N")
    )
    layers = [bars, labels]
    if target is not None:
        layers.append(target_rule(target))
    # Streamlit fits the whole chart, axis included, into this height: leave room for the axis.
    return alt.layer(*layers).properties(height=max(120, height_per_bar * len(frame)) + 45)


@cached_spec
def heatmap(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    text: str,
    x_order: list[str],
    y_order: list[str],
    dark: str,
    x_title: str = "",
    y_title: str = "",
    value_title: str = "",
    selection: alt.Parameter | None = None,
    cell: int = 44,
) -> alt.LayerChart:
    """A matrix of cells shaded by `value` (square-root scale, so that a few big flows do not wash out
    the rest) and labelled with `text`; `dark` (a boolean column) switches the label to white.

    With `selection` (a point selection), clicking a cell selects it and the others fade.
    """
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:N", sort=x_order, title=x_title,
                axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=200, labelAlign="left")),
        y=alt.Y(f"{y}:N", sort=y_order, title=y_title, axis=alt.Axis(labelLimit=220)),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues", type="sqrt"),
                        legend=None),
        tooltip=[alt.Tooltip(f"{y}:N", title=y_title or " "), alt.Tooltip(f"{x}:N", title=x_title or " "),
                 alt.Tooltip(f"{text}:N", title=value_title or " ")],
    )
    if selection is not None:
        rect = rect.add_params(selection).encode(
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.35))
        )
    labels = base.mark_text(fontSize=12, font=FONT).encode(
        text=alt.Text(f"{text}:N"),
        color=alt.condition(f"datum.{dark}", alt.value("white"), alt.value("#333333")),
    )
    # The column labels lean right past the last column: padding keeps the last one from being cut off.
    return alt.layer(rect, labels).properties(
        width=max(200, cell * len(x_order)), height=max(120, cell * len(y_order)),
        padding={"left": 5, "top": 5, "bottom": 5, "right": 120},
    )

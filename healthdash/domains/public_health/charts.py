"""公共卫生 Public health charts: one indicator's trend and spread over towns, places against targets, key
groups beside overall coverage. Marks take the band colours of the scorecard."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from healthdash.core.fmt import fmt_value
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator
from healthdash.core.wording import target_text
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.public_health import scorecard
from healthdash.domains.public_health.data import Trend, band_of
from healthdash.ui import charts
from healthdash.ui.chart_cache import ChartSpec, cached_spec

# Chart marks sit on white, so they take the stronger shades of the table's band colours.
BAND_COLORS: dict[str, str] = {
    scorecard.FAR_BELOW: charts.ORANGE,
    scorecard.BELOW: "#f2a65a",
    scorecard.MET: charts.BLUE,
    scorecard.NO_TARGET: charts.GRAY,
}


KEY_GROUP_COLOR = "#5b8fd6"


# A click on a place's bar in a chart of places (show_place_chart).
PLACE_CLICK = alt.selection_point(name="place_click", fields=["place_code"])


def trend_chart(trend: Trend | None, indicator: Indicator) -> ChartSpec | None:
    """The trend's two series as lines, the target as a rule; None without data."""
    if trend is None:
        return None
    frame, current, last_year = trend
    lang = current_lang()
    # This period in the page's blue, last year in grey: pinned, so that alphabetical order of the
    # series names cannot swap them (orange means "below target" on this page). A rate moving from 64%
    # to 67% is a flat line on an axis from 0: a rate's axis fits the data (the target rule stays in view).
    return charts.monthly_lines(
        frame, x="month", y="value", series="series", text="text", target=indicator.target_value,
        axis_format=".0%" if indicator.is_percent else ",.0f", y_title=indicator.name(lang),
        dashed=[last_year], height=280, colors={current: charts.BLUE, last_year: charts.GRAY},
        zero=not indicator.is_percent,
    )


def _nice_step(span: float, bins: int = 20) -> float:
    if span <= 0:
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


# Above this many towns in one value bin, dots one by one no longer fit 280 px (a province stacks ~500):
# the chart counts towns per bin instead.
MOST_DOTS_IN_A_STACK = 30


def _binned(towns: pd.DataFrame, indicator: Indicator) -> tuple[pd.DataFrame, float, float, float]:
    """The towns with a value, in order, each with its bin's middle ("bin") and its place in the bin's stack,
    and the axis's low end, high end and bin width (the target kept in view)."""
    frame = towns.dropna(subset=["value"]).sort_values("value").copy()
    values = frame["value"].astype(float)
    lo, hi = float(values.min()), float(values.max())
    if indicator.target_value is not None:
        lo, hi = min(lo, indicator.target_value), max(hi, indicator.target_value)
    step = _nice_step(hi - lo) if hi > lo else (0.01 if indicator.is_percent else 1.0)
    frame["bin"] = (values / step).apply(math.floor) * step + step / 2
    frame["stack"] = frame.groupby("bin").cumcount() + 1
    return frame, lo, hi, step


def _crowded(binned: pd.DataFrame) -> bool:
    return not binned.empty and int(binned["stack"].max()) > MOST_DOTS_IN_A_STACK


def draws_counts(towns: pd.DataFrame, indicator: Indicator) -> bool:
    """Whether distribution_chart counts towns per bin (too many to draw as dots) rather than drawing each."""
    return _crowded(_binned(towns, indicator)[0])


@cached_spec
def distribution_chart(towns: pd.DataFrame, indicator: Indicator) -> alt.LayerChart:
    """Towns in value bins, coloured by band, with the target as a vertical rule: as stacked dots (every
    town's name on hover) or, when a bin holds more than MOST_DOTS_IN_A_STACK, as bars of counts."""
    lang = current_lang()
    frame, lo, hi, step = _binned(towns, indicator)
    labels = {key: t(f"public_health.band_label.{key}") for key in BAND_COLORS}
    frame["status"] = frame["band"].map(labels)
    present = [key for key in BAND_COLORS if key in set(frame["band"])]
    axis_format = ".0%" if indicator.is_percent else ",.0f"
    color = alt.Color("status:N", title=None, legend=alt.Legend(orient="top", columns=2, labelLimit=180),
                      scale=alt.Scale(domain=[labels[k] for k in present], range=[BAND_COLORS[k] for k in present]))
    marks = _count_bars(frame, indicator, step, color) if _crowded(frame) else _dots(frame, indicator, color)
    x_scale = alt.Scale(domain=[lo - step, hi + step], nice=False)
    layers: list[alt.Chart] = [marks.encode(x=alt.X("bin:Q", title=indicator.name(lang), scale=x_scale,
                                                    axis=alt.Axis(format=axis_format)))]
    if indicator.target_value is not None:
        target = pd.DataFrame({"target": [indicator.target_value], "label": [target_text(indicator)]})
        layers.append(charts.target_rule(target))
        layers.append(alt.Chart(target).mark_text(align="left", dx=4, dy=-6, baseline="top", fontSize=12,
                                                  font=charts.FONT, color=charts.TARGET_INK)
                      .encode(x="target:Q", y=alt.value(0), text="label:N"))
    return alt.layer(*layers).properties(height=280)


def _dots(frame: pd.DataFrame, indicator: Indicator, color: alt.Color) -> alt.Chart:
    lang = current_lang()
    frame["text"] = [
        f"{fmt_value(v, indicator.unit, lang=lang)} {scorecard.MARKS[b]}".strip()
        for v, b in zip(frame["value"], frame["band"], strict=True)
    ]
    frame["where"] = frame["county_name"].fillna("")
    top = int(frame["stack"].max())
    # Only what the marks read goes into the spec: a place's towns carry 20 columns otherwise.
    frame = frame[["bin", "stack", "status", "place_name", "where", "text"]]
    return alt.Chart(frame).mark_circle(size=110, opacity=0.95, stroke="white", strokeWidth=0.8).encode(
        y=alt.Y("stack:Q", title=t("public_health.towns"), axis=alt.Axis(tickMinStep=1, format="d"),
                scale=alt.Scale(domain=[0, max(top + 1, 4)])),
        color=color,
        tooltip=[alt.Tooltip("place_name:N", title=t("public_health.col_town")),
                 alt.Tooltip("where:N", title=t("public_health.col_county")),
                 alt.Tooltip("text:N", title=indicator.name(lang))],
    )


def _count_bars(frame: pd.DataFrame, indicator: Indicator, step: float, color: alt.Color) -> alt.Chart:
    """One bar a bin, its bands stacked (far below at the bottom), as high as its towns: a bin's range, band
    and count on hover. The stack is computed here: Vega-Lite does not stack a bar given its x and x2."""
    lang = current_lang()
    order = {key: rank for rank, key in enumerate(BAND_COLORS)}
    frame = frame.assign(order=frame["band"].map(order))
    counts = (frame.groupby(["bin", "order", "status"], as_index=False).size()
              .rename(columns={"size": "towns"}).sort_values(["bin", "order"]))
    counts["top"] = counts.groupby("bin")["towns"].cumsum()
    counts["base"] = counts["top"] - counts["towns"]
    counts["range"] = [f"{fmt_value(b - step / 2, indicator.unit, lang=lang)} – {fmt_value(b + step / 2, indicator.unit, lang=lang)}"
                       for b in counts["bin"]]
    counts["end"] = counts["bin"] + step / 2
    counts["bin"] = counts["bin"] - step / 2
    counts = counts[["bin", "end", "base", "top", "towns", "status", "range"]]
    return alt.Chart(counts).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x2="end:Q",
        y=alt.Y("top:Q", title=t("public_health.towns"), axis=alt.Axis(tickMinStep=1, format="d")),
        y2="base:Q",
        color=color,
        tooltip=[alt.Tooltip("range:N", title=indicator.name(lang)),
                 alt.Tooltip("status:N", title=t("public_health.col_band")),
                 alt.Tooltip("towns:Q", title=t("public_health.towns"), format=",d")],
    )


def _mark_text(indicator: Indicator, value: float) -> str:
    mark = scorecard.MARKS[band_of(indicator, value)]
    return f"{fmt_value(value, indicator.unit, lang=current_lang())} {mark}".strip()


@cached_spec
def paired_bars(standing: pd.DataFrame, codes: list[str], colors: list[str], order_by: str,
                axis_format: str = ".0%") -> alt.LayerChart | None:
    """Two (or more) indicators side by side for each place: one bar each, labelled with value and ✓/✗,
    each indicator's target as a dashed rule in its colour; places ordered by `order_by`."""
    lang = current_lang()
    catalog = indicator_catalog()
    frame = standing[standing["indicator_code"].isin(codes)].dropna(subset=["value"]).copy()
    if frame.empty:
        return None
    names = {code: catalog[code].name(lang) for code in codes}
    frame["series"] = frame["indicator_code"].map(names)
    frame["text"] = [_mark_text(catalog[c], v) for c, v in zip(frame["indicator_code"], frame["value"], strict=True)]
    ordered = (frame[frame["indicator_code"] == order_by].sort_values("value", ascending=False)["place_name"]
               .tolist())
    ordered += [p for p in dict.fromkeys(frame["place_name"]) if p not in ordered]
    domain = [names[c] for c in codes]
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=domain, range=colors),
                      sort=domain, legend=alt.Legend(orient="top", columns=1 if len(codes) > 1 else 0,
                                                     labelLimit=240))
    targets = [catalog[code].target_value for code in codes if catalog[code].target_value is not None]
    # Room to the right of the longest bar for its label.
    top = min(1.0, max([float(frame["value"].max()), *targets]) * 1.2) if axis_format.endswith("%") else (
        float(frame["value"].max()) * 1.2)
    frame = frame[["place_code", "place_name", "series", "value", "text"]]
    base = alt.Chart(frame).encode(
        y=alt.Y("place_name:N", sort=ordered, title=None, axis=alt.Axis(labelLimit=160)),
        yOffset=alt.YOffset("series:N", sort=domain),
    )
    bars = base.mark_bar(height={"band": 0.85}, cornerRadiusEnd=2).encode(
        x=alt.X("value:Q", title=None, axis=alt.Axis(format=axis_format, tickCount=5),
                scale=alt.Scale(domain=[0, top], nice=False)),
        color=color,
        tooltip=[alt.Tooltip("place_name:N", title=" "), alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("text:N", title=" ")],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=charts.spoken("place_name", "series", "text")).add_params(PLACE_CLICK)
    labels = base.mark_text(align="left", dx=3, fontSize=11, font=charts.FONT, color="#333333").encode(
        x="value:Q", text="text:N"
    )
    layers: list[alt.Chart] = [bars, labels]
    for code, colour in zip(codes, colors, strict=True):
        target = catalog[code].target_value
        if target is not None:
            layers.append(charts.target_rule(target, color=colour))
    places = frame["place_name"].nunique()
    # The height includes the legend and the axis (Streamlit fits the chart into it).
    return alt.layer(*layers).properties(height=places * 17 * len(codes) + 100)


@cached_spec
def place_bars(standing: pd.DataFrame, code: str) -> alt.LayerChart | None:
    """One indicator across places, highest first, each bar in its band's colour and labelled with the
    value and ✓/✗; the target as a dashed rule. Counts without a target are plain blue bars."""
    lang = current_lang()
    indicator = indicator_catalog()[code]
    frame = standing[standing["indicator_code"] == code].dropna(subset=["value"]).copy()
    if frame.empty:
        return None
    frame["text"] = [_mark_text(indicator, v) for v in frame["value"]]
    labels = {key: t(f"public_health.band_label.{key}") for key in BAND_COLORS}
    frame["status"] = frame["band"].map(labels)
    present = [key for key in BAND_COLORS if key in set(frame["band"])]
    judged = indicator.target is not None
    color = (alt.Color("status:N", title=None, legend=alt.Legend(orient="top", columns=1),
                       scale=alt.Scale(domain=[labels[k] for k in present], range=[BAND_COLORS[k] for k in present]))
             if judged else alt.value(charts.BLUE))
    order = frame.sort_values("value", ascending=False)["place_name"].tolist()
    frame = frame[["place_code", "place_name", "value", "text", "status"]]
    base = alt.Chart(frame).encode(y=alt.Y("place_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=140)))
    # Room to the right of the longest bar for its label; a rate's axis stops at 100%.
    top = max(float(frame["value"].max()), indicator.target_value or 0.0) * 1.25
    top = min(top, 1.0) if indicator.is_percent else top
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False),
                axis=alt.Axis(format=".0%" if indicator.is_percent else ",.0f", tickCount=4)),
        color=color,
        tooltip=[alt.Tooltip("place_name:N", title=" "), alt.Tooltip("text:N", title=indicator.name(lang))],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=charts.spoken("place_name", "text")).add_params(PLACE_CLICK)
    text = base.mark_text(align="left", dx=3, fontSize=12, font=charts.FONT, color="#333333").encode(
        x="value:Q", text="text:N"
    )
    layers: list[alt.Chart] = [bars, text]
    if indicator.target_value is not None:
        layers.append(charts.target_rule(indicator.target_value))
    # The height includes the legend and the axis (Streamlit fits the chart into it).
    return alt.layer(*layers).properties(height=26 * len(frame) + (90 if judged else 50))

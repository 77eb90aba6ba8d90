"""数据质量 charts: reporting rate by place (bars labelled with the rate in words), the monthly trend of
reporting rate and timeliness, and a flagged value in its series (the expected range as a band)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from healthdash.core.i18n import t
from healthdash.ui import charts
from healthdash.ui.chart_cache import ChartSpec, cached_spec


def rate_bars(frame: pd.DataFrame) -> ChartSpec | None:
    """Each place's reporting rate as a bar, labelled with the rate and the reports missing, lowest first."""
    if frame.empty:
        return None
    shown = frame.assign(place_name=frame["place_name"].fillna(frame["place_code"]).astype(str))
    return charts.plain_bars(shown.head(30), label="place_name", value="reporting_rate", text="label",
                             value_title=t("quality.page.reporting_rate"), axis_format=".0%", label_limit=260,
                             ticks=(0.0, 0.25, 0.5, 0.75, 1.0))


def trend_chart(frame: pd.DataFrame) -> ChartSpec | None:
    if frame.empty:
        return None
    rate, timely = t("quality.page.reporting_rate"), t("quality.page.timeliness")
    return charts.monthly_lines(frame, x="month", y="value", series="series", text="text",
                                colors={rate: charts.BLUE, timely: charts.GRAY}, dashed=[timely],
                                axis_format=".0%", zero=False, height=260)


@cached_spec
def series_chart(frame: pd.DataFrame, title: str) -> alt.LayerChart | None:
    """The series as a line, the expected range as a grey band, the flagged month as an orange point with
    its value written beside it."""
    if frame.empty:
        return None
    x = alt.X("month:T", title=None, axis=charts.month_axis(frame["month"]))
    band = alt.Chart(frame).mark_area(opacity=0.25, color=charts.LIGHT_GRAY).encode(
        x=x, y=alt.Y("low:Q", title=title), y2="high:Q",
        tooltip=[alt.Tooltip("month:T", format=charts.month_format(), title=" "),
                 alt.Tooltip("range_text:N", title=t("quality.page.col_range"))])
    line = alt.Chart(frame).mark_line(point=True, strokeWidth=2, color=charts.BLUE).encode(
        x=x, y=alt.Y("value:Q", title=title),
        tooltip=[alt.Tooltip("month:T", format=charts.month_format(), title=" "),
                 alt.Tooltip("text:N", title=t("quality.page.col_value"))])
    flagged = frame[frame["flagged"]]
    mark = alt.Chart(flagged).mark_point(size=160, filled=True, shape="diamond", color=charts.ORANGE).encode(
        x=x, y="value:Q")
    label = alt.Chart(flagged.assign(note=[t("quality.page.flagged_point", value=text) for text in flagged["text"]])
                      ).mark_text(dx=8, dy=-10, align="left", color=charts.ORANGE, fontSize=charts.LABEL_SIZE,
                                  font=charts.FONT).encode(x=x, y="value:Q", text="note:N")
    return alt.layer(band, line, mark, label).properties(height=260)

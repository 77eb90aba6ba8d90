"""情景推演 What-if charts: the indicators before and after against their targets, and the counties ranked
by one indicator after the change."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from healthdash.core import wording
from healthdash.core.fmt import fmt_value
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator, meets_target
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.whatif.data import PERCENT_CODES, RANKING_CLICK
from healthdash.ui import charts
from healthdash.ui.chart_cache import cached_spec


@cached_spec
def comparison_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Percentage indicators: a grey dot before, a coloured dot after (blue met, orange not), an arrow-like
    line between them, and the target as a black tick; the after-value is written beside the dot."""
    data = frame[frame["code"].isin(PERCENT_CODES)].dropna(subset=["before", "after"])
    catalog = indicator_catalog()
    statuses = [wording.status_word(meets_target(catalog[row.code], row.after)) for row in data.itertuples(index=False)]
    # Labels sit right of the rightmost mark of their row (before, after or target), clear of the dots.
    right = data[["before", "after"]].max(axis=1).combine(data["target"].fillna(0), max)
    data = data.assign(status=statuses, label=data["after_text"] + "（" + data["change_text"] + "）", label_x=right)
    before_label, after_label = t("whatif.before"), t("whatif.after")
    y = alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=260))
    x_axis = alt.Axis(format=".0%", title=None)
    base = alt.Chart(data).encode(y=y)
    low = min(data["before"].min(), data["after"].min(), data["target"].min(skipna=True))
    domain = [max(0.0, math.floor(low * 10) / 10 - 0.05), 1.0]
    line = base.mark_rule(strokeWidth=3, color=charts.LIGHT_GRAY).encode(
        x=alt.X("before:Q", axis=x_axis, scale=alt.Scale(domain=domain)), x2="after:Q"
    )
    before_dot = base.mark_point(filled=True, size=140, color=charts.GRAY).encode(
        x="before:Q", tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("before_text:N", title=before_label)]
    )
    after_dot = base.mark_point(filled=True, size=220, opacity=1).encode(
        x="after:Q",
        color=alt.Color("status:N", scale=charts.status_scale(*wording.status_labels()), title=after_label),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("after_text:N", title=after_label),
                 alt.Tooltip("change_text:N", title=t("whatif.col_change"))],
    )
    label = base.mark_text(align="left", dx=14, fontSize=charts.LABEL_SIZE, color="#333333").encode(
        x="label_x:Q", text="label:N"
    )
    target = base.transform_filter("datum.target != null").mark_tick(
        color="#222222", thickness=2, size=26
    ).encode(x="target:Q")
    return alt.layer(line, target, before_dot, after_dot, label).properties(height=52 * max(len(data), 1))


@cached_spec
def ranking_chart(frame: pd.DataFrame, indicator: Indicator) -> alt.LayerChart:
    """Counties in their after-order: grey dot before, coloured dot after, target as a dashed rule;
    the selected counties' names are bold when the ranking covers more than the selection."""
    lang = current_lang()
    data = frame.assign(
        status=[wording.status_word(meets_target(indicator, v)) for v in frame["after"]],
        label=[f"{fmt_value(a, indicator.unit, lang=lang)}（{t('whatif.rank_short', n=r)}）"
               for a, r in zip(frame["after"], frame["rank_after"], strict=True)],
        name=[f"{n} ★" if s and not frame["selected"].all() else n
              for n, s in zip(frame["county_name"], frame["selected"], strict=True)],
    )
    axis_format = ".0%" if indicator.is_percent else ",.2~f"
    y = alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=200))
    base = alt.Chart(data).encode(y=y)
    line = base.mark_rule(strokeWidth=3, color=charts.LIGHT_GRAY).encode(
        x=alt.X("before:Q", title=indicator.name(lang), axis=alt.Axis(format=axis_format),
                scale=alt.Scale(zero=False, nice=True)),
        x2="after:Q",
    )
    before_dot = base.mark_point(filled=True, size=90, color=charts.GRAY).encode(x="before:Q")
    after_dot = base.mark_point(filled=True, size=150, opacity=1).encode(
        x="after:Q", color=alt.Color("status:N", scale=charts.status_scale(*wording.status_labels()), title=None),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("label:N", title=t("whatif.after"))],
        description=alt.Description("aria:N"),
    ).transform_calculate(aria=charts.spoken("name", "label", "status")).add_params(
        alt.selection_point(name=RANKING_CLICK, fields=["county_code"]))
    text = base.mark_text(align="left", dx=10, fontSize=charts.LABEL_SIZE - 1, color="#333333").encode(
        x="after:Q", text="label:N"
    )
    layers = [line, before_dot, after_dot, text]
    if indicator.target_value is not None:
        layers.insert(0, charts.target_rule(indicator.target_value))
    # Streamlit fits the legend and the axis into this height too: room for them beside the rows.
    return alt.layer(*layers).properties(height=max(140, 30 * len(data)) + 70)

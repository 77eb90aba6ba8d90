"""Chart builders of the alliance and profile pages: monthly stacked bars, counts of different units as
small multiples, and the structure of an alliance as an ECharts tree (JSON options only).

Like healthdash/ui/charts.py: each builder takes a DataFrame and column names and returns a chart (or an
ECharts option dict); numbers are pre-formatted in Python, colours and fonts come from charts.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from healthdash.ui.chart_cache import cached_spec
from healthdash.ui.charts import (
    BLUE,
    FONT,
    GRAY,
    LIGHT_GRAY,
    ORANGE,
    PALETTE,
    month_axis,
    month_format,
    series_colors,
    top_legend,
)

_TIER_COLORS = {"tertiary": BLUE, "county": "#5b8fd6", "community": "#2e7d6b", "township": ORANGE,
                "village": "#f2a65a", "public_health": "#8e6bbf"}


@cached_spec
def stacked_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    text: str,
    order: list[str],
    y_title: str = "",
    height: int = 260,
) -> alt.Chart:
    """Monthly bars stacked by `series` (in `order`, first at the bottom), `text` in the tooltip."""
    colors = PALETTE[: len(order)]
    frame = frame.assign(series_rank=frame[series].map({name: rank for rank, name in enumerate(order)}))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X(f"yearmonth({x}):T", title=None, axis=month_axis(frame[x])),
        y=alt.Y(f"{y}:Q", title=y_title, stack="zero", axis=alt.Axis(format=",.0f", tickCount=5)),
        color=alt.Color(f"{series}:N", title=None, scale=alt.Scale(domain=order, range=colors),
                        sort=order),
        order=alt.Order("series_rank:Q", sort="ascending"),
        tooltip=[alt.Tooltip(f"{series}:N", title=" "),
                 alt.Tooltip(f"yearmonth({x}):T", format=month_format(), title=" "),
                 alt.Tooltip(f"{text}:N", title=y_title or " ")],
    ).properties(height=height)


@cached_spec
def lines_by_unit(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    text: str,
    order: list[str],
    units: dict[str, str],
    height: int = 260,
) -> alt.VConcatChart:
    """Monthly lines as small multiples, one panel per unit: `units` maps each series to the title of its
    unit ('次', '台次', '人'), the series of one unit share a panel and its y axis is titled with that unit,
    so that sessions and people are never read off one scale. Panels stack over one month axis (labelled
    under the last) and one legend; `height` is shared out by the number of series in each panel."""
    colors = series_colors(order)
    color = alt.Color(f"{series}:N", title=None, scale=alt.Scale(domain=order, range=[colors[n] for n in order]),
                      sort=order, legend=top_legend(order))
    groups: dict[str, list[str]] = {}
    for name in order:
        groups.setdefault(units[name], []).append(name)
    spare = max(0, height - 60 * len(groups))
    panels = []
    for index, (unit, names) in enumerate(groups.items()):
        last = index == len(groups) - 1
        axis = month_axis(frame[x]) if last else alt.Axis(labels=False, ticks=False, title=None)
        panels.append(alt.Chart(frame[frame[series].isin(names)]).mark_line(point=True, strokeWidth=2.5).encode(
            x=alt.X(f"{x}:T", title=None, axis=axis),
            y=alt.Y(f"{y}:Q", title=unit, axis=alt.Axis(format=",.0f", tickCount=3, tickMinStep=1)),
            color=color,
            tooltip=[alt.Tooltip(f"{series}:N", title=" "), alt.Tooltip(f"{x}:T", format=month_format(), title=" "),
                     alt.Tooltip(f"{text}:N", title=unit)],
        ).properties(height=60 + round(spare * len(names) / len(order))))
    return alt.vconcat(*panels, spacing=8).resolve_scale(x="shared", color="shared")


def alliance_tree(
    lead: str,
    groups: list[tuple[str, str, list[tuple[str, str]]]],
) -> tuple[dict, int]:
    """An ECharts tree of an alliance: the lead on the left, one node per tier group, members as leaves.

    `groups`: (tier code, group label, [(member label, tooltip text)]). Returns (option, height in px),
    the height growing with the number of members so that labels do not overlap.
    """
    children = []
    for tier, label, items in groups:
        color = _TIER_COLORS.get(tier, GRAY)
        children.append({
            "name": label,
            "itemStyle": {"color": color, "borderColor": color},
            "label": {"fontWeight": "bold"},
            "children": [
                {"name": name, "value": note, "itemStyle": {"color": color, "borderColor": color}}
                for name, note in items
            ],
        })
    leaves = sum(len(items) for _, _, items in groups)
    height = max(220, min(1400, 21 * leaves + 60))
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>{c}"},
        "series": [{
            "type": "tree",
            "data": [{
                "name": lead,
                "itemStyle": {"color": BLUE, "borderColor": BLUE},
                "symbolSize": 16,
                # Above its node: on the left it would need a wide margin and crowd the tier labels.
                "label": {"fontSize": 15, "fontWeight": "bold", "position": "top", "align": "center",
                          "verticalAlign": "bottom", "distance": 10},
                "children": children,
            }],
            "orient": "LR",
            "top": 30,
            "bottom": 20,
            "left": 90,
            "right": 300,
            "symbolSize": 9,
            "initialTreeDepth": -1,
            "expandAndCollapse": False,
            "roam": False,
            "label": {"position": "left", "verticalAlign": "middle", "align": "right", "fontSize": 13,
                      "fontFamily": FONT, "color": "#31333f"},
            "leaves": {"label": {"position": "right", "verticalAlign": "middle", "align": "left"}},
            "lineStyle": {"color": LIGHT_GRAY, "width": 1.5, "curveness": 0.5},
            "animationDuration": 300,
            "animationDurationUpdate": 300,
        }],
    }
    return option, height

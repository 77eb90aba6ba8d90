"""The ECharts option of a referral flow (Sankey) diagram between tiers: a pure function of the flows.

ECharts refuses to draw a Sankey with a cycle, and referrals run both ways (a township refers up to the
county hospital, which refers down to it). So senders and receivers are separate node columns —
"乡镇卫生院（转出）" on the left, "县级医院（接收）" on the right — and every link runs left to right.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

import pandas as pd

from healthdash.ui import charts

# Up in the dashboard's blue, the leak out of the county in its warning orange; down and back in
# colours that stay apart from both on a washed-out projector.
DIRECTION_COLORS: dict[str, str] = {
    "up": charts.BLUE,
    "down": "#2e7d6b",
    "out_of_county": charts.ORANGE,
    "returned": "#8e6bbf",
}

# Top to bottom in each column: up the ladder, then out of the county.
TIER_ORDER: tuple[str, ...] = ("village", "township", "community", "county", "tertiary", "outside")
NODE_COLOR = "#5f6b7a"
LABEL_SIZE = 14
# Widest a node label may run beside its column before it wraps: English labels on one line left the flows
# a 60 px strip between two columns of text.
LABEL_ROOM = 190


def text_width(text: str, size: int = LABEL_SIZE) -> int:
    """Rough width of a label in pixels: wide (CJK) characters are one em, others about 0.6 em."""
    return round(sum(size if unicodedata.east_asian_width(char) in ("W", "F") else 0.6 * size for char in text))


def wrap_label(text: str, room: int = LABEL_ROOM) -> str:
    """`text` broken at spaces into lines of at most `room` pixels (a word wider than that keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def node_names(tiers: Mapping[str, str], sent: str, received: str) -> dict[tuple[str, str], str]:
    """Node name of every (side, tier): side 'from' uses the `sent` template, 'to' the `received` one."""
    return {
        (side, tier): template.format(tier=name)
        for side, template in (("from", sent), ("to", received))
        for tier, name in tiers.items()
    }


def sankey_spec(
    flows: pd.DataFrame,
    *,
    tier_names: Mapping[str, str],
    sent: str,
    received: str,
    direction_colors: Mapping[str, str],
    value_text: Callable[[float], str],
    value_format: str,
    font: str | None = None,
) -> dict:
    """The option dict for st.echarts_chart.

    `flows` has columns from_tier, to_tier, direction, referrals (tiers as in TIER_ORDER, 'outside' for
    places outside the county). `tier_names` names every tier; `sent` / `received` are templates such as
    "{tier}（转出）". Links are coloured by their direction (the largest, when one pair mixes several);
    node labels carry their total formatted by `value_text`; tooltips use `value_format` (a printf-style
    format Streamlit applies, e.g. "%,d 人次").
    """
    names = node_names(tier_names, sent, received)
    # Plain dictionaries: the frames are a few dozen rows, and pandas' group-bys would cost more than the rest.
    by_direction: dict[tuple[str, str], dict[str, float]] = {}
    totals: dict[tuple[str, str], float] = {}
    for source, target, direction, count in flows[["from_tier", "to_tier", "direction", "referrals"]].itertuples(
        index=False, name=None
    ):
        if not count > 0:
            continue
        pair = by_direction.setdefault((str(source), str(target)), {})
        pair[str(direction)] = pair.get(str(direction), 0.0) + float(count)
        totals[("from", str(source))] = totals.get(("from", str(source)), 0.0) + float(count)
        totals[("to", str(target))] = totals.get(("to", str(target)), 0.0) + float(count)
    links = [
        {
            "source": names[("from", source)],
            "target": names[("to", target)],
            "value": sum(directions.values()),
            "lineStyle": {"color": direction_colors.get(max(directions, key=directions.__getitem__), NODE_COLOR)},
        }
        for (source, target), directions in sorted(by_direction.items(), key=lambda item: -sum(item[1].values()))
    ]
    rank = {tier: index for index, tier in enumerate(TIER_ORDER)}
    ordered = sorted(totals, key=lambda node: (node[0] != "from", rank.get(node[1], len(rank)), node[1]))
    nodes = [
        {
            "name": names[node],
            "itemStyle": {"color": NODE_COLOR},
            "label": {
                "position": "left" if node[0] == "from" else "right",
                "formatter": wrap_label(f"{names[node]}  {value_text(totals[node])}"),
            },
        }
        for node in ordered
    ]
    # Each column's labels sit outside it: leave exactly the room the longest one needs.
    margins = {
        side: max((text_width(line) for node, key in zip(nodes, ordered, strict=True) if key[0] == side
                   for line in node["label"]["formatter"].split("\n")), default=0) + 16
        for side in ("from", "to")
    }
    label_style = {"fontSize": LABEL_SIZE, "color": "#333333"}
    if font:
        label_style["fontFamily"] = font
    return {
        "tooltip": {"trigger": "item", "valueFormatter": value_format},
        "series": [{
            "type": "sankey",
            "left": margins["from"],
            "right": margins["to"],
            "top": 10,
            "bottom": 10,
            "nodeWidth": 16,
            "nodeGap": 14,
            "nodeAlign": "justify",
            # Keep the nodes in the order given (the tier ladder) instead of ECharts' own arrangement.
            "layoutIterations": 0,
            "draggable": False,
            "emphasis": {"focus": "adjacency"},
            "label": label_style,
            "lineStyle": {"opacity": 0.45, "curveness": 0.5},
            "data": nodes,
            "links": links,
        }],
    }

"""The flow (Sankey) diagram's option: ECharts draws it only when it is acyclic and every link joins two
declared nodes. Checked on hand-made flows and on the demo for every place and tier combination."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import combinations
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import TIERS, Filters
from healthdash.domains.referrals.charts import (
    DIRECTION_COLORS,
    LABEL_ROOM,
    TIER_ORDER,
    sankey_spec,
    text_width,
)
from tests.support.reading import execute

TIER_NAMES = {"village": "村卫生室", "township": "乡镇卫生院", "community": "社区卫生服务中心", "county": "县级医院",
              "tertiary": "市级/三级医院", "outside": "县外"}


def spec(flows: pd.DataFrame) -> dict:
    return sankey_spec(flows, tier_names=TIER_NAMES, sent="{tier}（转出）", received="{tier}（接收）",
                       direction_colors=DIRECTION_COLORS, value_text=lambda v: f"{v:,.0f}",
                       value_format="%,d 人次")


def assert_drawable(option: dict) -> None:
    series = option["series"][0]
    names = [node["name"] for node in series["data"]]
    assert len(names) == len(set(names)), "node names are unique"
    links = series["links"]
    assert all(link["source"] in names and link["target"] in names for link in links), "links join declared nodes"
    assert all(link["value"] > 0 for link in links)
    # Acyclic: repeatedly remove nodes without incoming links (Kahn); a cycle would leave some behind.
    incoming = {name: 0 for name in names}
    for link in links:
        incoming[link["target"]] += 1
    ready = [name for name, count in incoming.items() if count == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for link in links:
            if link["source"] == node:
                incoming[link["target"]] -= 1
                if incoming[link["target"]] == 0:
                    ready.append(link["target"])
    assert removed == len(names), "the flow diagram has a cycle"


def test_two_way_flows_become_two_columns() -> None:
    flows = pd.DataFrame(
        [("township", "county", "up", 120), ("county", "township", "down", 80), ("county", "outside", "out_of_county", 30),
         ("outside", "county", "returned", 12), ("village", "township", "up", 0)],
        columns=["from_tier", "to_tier", "direction", "referrals"],
    )
    option = spec(flows)
    assert_drawable(option)
    series = option["series"][0]
    names = [node["name"] for node in series["data"]]
    # Senders first, in ladder order, then receivers; the zero flow is dropped with its nodes.
    assert names == ["乡镇卫生院（转出）", "县级医院（转出）", "县外（转出）", "乡镇卫生院（接收）", "县级医院（接收）", "县外（接收）"]
    up = next(link for link in series["links"] if link["source"] == "乡镇卫生院（转出）")
    assert up["target"] == "县级医院（接收）" and up["value"] == 120
    assert up["lineStyle"]["color"] == DIRECTION_COLORS["up"]
    sender = next(node for node in series["data"] if node["name"] == "县级医院（转出）")
    assert sender["label"]["formatter"].endswith("110") and sender["label"]["position"] == "left"


def test_mixed_directions_between_two_tiers_make_one_link_coloured_by_the_larger() -> None:
    flows = pd.DataFrame([("tertiary", "county", "down", 50), ("tertiary", "county", "returned", 20)],
                         columns=["from_tier", "to_tier", "direction", "referrals"])
    links = spec(flows)["series"][0]["links"]
    assert len(links) == 1 and links[0]["value"] == 70
    assert links[0]["lineStyle"]["color"] == DIRECTION_COLORS["down"]


def test_no_flows_give_an_empty_but_valid_option() -> None:
    option = spec(pd.DataFrame(columns=["from_tier", "to_tier", "direction", "referrals"]))
    assert option["series"][0]["data"] == [] and option["series"][0]["links"] == []


def test_every_place_and_tier_combination_of_the_demo_draws(demo_db: Path) -> None:
    """Every city and county (and everything) with every non-empty set of tiers. The tier filter picks
    home facilities by tier, so a set's flows are the sum of its tiers' flows: one query per place and
    tier (checked against the all-tier query), then every combination is summed and drawn."""
    keys = ["from_tier", "to_tier", "direction"]
    tier_sets = [combo for size in range(1, len(TIERS) + 1) for combo in combinations(TIERS, size)]
    drawn = 0
    with duckdb.connect(str(demo_db), read_only=True) as con:
        places = con.execute("""
            select c.code as city, null as county from region c where c.level = 'city' and c.in_scope
            union all
            select k.parent_code, k.code from region k where k.level = 'county' and k.in_scope
            union all
            select null, null
        """).fetchall()
        for city, county in places:
            def flows(tiers: tuple[str, ...], city: str | None = city, county: str | None = county) -> pd.DataFrame:
                filters = Filters(date(2025, 1, 1), date(2025, 12, 1), city=city, county=county, tiers=tiers)
                return execute(con, "referral_tier_flows", {**filters.sql_params(), "facility": None})

            by_tier = {tier: Counter({tuple(key): float(count) for *key, count in
                                      flows((tier,))[[*keys, "referrals"]].itertuples(index=False, name=None)})
                       for tier in TIERS}
            everything = flows(TIERS)
            assert sum(by_tier.values(), Counter()) == Counter(
                {tuple(key): float(count) for *key, count in everything[[*keys, "referrals"]].itertuples(
                    index=False, name=None)})
            for tiers in tier_sets:
                summed = sum((by_tier[tier] for tier in tiers), Counter())
                subset = pd.DataFrame([(*key, count) for key, count in summed.items()], columns=[*keys, "referrals"])
                assert set(subset["from_tier"]) | set(subset["to_tier"]) <= set(TIER_ORDER)
                assert_drawable(spec(subset))
                drawn += not subset.empty
    assert drawn > len(places) * 20, "most combinations have flows to draw"


@pytest.mark.parametrize("tiers", [("township",), ("county", "tertiary")])
def test_a_facility_in_focus_still_draws(demo_db: Path, tiers: tuple[str, ...]) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        county, hospital = con.execute("""
            select g.county_code, g.facility_code from facility_geo g
            where g.tier = 'county' and g.in_scope order by g.facility_code limit 1
        """).fetchone()
        filters = Filters(date(2025, 1, 1), date(2025, 12, 1), county=county, tiers=tiers)
        flows = execute(con, "referral_tier_flows", {**filters.sql_params(), "facility": hospital})
    assert not flows.empty
    assert_drawable(spec(flows))


def test_english_labels_wrap_so_the_flows_keep_the_middle() -> None:
    tiers = {"township": "Township health centre", "county": "County hospital", "outside": "Outside"}
    flows = pd.DataFrame({"from_tier": ["township", "county"], "to_tier": ["county", "outside"],
                          "direction": ["up", "out_of_county"], "referrals": [37_900.0, 14_800.0]})
    spec = sankey_spec(flows, tier_names=tiers, sent="{tier} (sends)", received="{tier} (receives)",
                       direction_colors={}, value_text=lambda value: f"{value / 1000:.1f}k", value_format="%,d")
    series = spec["series"][0]
    labels = [node["label"]["formatter"] for node in series["data"]]
    assert "Township health centre\n(sends) 37.9k" in labels
    assert all(text_width(line) <= LABEL_ROOM for label in labels for line in label.split("\n"))
    # One line each, the labels took 560 px of a 790 px chart and left the flows a 60 px strip.
    assert max(series["left"], series["right"]) <= LABEL_ROOM + 16

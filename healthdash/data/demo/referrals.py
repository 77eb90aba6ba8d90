"""Referral events, one row each, drawn without a Python loop per event.

Who may refer to whom comes from candidate routes (village → its township centre, township → county
hospitals, county → city or provincial hospitals, ...). The direction of every route is decided by the
referral_direction macro of data/macros.sql, the same rule the load validator applies, so the demo can
never disagree with it. Counts per sender × month × direction are drawn from expected values (which
calibrate.py may pin), then expanded with np.repeat; receivers, days, chapters and flags are vectorised.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from healthdash.core.paths import MACROS_SQL
from healthdash.data.demo.calendar import MONTHS, N_MONTHS, T_YEARS, season
from healthdash.data.demo.generate import noise, trend
from healthdash.data.demo.targets import Target, draw_counts

DIRECTIONS = ("up", "down", "out_of_county", "returned")

# Sizes the whole demo: scale 1 gives about 1.25 million events over the nine years, scale 8 about 10 million.
_VOLUME = 1.4
# Referrals a year per sender: per facility + per bed, by (tier, direction).
_RATES = {
    ("village", "up"): (24, 0.0),
    ("township", "up"): (140, 0.0), ("township", "down"): (10, 0.0), ("township", "out_of_county"): (15, 0.0),
    ("community", "up"): (150, 0.0), ("community", "out_of_county"): (8, 0.0),
    ("county", "up"): (0, 1.0), ("county", "down"): (0, 0.4), ("county", "out_of_county"): (0, 0.8),
    ("tertiary", "down"): (0, 0.5), ("tertiary", "returned"): (0, 0.2), ("tertiary", "out_of_county"): (0, 0.08),
}
_PROVINCIAL_RETURNS_PER_BED = 0.1
# Yearly trend by direction: the policy brings patients down and keeps them in the county.
_GROWTH = {"up": 0.03, "down": 0.12, "out_of_county": -0.06, "returned": 0.08}

# ICD-10 chapters and their weights by direction: emergencies and cancers go up, recovery and chronic care down.
_CHAPTERS = ("I", "II", "IV", "V", "VI", "IX", "X", "XI", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX")
_CHAPTER_WEIGHTS = {
    "up": (2, 14, 4, 1, 4, 22, 14, 9, 4, 5, 6, 2, 1, 3, 12),
    "out_of_county": (2, 20, 4, 1, 5, 22, 8, 8, 4, 5, 5, 2, 2, 2, 10),
    "down": (1, 12, 14, 3, 5, 28, 8, 4, 18, 2, 1, 0, 0, 1, 8),
    "returned": (1, 20, 8, 2, 6, 26, 6, 5, 12, 2, 1, 0, 0, 1, 10),
}
_LAST_DAYS_PENDING = np.datetime64("2025-12-18")


def _candidates(geo: pd.DataFrame) -> pd.DataFrame:
    """Every (sender, receiver, weight) a referral may take; the macro decides each one's direction."""
    active = geo[geo["tier"] != "public_health"]
    hospital_w = active["beds"] / 100
    provincial = active[~active["in_scope"]]
    province_of = provincial.assign(province=provincial["city_code"].str[:2])

    def pairs(senders: pd.DataFrame, receivers: pd.DataFrame, on: list[tuple[str, str]], weight: pd.Series | float) -> pd.DataFrame:
        left = senders.assign(_k=[tuple(r) for r in senders[[a for a, _ in on]].to_numpy()])
        right = receivers.assign(_k=[tuple(r) for r in receivers[[b for _, b in on]].to_numpy()],
                                 _w=weight if np.isscalar(weight) else weight.loc[receivers.index])
        merged = left[["code", "_k", "category"]].merge(right[["code", "_k", "_w", "category"]], on="_k", suffixes=("_from", "_to"))
        return merged.rename(columns={"code_from": "from_code", "code_to": "to_code", "_w": "weight"})

    by_tier = {tier: active[active["tier"] == tier] for tier in ("village", "township", "community", "county", "tertiary")}
    primary = pd.concat([by_tier["township"], by_tier["community"]])
    in_scope_tertiary = by_tier["tertiary"][by_tier["tertiary"]["in_scope"]]
    with_province = active.assign(province=active["city_code"].str[:2])
    parts = [
        pairs(by_tier["village"], by_tier["township"], [("town_code", "town_code")], 30.0),
        pairs(by_tier["village"], by_tier["county"], [("county_code", "county_code")], hospital_w),
        pairs(primary, by_tier["county"], [("county_code", "county_code")], hospital_w),
        pairs(primary, in_scope_tertiary, [("city_code", "city_code")], hospital_w * 0.5),
        pairs(primary, by_tier["village"], [("town_code", "town_code")], 1.0),
        pairs(by_tier["county"], in_scope_tertiary, [("city_code", "city_code")], hospital_w),
        pairs(by_tier["county"], primary, [("county_code", "county_code")], 5.0),
        pairs(in_scope_tertiary, by_tier["county"], [("city_code", "city_code")], hospital_w),
        pairs(in_scope_tertiary, primary, [("city_code", "city_code")], 3.0),
        pairs(with_province[with_province["in_scope"] & with_province["tier"].isin(["township", "community", "county", "tertiary"])],
              province_of, [("province", "province")], hospital_w),
        pairs(province_of, with_province[with_province["in_scope"] & with_province["tier"].isin(["county", "tertiary"])],
              [("province", "province")], hospital_w),
    ]
    routes = pd.concat(parts, ignore_index=True)
    # Psychiatric patients stay within psychiatric care; maternity cases seldom go to a general county hospital's peer.
    psych_mismatch = (routes["category_from"] == "psychiatric") != (routes["category_to"] == "psychiatric")
    hospital_receiver = routes["to_code"].isin(active.loc[active["tier"].isin(["county", "tertiary"]), "code"])
    routes.loc[psych_mismatch & hospital_receiver, "weight"] *= 0.05
    routes.loc[routes["category_to"] == "maternal_child", "weight"] *= 0.4
    return routes.groupby(["from_code", "to_code"], as_index=False)["weight"].sum()


def routes(geo: pd.DataFrame) -> pd.DataFrame:
    """Candidate routes with their direction from the SQL rule; routes the rule rejects are dropped."""
    candidates = _candidates(geo)
    columns = ["code", "tier", "county_code", "city_code", "county_urban", "in_scope"]
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        con.execute(MACROS_SQL.read_text(encoding="utf-8"))
        con.register("candidates", candidates)
        con.register("geo", geo[columns])
        classified = con.execute("""
            select c.from_code, c.to_code, c.weight, referral_direction(s, r) as direction,
            from candidates c
            join geo s on s.code = c.from_code
            join geo r on r.code = c.to_code
            order by c.from_code, direction, c.to_code
        """).df()
    finally:
        con.close()
    return classified[classified["direction"].notna()].reset_index(drop=True)


def expected_cells(geo: pd.DataFrame, route_table: pd.DataFrame, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    """Expected referrals per sender × direction × month, for every (sender, direction) with a route."""
    groups = route_table[["from_code", "direction"]].drop_duplicates().reset_index(drop=True)
    senders = geo.set_index("code").loc[groups["from_code"]]
    tier, beds = senders["tier"].to_numpy(), senders["beds"].to_numpy(dtype=np.float64)
    rate = np.zeros(len(groups))
    for i, (t, d) in enumerate(zip(tier, groups["direction"], strict=True)):
        per_facility, per_bed = _RATES.get((t, d), (0, 0.0))
        rate[i] = per_facility + per_bed * beds[i]
    provincial = ~senders["in_scope"].to_numpy()
    rate = np.where(provincial & (groups["direction"] == "returned"), beds * _PROVINCIAL_RETURNS_PER_BED, rate)
    rate = np.where((groups["direction"] == "out_of_county") & senders["county_urban"].to_numpy(), rate * 0.25, rate)
    codes, county_index = np.unique(senders["county_code"].to_numpy(dtype=str), return_inverse=True)
    growth = groups["direction"].map(_GROWTH).to_numpy() + rng.normal(0, 0.02, len(codes))[county_index]
    growth = growth + rng.normal(0, 0.02, len(groups))
    level = rate * noise(rng, (len(groups),), 0.25) * _VOLUME * scale / 12
    monthly = level[:, None] * trend(growth) * season("flat")[None, :] * np.sqrt(season("outpatient"))[None, :]
    cells = groups.loc[groups.index.repeat(N_MONTHS)].reset_index(drop=True)
    cells["county_code"] = np.repeat(senders["county_code"].to_numpy(), N_MONTHS)
    cells["tier"] = np.repeat(tier, N_MONTHS)
    cells["t"] = np.tile(np.arange(N_MONTHS), len(groups))
    cells["referrals"] = monthly.ravel()
    return cells[cells["referrals"] > 0].reset_index(drop=True)


def events(geo: pd.DataFrame, route_table: pd.DataFrame, cells: pd.DataFrame, targets: list[Target],
           rngs: dict[str, np.random.Generator]) -> pa.Table:
    """Draw the counts (pinning targets), then one row per referral as an Arrow table ordered by date."""
    cells = cells.copy()
    draw_counts(cells, targets, ("referrals",), rngs["referral_cells"])
    rng = rngs["referral_events"]
    kept = cells["referrals"].to_numpy()
    # A few referrals are cancelled on top of those that happened; calibrated totals count only the latter.
    cancelled = rng.binomial(kept, 0.02)
    total = kept + cancelled
    n = int(total.sum())

    codes = geo["code"].to_numpy(dtype=str)
    code_index = pd.Index(codes)
    group_keys = pd.MultiIndex.from_frame(route_table[["from_code", "direction"]]).drop_duplicates()
    route_group = group_keys.get_indexer(pd.MultiIndex.from_frame(route_table[["from_code", "direction"]]))
    # Cumulative weights within each group, shifted by the group number: group g occupies (g, g + 1], so
    # one searchsorted of g + uniform picks a receiver of group g for every event at once.
    weight = route_table["weight"].to_numpy(dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, route_group[1:] != route_group[:-1]])
    sizes = np.diff(np.r_[starts, len(weight)])
    running = np.cumsum(weight)
    within = running - np.repeat(running[starts] - weight[starts], sizes)
    cum = within / np.repeat(within[starts + sizes - 1], sizes)
    cum[starts + sizes - 1] = 1.0
    cum += route_group
    receivers = code_index.get_indexer(route_table["to_code"]).astype(np.int32)

    cell_group = group_keys.get_indexer(pd.MultiIndex.from_frame(cells[["from_code", "direction"]]))
    rep = np.repeat(np.arange(len(cells), dtype=np.int32), total)
    route = np.searchsorted(cum, cell_group[rep] + rng.random(n), side="right")
    to_idx = receivers[route]
    from_idx = code_index.get_indexer(cells["from_code"]).astype(np.int32)[rep]
    direction = pd.Index(DIRECTIONS).get_indexer(cells["direction"]).astype(np.int8)[rep]
    t = cells["t"].to_numpy(dtype=np.int16)[rep]

    month_start = MONTHS.to_numpy().astype("datetime64[D]")
    days_in_month = np.asarray(MONTHS.days_in_month)
    dates = month_start[t] + (rng.random(n) * days_in_month[t]).astype(np.int64)

    chapter = np.empty(n, dtype=np.int8)
    for d, name in enumerate(DIRECTIONS):
        where = np.flatnonzero(direction == d)
        weights = np.array(_CHAPTER_WEIGHTS[name], dtype=np.float64)
        chapter[where] = rng.choice(len(_CHAPTERS), size=len(where), p=weights / weights.sum())
    category = geo["category"].to_numpy(dtype=str)
    psychiatric = (category == "psychiatric")[from_idx] | (category == "psychiatric")[to_idx]
    chapter[psychiatric & (rng.random(n) < 0.9)] = _CHAPTERS.index("V")
    maternity = (category == "maternal_child")[to_idx] & (rng.random(n) < 0.6)
    chapter[maternity] = _CHAPTERS.index("XV")

    # Green channels serve emergencies going up: their share of up-referrals rises from 20% to 40%.
    green_share = {"up": 0.20 + 0.20 * T_YEARS / T_YEARS[-1], "down": 0.03, "out_of_county": 0.12, "returned": 0.03}
    green_share = np.stack([np.broadcast_to(green_share[d], (N_MONTHS,)) for d in DIRECTIONS])
    green = rng.random(n) < green_share[direction, t]

    start = np.repeat(np.cumsum(total) - total, total)
    is_cancelled = (np.arange(n) - start) >= np.repeat(kept, total)
    pending = ~is_cancelled & (dates >= _LAST_DAYS_PENDING) & (rng.random(n) < 0.5)
    status = np.where(is_cancelled, 2, np.where(pending, 1, 0)).astype(np.int8)

    order = np.argsort(dates, kind="stable")

    def dictionary(indices: np.ndarray, values: tuple[str, ...] | np.ndarray) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(indices[order]), pa.array(list(values), pa.string()))

    return pa.table({
        "referral_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "referral_date": pa.array(dates[order]),
        "from_facility": dictionary(from_idx, codes),
        "to_facility": dictionary(to_idx, codes),
        "direction": dictionary(direction, DIRECTIONS),
        "disease_chapter": dictionary(chapter, _CHAPTERS),
        "green_channel": pa.array(green[order]),
        "status": dictionary(status, ("completed", "pending", "cancelled")),
    })

"""Figures of the referrals page (双向转诊): the page's queries and the pure shaping of their results.

Every function that touches the database reads a rollup through run_query; the shaping functions take
DataFrames and plain values, so tests check them without Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from healthdash.core import exports
from healthdash.core.filters import Filters, add_months, as_date, months_between
from healthdash.core.fmt import fmt_count, fmt_month, fmt_value, fmt_wan
from healthdash.core.icd10 import chapter_name
from healthdash.core.indicators import growth
from healthdash.data.db import run_query

DIRECTIONS: tuple[str, ...] = ("up", "down", "out_of_county", "returned")
HEADLINE: list[str] = [
    "up_referrals",
    "down_referrals",
    "out_of_county_referrals",
    "returned_referrals",
    "down_up_ratio",
    "out_of_county_referral_rate",
    "green_channel_share",
    "down_referral_growth",
]
TREND_MIN_MONTHS = 12
MATRIX_TOP = 10
RECEIVERS_TOP = 10
TOP_CHAPTERS = 3


# ---------------------------------------------------------------------------------------------- queries


def _params(filters: Filters, facility: str | None) -> dict[str, object]:
    return {**filters.sql_params(), "facility": facility or None}


def monthly(filters: Filters, facility: str | None = None) -> pd.DataFrame:
    first, last = trend_window(filters.month_from, filters.month_to)
    params = _params(filters, facility) | {"month_from": first, "month_to": last}
    return run_query("referrals_by_month", **params)


def tier_flows(filters: Filters, facility: str | None = None) -> pd.DataFrame:
    return run_query("referral_tier_flows", **_params(filters, facility))


def facility_pairs(filters: Filters, facility: str | None = None, top: int = MATRIX_TOP) -> pd.DataFrame:
    return run_query("referral_facility_pairs", top=top, **_params(filters, facility))


def out_of_county(filters: Filters, facility: str | None = None) -> pd.DataFrame:
    return run_query("referral_out_of_county_receivers", **_params(filters, facility))


def by_facility(filters: Filters) -> pd.DataFrame:
    return run_query("referral_by_facility", **filters.sql_params())


# ---------------------------------------------------------------------------------------------- shaping


def trend_window(month_from: date, month_to: date) -> tuple[date, date]:
    """Months a trend shows: the selected period, stretched back to a year when it is shorter, so that a
    single month or quarter still shows where it sits in the year."""
    if months_between(month_from, month_to) >= TREND_MIN_MONTHS:
        return month_from, month_to
    return add_months(month_to, -(TREND_MIN_MONTHS - 1)), month_to


def trend_frame(
    frame: pd.DataFrame, first: date, last: date, *, this_period: str, last_year: str, lang: str = "zh"
) -> pd.DataFrame:
    """Months `first`..`last` of each direction, with the same months a year earlier beside them.

    Returns columns direction, series (`this_period` or `last_year`), month (the month it is drawn at:
    last year's figures sit under this year's months), referrals, text (for tooltips). Months without
    referrals count zero (a referral flow, not a missing report), but last year is left out where the data
    do not reach back that far.
    """
    values = {
        (str(row.direction), as_date(row.month)): float(row.referrals)
        for row in frame.itertuples(index=False)
    }
    months = [add_months(first, i) for i in range(months_between(first, last))]
    earliest = min((month for _, month in values), default=None)
    rows = []
    for direction in DIRECTIONS:
        for month in months:
            count = values.get((direction, month), 0.0)
            rows.append((direction, this_period, month, count, f"{fmt_month(month, lang)}：{fmt_count(count)}"))
            before = add_months(month, -12)
            if earliest is not None and before >= earliest:
                count = values.get((direction, before), 0.0)
                rows.append((direction, last_year, month, count, f"{fmt_month(before, lang)}：{fmt_count(count)}"))
    result = pd.DataFrame(rows, columns=["direction", "series", "month", "referrals", "text"])
    result["month"] = pd.to_datetime(result["month"])
    return result


def matrix_frame(pairs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Pairs of the hospital matrix with a cell label and the order of rows and columns (largest first)."""
    if pairs.empty:
        return pairs.assign(text=pd.Series(dtype="string"), dark=pd.Series(dtype=bool))
    frame = pairs.copy()
    frame["text"] = [fmt_wan(value, lang=lang) for value in frame["referrals"]]
    # White labels on the darker half of the colour scale.
    frame["dark"] = frame["referrals"] > frame["referrals"].max() * 0.5
    return frame


def facility_volume(frame: pd.DataFrame) -> pd.Series:
    """Each facility's referrals sent and received in the period (by_facility's rows): what ranks the
    busiest when a table lists only some."""
    return frame[["up_sent", "down_sent", "out_of_county_sent", "returned_received", "up_received",
                  "down_received"]].sum(axis=1)


def receivers(frame: pd.DataFrame, lang: str = "zh", top: int = RECEIVERS_TOP) -> pd.DataFrame:
    """The largest receivers outside the county: referrals, share of all out-of-county referrals, growth
    on the comparison period and the main disease groups.

    Columns: to_facility, to_name, place, referrals, share, change, chapters.
    """
    columns = ["to_facility", "to_name", "place", "referrals", "share", "change", "chapters"]
    if frame.empty or frame["referrals"].sum() == 0:
        return pd.DataFrame(columns=columns)
    total = frame["referrals"].sum()
    # the largest first, then their disease groups: a province has thousands of receivers
    sums = frame.groupby("to_facility", sort=False)[["referrals", "base_referrals"]].sum().reset_index()
    largest = sums[sums["referrals"] != 0].sort_values(["referrals", "to_facility"], ascending=[False, True]).head(top)
    rows = []
    for code, current, base in zip(largest["to_facility"], largest["referrals"].astype(float),
                                   largest["base_referrals"].astype(float), strict=True):
        group = frame[frame["to_facility"] == code]
        main = group[group["referrals"] > 0].sort_values(["referrals", "disease_chapter"], ascending=[False, True])
        chapters = "、".join(chapter_name(chapter, lang) for chapter in main["disease_chapter"].head(TOP_CHAPTERS))
        first = group.iloc[0]
        city, county = first["to_city"], first["to_county"]
        place = county if pd.isna(city) or str(county).startswith(str(city)) else f"{city}{county}"
        rows.append((code, first["to_name"], place, current, current / total, growth(current, base), chapters))
    result = pd.DataFrame(rows, columns=columns)
    return result.sort_values(["referrals", "to_facility"], ascending=[False, True]).head(top).reset_index(drop=True)


def diseases(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Out-of-county referrals by ICD-10 chapter, largest first.

    Columns: disease_chapter, name, referrals, share, change, text (count and share for the bar label).
    """
    columns = ["disease_chapter", "name", "referrals", "share", "change", "text"]
    if frame.empty or frame["referrals"].sum() == 0:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("disease_chapter", as_index=False)[["referrals", "base_referrals"]].sum()
    grouped = grouped[grouped["referrals"] > 0]
    total = grouped["referrals"].sum()
    result = pd.DataFrame({
        "disease_chapter": grouped["disease_chapter"].astype(str),
        "name": [chapter_name(code, lang) for code in grouped["disease_chapter"]],
        "referrals": grouped["referrals"].astype(float),
        "share": grouped["referrals"] / total,
        "change": [growth(float(c), float(b)) for c, b in zip(grouped["referrals"], grouped["base_referrals"], strict=True)],
    })
    result["text"] = [f"{fmt_count(c)} · {fmt_value(s, '%', lang=lang)}" for c, s in zip(result["referrals"], result["share"], strict=True)]
    return result.sort_values(["referrals", "disease_chapter"], ascending=[False, True]).reset_index(drop=True)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    """numerator / denominator × scale, empty where the denominator is zero."""
    values = numerator.astype(float) / denominator.astype(float).where(denominator > 0)
    return (values * scale).round(4 if scale == 1.0 else 2)


def facility_table(frame: pd.DataFrame, headers: Mapping[str, str], tier_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per facility with the page's Chinese (or English) headers: counts as whole numbers, the
    down/up ratio to two decimals, rates in percent (so that the same table serves the screen and Excel).

    `headers` maps each output column key to its title: facility, tier, county, town, up, down,
    out_of_county, returned, up_received, down_received, down_up_ratio, out_of_county_rate, green_share.
    """
    issued = frame["up_sent"] + frame["down_sent"] + frame["out_of_county_sent"]
    columns = {
        "facility": frame["facility_name"].astype(str),
        "tier": frame["tier"].map(lambda tier: tier_names.get(tier, tier)),
        "county": frame["county_name"].astype(str),
        "town": frame["town_name"].fillna("").astype(str),
        "up": frame["up_sent"].astype("int64"),
        "down": frame["down_sent"].astype("int64"),
        "out_of_county": frame["out_of_county_sent"].astype("int64"),
        "returned": frame["returned_received"].astype("int64"),
        "up_received": frame["up_received"].astype("int64"),
        "down_received": frame["down_received"].astype("int64"),
        "down_up_ratio": _ratio(frame["down_sent"], frame["up_sent"]),
        "out_of_county_rate": _ratio(frame["out_of_county_sent"], issued, 100.0),
        "green_share": _ratio(frame["green_up_sent"], frame["up_sent"], 100.0),
    }
    return pd.DataFrame({headers[key]: values.to_numpy() for key, values in columns.items()})


# Columns of `facility_table` by the kind of number they hold; rates there are in percent (12.5).
_COUNT_KEYS = ("up", "down", "out_of_county", "returned", "up_received", "down_received")
_PERCENT_KEYS = ("out_of_county_rate", "green_share")


def facility_export(table: pd.DataFrame, headers: Mapping[str, str]) -> tuple[pd.DataFrame, exports.Kinds]:
    """`facility_table` to download: rates back to fractions (a workbook shows 0.125 as 12.5%), and the
    kind of every number column."""
    export = table.assign(**{headers[key]: table[headers[key]] / 100 for key in _PERCENT_KEYS})
    kinds = {headers[key]: exports.COUNT for key in _COUNT_KEYS}
    kinds |= {headers[key]: exports.PERCENT for key in _PERCENT_KEYS} | {headers["down_up_ratio"]: exports.RATIO}
    return export, kinds

"""Headline figures for a selection: each indicator's value, comparison, target and recent months."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from healthdash.core import applicability
from healthdash.core import indicators as ind
from healthdash.core.applicability import Excluded
from healthdash.core.filters import Filters, add_months, as_date
from healthdash.core.indicators import Indicator
from healthdash.data.db import per_database, per_selection, run_query

SPARK_MONTHS = 12


@per_database
def indicator_catalog() -> dict[str, Indicator]:
    rows = run_query("indicator_catalog").to_dict("records")
    return {row["code"]: Indicator.from_row(row) for row in rows}


@per_database
def alliance_kinds() -> dict[str, str]:
    """Each alliance's kind (city_group, county_community, specialty, telemedicine) by its code."""
    return dict(run_query("filter_alliances")[["code", "kind"]].itertuples(index=False, name=None))


def applicable(filters: Filters, codes: list[str]) -> tuple[list[str], list[Excluded]]:
    """The codes that mean something for the selection, in order, and the others with the reason."""
    catalog = indicator_catalog()
    kind = alliance_kinds().get(filters.alliance) if filters.alliance else None
    kept, excluded = applicability.split([catalog[code] for code in codes], filters, kind)
    return [indicator.code for indicator in kept], excluded


@dataclass(frozen=True)
class Kpi:
    indicator: Indicator
    value: float | None
    base: float | None
    delta: float | None
    meets: bool | None
    improved: bool | None
    spark: list[float | None]
    spark_months: list[date]


def _totals(filters: Filters, codes: list[str]) -> dict[tuple[str, str], tuple[float, float]]:
    frame = run_query("indicator_totals", codes=codes, **filters.sql_params())
    return {
        (row.indicator_code, row.period): (row.numerator, row.denominator)
        for row in frame.itertuples(index=False)
    }


def _monthly(filters: Filters, codes: list[str], months: int) -> pd.DataFrame:
    params = filters.scope_params() | {
        "codes": codes,
        "month_from": add_months(filters.month_to, -(months - 1)),
        "month_to": filters.month_to,
    }
    return run_query("indicator_monthly", **params)


@per_selection
def headline(filters: Filters, codes: list[str]) -> list[Kpi]:
    """One `Kpi` per code, in the order given."""
    catalog = indicator_catalog()
    wanted = [catalog[code] for code in codes]
    plain = [i.code for i in wanted if i.aggregation != "growth"]
    growth_bases = sorted({i.growth_of for i in wanted if i.aggregation == "growth" and i.growth_of})

    totals = _totals(filters, plain) if plain else {}
    # Growth indicators are always against the same months a year earlier, whatever the comparison.
    yoy = _totals(replace(filters, compare="yoy"), growth_bases) if growth_bases else {}
    monthly = _monthly(filters, plain + growth_bases, SPARK_MONTHS)
    spark_months = [add_months(filters.month_to, -(SPARK_MONTHS - 1) + i) for i in range(SPARK_MONTHS)]

    result = []
    for indicator in wanted:
        if indicator.aggregation == "growth":
            base_ind = catalog[indicator.growth_of]
            current = ind.value(base_ind, *yoy.get((base_ind.code, "current"), (None, None)))
            previous = ind.value(base_ind, *yoy.get((base_ind.code, "base"), (None, None)))
            current_value, base_value = ind.growth(current, previous), None
            spark: list[float | None] = []
        else:
            current_value = ind.value(indicator, *totals.get((indicator.code, "current"), (None, None)))
            base_value = ind.value(indicator, *totals.get((indicator.code, "base"), (None, None)))
            series = monthly[monthly["indicator_code"] == indicator.code]
            by_month = {
                as_date(row.month): ind.value(
                    indicator, row.numerator, row.denominator
                )
                for row in series.itertuples(index=False)
            }
            spark = [by_month.get(month) for month in spark_months]
        delta = ind.change(indicator, current_value, base_value)
        result.append(
            Kpi(
                indicator=indicator,
                value=current_value,
                base=base_value,
                delta=delta,
                meets=ind.meets_target(indicator, current_value),
                improved=ind.is_improvement(indicator, delta),
                spark=spark,
                spark_months=spark_months,
            )
        )
    return result


def targeted_by_level(filters: Filters, codes: Sequence[str]) -> dict[str, list[str]]:
    """The indicators of `codes` that have a target, grouped by the level of places they are compared at
    (child_level); those with no places one level down are left out. The Overview's attention table and
    its summary group alike, so that both read the same (cached) by_place results."""
    catalog = indicator_catalog()
    by_level: dict[str, list[str]] = {}
    for code in codes:
        level = child_level(filters, catalog[code]) if catalog[code].target is not None else None
        if level:
            by_level.setdefault(level, []).append(code)
    return by_level


def child_level(filters: Filters, indicator: Indicator) -> str | None:
    """Which places a ranking compares: one level below the selection, as far as the indicator goes."""
    if filters.level == "all":
        return "city"
    if filters.level == "city":
        return "county"
    if filters.level == "county" and indicator.level in ("town", "facility"):
        return indicator.level
    if filters.level == "town" and indicator.level == "facility":
        return "facility"
    return None


def by_place(filters: Filters, codes: list[str], level: str) -> pd.DataFrame:
    """Each indicator for each child place: value, target and whether it is met.

    Columns: indicator_code, place_code, place_name, value, target, meets, gap (value − target, on the
    value's scale; negative means short of a rising target).
    """
    catalog = indicator_catalog()
    growth_codes = [code for code in codes if catalog[code].aggregation == "growth" and catalog[code].growth_of]
    plain = [code for code in codes if code not in growth_codes]
    frame = (
        run_query("indicator_by_place", codes=plain, child_level=level, **filters.sql_params()) if plain
        else pd.DataFrame(columns=["indicator_code", "place_code", "place_name", "numerator", "denominator"])
    )
    values = [
        (row.indicator_code, row.place_code, row.place_name,
         ind.value(catalog[row.indicator_code], row.numerator, row.denominator))
        for row in frame.itertuples(index=False)
    ]
    for code in growth_codes:
        values.extend(_growth_by_place(filters, catalog[code], catalog[str(catalog[code].growth_of)], level))
    if not values:
        return frame.assign(value=[], target=[], meets=[], gap=[])
    rows = []
    for code, place_code, place_name, result in values:
        indicator = catalog[code]
        target = indicator.target_value
        rows.append(
            {
                "indicator_code": code,
                "place_code": place_code,
                "place_name": place_name,
                "value": result,
                "target": target,
                "meets": ind.meets_target(indicator, result),
                "gap": None if result is None or target is None else result - target,
            }
        )
    return pd.DataFrame(rows)


def _growth_by_place(
    filters: Filters, indicator: Indicator, base: Indicator, level: str
) -> list[tuple[str, str, str, float | None]]:
    """A growth indicator per child place: its base indicator now against the same months a year earlier
    (always 同比, whatever the comparison chosen, as in `headline`)."""
    year_before = replace(filters, month_from=add_months(filters.month_from, -12),
                          month_to=add_months(filters.month_to, -12))
    now, before = (
        run_query("indicator_by_place", codes=[base.code], child_level=level, **period.sql_params())
        for period in (filters, year_before)
    )
    earlier = {row.place_code: ind.value(base, row.numerator, row.denominator) for row in before.itertuples(index=False)}
    return [
        (indicator.code, row.place_code, row.place_name,
         ind.growth(ind.value(base, row.numerator, row.denominator), earlier.get(row.place_code)))
        for row in now.itertuples(index=False)
    ]

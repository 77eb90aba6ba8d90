"""公共卫生 Public health figures: place by place against targets.

`standings` reads queries/public_health_by_place.sql (numerator and denominator per place and indicator,
stocks at the last month) and adds value, band and the gaps in points and in people; the banding and the
people arithmetic are scorecard.py's. The scorecard, the towns below target and the workbook are shaped
here; charts.py draws, views.py shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from healthdash.core import exports
from healthdash.core import indicators as ind
from healthdash.core.filters import Filters, add_months, as_date
from healthdash.core.fmt import fmt_count, fmt_month, fmt_period, fmt_value
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator
from healthdash.core.wording import gap_text, target_text
from healthdash.data.columns import ILLNESSES_ADDED_2018, SERIOUS_ILLNESSES
from healthdash.data.db import per_selection, run_query
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.public_health import scorecard

# The public-health table of data/INDICATORS.md, in its order; family-doctor teams are context (no target).
CODES: list[str] = [
    "fd_coverage",
    "fd_key_pop_coverage",
    "child_immunization_rate",
    "hpv_first_doses",
    "cervical_screening_rate",
    "breast_screening_rate",
    "elderly_health_mgmt_rate",
    "htn_std_mgmt_rate",
    "t2dm_std_mgmt_rate",
    "htn_bp_control_rate",
    "ehr_coverage",
    "premarital_checks",
    "prepregnancy_checks",
]
CONTEXT: list[str] = ["fd_teams"]
# Headline cards: those with a target first, then the ones only monitored; `headline_grid` splits them
# by the targets in the database (a deployment may set or drop targets).
HEADLINE: list[str] = [
    "fd_coverage", "fd_key_pop_coverage", "child_immunization_rate", "cervical_screening_rate",
    "htn_std_mgmt_rate", "t2dm_std_mgmt_rate", "fd_teams", "hpv_first_doses", "breast_screening_rate",
    "elderly_health_mgmt_rate", "htn_bp_control_rate", "ehr_coverage", "premarital_checks", "prepregnancy_checks",
]
# The period's screenings, told under the coverage cards (coverage counts people over years).
SCREENING_COUNTS: dict[str, str] = {
    "cervical_screening_rate": "cervical_screenings", "breast_screening_rate": "breast_screenings",
}
PICK_KEY = "ph_indicator"


def place_level(filters: Filters) -> str:
    """The places the scorecard compares: cities at the top, counties in a city, towns in a county
    (and the town itself when one is selected)."""
    return {"all": "city", "city": "county"}.get(filters.level, "town")


def _margin(indicator: Indicator) -> float:
    target = indicator.target_value
    return scorecard.far_margin(target, indicator.is_percent) if target is not None else 0.0


def band_of(indicator: Indicator, value: float | None) -> str:
    return scorecard.band(value, indicator.target_value, indicator.direction, _margin(indicator))


@per_selection
def standings(filters: Filters, level: str) -> pd.DataFrame:
    """One row per place and indicator (public health and context) with data.

    Columns: indicator_code, place_code, place_name, county_name, city_name, numerator, denominator,
    months, last_month, value, target, band, gap (value − target), people_n, people_d (the numerator and
    denominator as people), people_gap (more people needed to reach the target).
    """
    catalog = indicator_catalog()
    frame = run_query("public_health_by_place", codes=CODES + CONTEXT, place_level=level, **filters.sql_params())
    columns = [*frame.columns, "value", "target", "band", "gap", "people_n", "people_d", "people_gap"]
    if frame.empty:
        return pd.DataFrame(columns=columns).astype(_FLOATS)
    # Column by column over plain lists: a province's towns are 40,000 rows, too many to walk as tuples.
    indicators = [catalog[code] for code in frame["indicator_code"].tolist()]
    people_n = frame["numerator"].astype("float64").tolist()
    people_d = [None if pd.isna(d) else d for d in frame["denominator"].astype("float64").tolist()]
    values = [ind.value(i, n, d) for i, n, d in zip(indicators, people_n, people_d, strict=True)]
    targets = [i.target_value for i in indicators]
    result = frame.assign(
        value=values,
        target=targets,
        band=[band_of(i, v) for i, v in zip(indicators, values, strict=True)],
        gap=[None if v is None or t is None else v - t for v, t in zip(values, targets, strict=True)],
        people_n=people_n,
        people_d=people_d,
        people_gap=[scorecard.people_gap(n, d, t) if i.is_rate else None
                    for i, n, d, t in zip(indicators, people_n, people_d, targets, strict=True)],
    )
    return result.astype(_FLOATS)[columns]


# Missing values as NaN in float columns: charts sort and scale them as numbers.
_FLOATS = {"value": "float64", "target": "float64", "gap": "float64", "people_d": "float64"}


# ------------------------------------------------------------------------------------------- headline


def _totals(filters: Filters) -> dict[str, tuple[float, float | None, int, object]]:
    """The selection's numerator, denominator, months and last month per indicator (current period);
    the same query and parameters as kpi.headline, so it is read from the cache."""
    catalog = indicator_catalog()
    plain = [code for code in HEADLINE if catalog[code].aggregation != "growth"] + list(SCREENING_COUNTS.values())
    frame = run_query("indicator_totals", codes=plain, **filters.sql_params())
    frame = frame[frame["period"] == "current"]
    return {
        row.indicator_code: (float(row.numerator), None if pd.isna(row.denominator) else float(row.denominator),
                             int(row.months), row.last_month)
        for row in frame.itertuples(index=False)
    }


def headline_notes(filters: Filters) -> dict[str, str]:
    """Under each headline card, the people behind the figure: '6月末签约 171,200人 / 常住人口 254,000人'."""
    lang = current_lang()
    totals = _totals(filters)
    notes = {}
    for code, (n, d, _months, last_month) in totals.items():
        if code in SCREENING_COUNTS.values():
            continue
        values = {"n": fmt_count(n), "d": fmt_count(d), "month": fmt_month(last_month, lang=lang)}
        if code in SCREENING_COUNTS:
            screened = totals.get(SCREENING_COUNTS[code])
            values["count"] = fmt_count(screened[0]) if screened else "—"
        if code == "fd_teams":
            contracted = totals.get("fd_coverage")
            values["per_team"] = fmt_count(contracted[0] / n) if contracted and n else "—"
        notes[code] = t(f"public_health.note.{code}", **values)
    return notes


# ------------------------------------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class Scorecard:
    """The scorecard in two shapes: `values` (numbers; place name, shortfalls, one column per indicator
    code) and `bands` (band keys, same shape; None where no band applies); `codes`, the places' codes in
    the order of the rows."""

    level: str
    values: pd.DataFrame
    bands: pd.DataFrame
    codes: tuple[str, ...] = ()


def build_scorecard(standing: pd.DataFrame, level: str) -> Scorecard:
    codes = CODES + CONTEXT
    if standing.empty:
        empty = pd.DataFrame(columns=["place_name", "shortfalls", *codes])
        return Scorecard(level, empty, empty.copy())
    places = standing.drop_duplicates("place_code").set_index("place_code")["place_name"]
    values = standing.pivot_table(index="place_code", columns="indicator_code", values="value", aggfunc="first",
                                  dropna=False)
    bands = standing.pivot(index="place_code", columns="indicator_code", values="band")
    values = values.reindex(index=places.index, columns=codes)
    bands = bands.reindex(index=places.index, columns=codes)
    shortfalls = bands.isin(scorecard.SHORT_OF_TARGET).sum(axis=1)
    values.insert(0, "shortfalls", shortfalls)
    values.insert(0, "place_name", places)
    order = values.sort_values(["shortfalls", "place_name"], ascending=[False, True]).index
    values = values.loc[order].reset_index(drop=True)
    bands = bands.loc[order].reset_index(drop=True)
    bands.insert(0, "shortfalls", None)
    bands.insert(0, "place_name", None)
    # No data for an indicator in a place is an empty cell, not a band.
    bands = bands.where(bands != scorecard.NO_DATA, None)
    values.columns.name = None
    bands.columns.name = None
    return Scorecard(level, values, bands, tuple(str(code) for code in order))


def short_name(code: str) -> str:
    return t(f"public_health.short.{code}")


def long_header(indicator: Indicator, lang: str) -> str:
    """'家庭医生签约率（%，目标 ≥75%）': the XLSX header names the indicator, its unit and target."""
    unit = indicator.unit
    parts = [unit] if unit else []
    if indicator.target is not None:
        parts.append(target_text(indicator))
    return f"{indicator.name(lang)}（{'，'.join(parts)}）" if parts else indicator.name(lang)


def cell_text(indicator: Indicator, lang: str) -> Callable[[float], str]:
    """A Styler formatter: the value as the page prints it, with the band's mark (✓, ✗, ✗✗)."""

    def render(value: float) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        text = fmt_value(value, "%", lang=lang) if indicator.is_percent else fmt_count(value)
        mark = scorecard.MARKS[band_of(indicator, value)]
        return f"{text} {mark}" if mark else text

    return render


def legend_items(lang: str | None = None) -> list[tuple[str, str]]:
    keys = (scorecard.FAR_BELOW, scorecard.BELOW, scorecard.MET, scorecard.NO_TARGET)
    return [(key, t(f"public_health.band.{key}", lang=lang)) for key in keys]


def scorecard_xlsx(card: Scorecard, block: exports.TitleBlock) -> Callable[[], bytes]:
    """The scorecard as Excel, made when called: the title block, full headers with unit and target,
    numbers kept as numbers (percentages as 0.0%), a pass/fail word beside each judged value, cells filled
    with their band colours, and the legend on a second sheet. Everything in the session's language is
    read now, so the call needs no session (a download runs outside the page's run)."""
    lang = block.lang
    catalog = indicator_catalog()
    codes = CODES + CONTEXT
    headers = {"place_name": t(f"level.{card.level}", lang=lang), "shortfalls": t("public_health.shortfalls", lang=lang)}
    headers |= {code: long_header(catalog[code], lang) for code in codes}
    kinds = {headers[code]: exports.kind_of(catalog[code]) for code in codes} | {headers["shortfalls"]: exports.COUNT}
    short = {headers[code]: t(f"public_health.short.{code}", lang=lang) for code in codes}
    words = {key: t(f"public_health.band_word.{key}", lang=lang) for key in scorecard.JUDGED}
    values, bands = scorecard.with_words(
        card.values.rename(columns=headers), card.bands.rename(columns=headers), words,
        lambda header: t("public_health.status_of", lang=lang, indicator=short[header]),
    )
    legend, legend_title = legend_items(lang), t("public_health.legend_title", lang=lang)
    return lambda: scorecard.workbook(values, bands, kinds, legend, legend_title, block)


# ------------------------------------------------------------------------------------ one indicator


class Trend(NamedTuple):
    """One indicator month by month: this period and the same months a year earlier."""

    frame: pd.DataFrame  # month, value, series, text
    current: str  # the series name of this period
    last_year: str  # the series name of a year earlier


def trend(filters: Filters, indicator: Indicator) -> Trend | None:
    """This period (at least the last 12 months) against the same months a year earlier, one row per
    series and month (last year's months shifted onto this year's axis); None without data."""
    lang = current_lang()
    first = min(filters.month_from, add_months(filters.month_to, -11))
    params = filters.scope_params() | {"codes": [indicator.code], "month_from": add_months(first, -12),
                                       "month_to": filters.month_to}
    monthly = run_query("indicator_monthly", **params)
    if monthly.empty:
        return None
    # Series named by their months, so a 12-month window around a shorter period says what it shows.
    current = fmt_period(first, filters.month_to, lang=lang)
    last_year = t("public_health.series_last_year",
                  period=fmt_period(add_months(first, -12), add_months(filters.month_to, -12), lang=lang))
    rows = []
    for row in monthly.itertuples(index=False):
        month = as_date(row.month)
        value = ind.value(indicator, row.numerator, row.denominator)
        if value is None:
            continue
        series = current if month >= first else last_year
        shown = month if month >= first else add_months(month, 12)
        rows.append({"month": pd.Timestamp(shown), "value": value, "series": series,
                     "text": fmt_value(value, indicator.unit, lang=lang)})
    frame = pd.DataFrame(rows)
    if frame.empty or not (frame["series"] == current).any():
        return None
    return Trend(frame, current, last_year)


def with_target(caption: str, key: str, indicator: Indicator) -> str:
    """`caption` followed by the sentence that explains the target line, when the indicator has one."""
    if indicator.target is None:
        return caption
    return caption + t(key, target=target_text(indicator))


def action_word(code: str) -> str:
    key = f"public_health.action.{code}"
    text = t(key)
    return t("public_health.action.other") if text == key else text


def basis_note(indicator: Indicator) -> str:
    if indicator.aggregation == "ytd":
        return t("public_health.basis_ytd")
    if indicator.aggregation == "rolling_coverage":
        return t("public_health.basis_rolling", months=indicator.window_months)
    if indicator.at_period_end:
        return t("public_health.basis_stock")
    return t("public_health.basis_flow")


@dataclass(frozen=True)
class BelowTarget:
    """Towns short of a floor target: `table` (numbers, Chinese headers) and its band per row."""

    table: pd.DataFrame
    bands: list[str]
    people: int


def below_target(towns: pd.DataFrame, indicator: Indicator, level: str) -> BelowTarget:
    """The towns below target, largest number of people short first: where they are, value, target,
    gap in percentage points and in people."""
    short = towns[towns["band"].isin(scorecard.SHORT_OF_TARGET)].sort_values(
        ["people_gap", "gap"], ascending=[False, True]
    )
    action = action_word(indicator.code)
    columns: dict[str, object] = {}
    if level == "all":
        columns[t("public_health.col_city")] = short["city_name"]
    if level in ("all", "city"):
        columns[t("public_health.col_county")] = short["county_name"]
    columns[t("public_health.col_town")] = short["place_name"]
    columns[t("public_health.col_value")] = short["value"]
    columns[t("public_health.col_target")] = short["target"]
    columns[t("public_health.col_gap_pp")] = -short["gap"] * 100
    columns[t("public_health.col_gap_people", action=action)] = short["people_gap"].astype("Int64")
    table = pd.DataFrame(columns).reset_index(drop=True)
    return BelowTarget(table, list(short["band"]), int(short["people_gap"].fillna(0).sum()))


# ------------------------------------------------------------------------------------ by place charts




# ------------------------------------------------------------------------------ 防止因病返贫 (issue 26)

# The monitored population and the four judged rates, place by place; the period's flows said in a sentence.
POVERTY: list[str] = [
    "poverty_monitored_people", "poverty_fd_coverage", "serious_illness_treatment_rate", "poverty_oop_share",
    "village_clinic_standard_rate",
]
POVERTY_FLOWS: list[str] = ["poverty_exit_people", "poverty_exit_households", "village_clinics_to_standard"]


@per_selection
def poverty_by_place(filters: Filters, level: str) -> pd.DataFrame:
    """One row per place (of `level`) and poverty indicator with data: place_code, place_name,
    indicator_code, value, meets (None: nothing judged), gap (value − target)."""
    catalog = indicator_catalog()
    frame = run_query("public_health_by_place", codes=POVERTY, place_level=level, **filters.sql_params())
    rows = []
    for row in frame.itertuples(index=False):
        indicator = catalog[row.indicator_code]
        value = ind.value(indicator, row.numerator, row.denominator)
        target = indicator.target_value
        rows.append({"place_code": row.place_code, "place_name": row.place_name, "indicator_code": row.indicator_code,
                     "value": value, "meets": ind.meets_target(indicator, value),
                     "gap": None if value is None or target is None else value - target})
    return pd.DataFrame(rows, columns=["place_code", "place_name", "indicator_code", "value", "meets", "gap"])


def verdict(indicator: Indicator, value: float | None, lang: str) -> str:
    """A value against its target in words: '91.2%，目标 ≥85%，达标' / '…，未达标（差 3.1个百分点）'."""
    shown = fmt_value(value, indicator.unit, lang=lang, compact=False)
    if value is None:
        return t("poverty.verdict_none", lang=lang)
    if indicator.target_value is None:
        return t("poverty.verdict_monitored", lang=lang, value=shown)
    meets = ind.meets_target(indicator, value)
    if meets:
        return t("poverty.verdict_met", lang=lang, value=shown, target=target_text(indicator, lang))
    gap = gap_text(indicator, value - indicator.target_value, lang)
    return t("poverty.verdict_missed", lang=lang, value=shown, target=target_text(indicator, lang), gap=gap)


class Illness(NamedTuple):
    code: str
    cases: int
    treated: int
    towns: int
    added_2018: bool


@per_selection
def serious_illness(filters: Filters) -> list[Illness]:
    """大病专项救治 by disease group at the period's end, in the groups' order (SERIOUS_ILLNESSES)."""
    frame = run_query("serious_illness_by_disease", **filters.sql_params()).set_index("disease")
    return [Illness(code, int(frame.loc[code, "cases"]), int(frame.loc[code, "treated"]), int(frame.loc[code, "towns"]),
                    code in ILLNESSES_ADDED_2018)
            for code, _zh, _en in SERIOUS_ILLNESSES if code in frame.index]

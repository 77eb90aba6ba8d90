"""数据质量 Data quality figures of a selection, shaped for the page: reporting rate and timeliness (totals,
by place one level down, by month), a county's unit × month grid in words, the missing reports, and the
quality flags with their series. The engine (healthdash.data.quality) counts; this module words.

Every query runs through RUN (db.run_query: cached, within the viewer's jurisdiction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import NamedTuple

import pandas as pd

from healthdash.core.filters import Filters, add_months
from healthdash.core.fmt import fmt_month, fmt_number, fmt_pct
from healthdash.core.i18n import current_lang, t
from healthdash.core.indicators import Indicator
from healthdash.data.db import run_query
from healthdash.data.quality import exceptions, marks, outliers, reporting
from healthdash.data.quality.config import DEFAULT_DUE_DAY, DEFAULT_JUMP, DEFAULT_Z
from healthdash.data.quality.marks import FlagKey
from healthdash.data.quality.names import dataset_label, measure_label
from healthdash.data.quality.reporting import Coverage
from healthdash.data.quality.rules import load_rules
from healthdash.data.quality.schema import indicator_reports, report_datasets
from healthdash.data.quality.sql import Runner

RUN: Runner = lambda name, params: run_query(name, **params)  # noqa: E731 - the engine's Runner, cached
# One level down from the selection; a town's children are its reporting units (facilities and the town).
CHILD_LEVEL = {"all": "city", "city": "county", "county": "town", "town": "unit"}
GRID_LEVELS = ("county", "town")  # a grid of every unit is a data officer's view of one county at most
MAX_LISTED = 300  # missing reports and flags shown on screen; the download has them all
# Marks the table's canvas font has in every build (a clock or warning sign renders as an empty box).
CELL_MARKS = {"received": "✓", "late": "△", "missing": "✗", "not_due": "—"}


@dataclass(frozen=True)
class Settings:
    """The checks' thresholds a data officer may change on the page: the due day of the next month, the
    modified z-score and the jump factor against the same month last year."""

    due_day: int = DEFAULT_DUE_DAY
    z: float = DEFAULT_Z
    jump: float = DEFAULT_JUMP

    def reporting(self) -> dict[str, object]:
        return {"due_day": self.due_day}

    def outliers(self) -> dict[str, object]:
        return {"z": self.z, "jump": self.jump}


DEFAULTS = Settings()


def rate_text(rate: float | None, lang: str | None = None) -> str:
    """A rate to one decimal, rounded down: a selection with a report missing never reads 100.0%."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return "—"
    return fmt_pct(math.floor(float(rate) * 1000) / 1000, lang=lang or current_lang())


def totals(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    return reporting.totals(RUN, filters, **settings.reporting())


def coverage(filters: Filters, settings: Settings = DEFAULTS) -> Coverage:
    """数据截至, 上报率 and the units with a report missing, for the badge under every page header."""
    return reporting.coverage(totals(filters, settings))


def child_level(filters: Filters) -> str:
    return CHILD_LEVEL[filters.level]


def by_place(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """Rates of each place one level down (each reporting unit under a town), lowest first, with texts."""
    frame = reporting.by_place(RUN, filters, child_level(filters), **settings.reporting())
    lang = current_lang()
    return frame.assign(
        rate_text=[rate_text(rate, lang) for rate in frame["reporting_rate"]],
        timely_text=[rate_text(rate, lang) for rate in frame["timeliness"]],
        label=[t("quality.page.bar_label", rate=rate_text(rate, lang), missing=int(missing))
               if missing else rate_text(rate, lang)
               for rate, missing in zip(frame["reporting_rate"], frame["reports_missing"], strict=True)],
    )


def by_alliance(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """Rates of each alliance with members in the selection (none for a town or a selected alliance),
    lowest first, shaped as by_place's frame (place_code, place_name, texts)."""
    if filters.town or filters.alliance:
        return pd.DataFrame()
    frame = reporting.by_alliance(RUN, filters, **settings.reporting())
    lang = current_lang()
    return frame.rename(columns={"alliance_code": "place_code", "alliance_name": "place_name"}).assign(
        label=[t("quality.page.bar_label", rate=rate_text(rate, lang), missing=int(missing))
               if missing else rate_text(rate, lang)
               for rate, missing in zip(frame["reporting_rate"], frame["reports_missing"], strict=True)],
    )


def trend(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """Reporting rate and timeliness month by month over every dataset, long (month, series, value, text)."""
    monthly = reporting.monthly(RUN, filters, **settings.reporting())
    overall = monthly[monthly["dataset"].isna()]
    lang = current_lang()
    parts = []
    for column, key in (("reporting_rate", "quality.page.reporting_rate"), ("timeliness", "quality.page.timeliness")):
        parts.append(pd.DataFrame({"month": pd.to_datetime(overall["month"]), "series": t(key),
                                   "value": overall[column].astype(float),
                                   "text": [rate_text(value, lang) for value in overall[column]]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def cell_word(state: str, lang: str | None = None) -> str:
    """A grid cell: a mark and a word (✓ 已报 / △ 迟报 / ✗ 未报 / — 无需上报), never colour alone."""
    return f"{CELL_MARKS[state]} {t(f'quality.page.cell.{state}', lang=lang)}"


class Grid(NamedTuple):
    """The grid as shown (words) and, row for row, the unit and dataset codes each row is about."""

    shown: pd.DataFrame
    keys: pd.DataFrame


def grid(filters: Filters, settings: Settings = DEFAULTS) -> Grid:
    """The unit × month grid of a county or town in words: one row per unit and report, a column per month."""
    long = reporting.grid(RUN, filters, **settings.reporting())
    months = pd.date_range(filters.month_from, filters.month_to, freq="MS").date.tolist()
    table = reporting.grid_table(long, months)
    lang = current_lang()
    month_columns = {pd.Timestamp(month): fmt_month(month, lang=lang) for month in months}
    words = {state: cell_word(state, lang) for state in CELL_MARKS}
    shown = pd.DataFrame({
        t("quality.page.col_unit"): table["unit_name"].astype(str),
        t("quality.page.col_report"): [dataset_label(name, lang) for name in table["dataset"]],
    })
    for column, title in month_columns.items():
        shown[title] = table[column].map(words) if column in table else words["not_due"]
    missing = table[list(month_columns)].eq("missing").sum(axis=1) if len(table) else pd.Series(dtype=int)
    shown[t("quality.page.col_missing_count")] = missing.astype(int).to_numpy()
    order = shown.sort_values(t("quality.page.col_missing_count"), ascending=False, kind="stable").index
    keys = table[["unit_code", "unit_name", "dataset"]].reset_index(drop=True)
    return Grid(shown.loc[order].reset_index(drop=True), keys.loc[order].reset_index(drop=True))


def missing(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """Every report of the selection still missing: who owes what for which month, newest first."""
    frame = reporting.missing(RUN, filters, **settings.reporting())
    lang = current_lang()
    frame = frame.sort_values(["month", "county_name", "unit_name"], ascending=[False, True, True])
    return pd.DataFrame({
        t("quality.page.col_unit"): frame["unit_name"].astype(str),
        t("quality.page.col_town"): frame["town_name"].fillna("").astype(str),
        t("quality.page.col_county"): frame["county_name"].fillna("").astype(str),
        t("quality.page.col_report"): [dataset_label(name, lang) for name in frame["dataset"]],
        t("quality.page.col_month"): [fmt_month(month, lang=lang) for month in frame["month"]],
        t("quality.page.col_due"): [pd.Timestamp(day).strftime("%Y-%m-%d") for day in frame["due_date"]],
    })


def check_word(check_id: str, kind: str, lang: str | None = None) -> str:
    """What a flag's check means in words: an outlier check's name, or the broken rule's message."""
    if kind == "rule":
        rule = next((rule for rule in load_rules() if rule.rule_id == check_id), None)
        if rule is not None:
            return rule.message_zh if (lang or current_lang()) == "zh" else rule.message_en
        return t("quality.check.rule", lang=lang)
    return t(f"quality.check.{check_id}", lang=lang)


def _figure(value: object) -> str:
    if value is None or pd.isna(value):
        return "—"
    number = float(value)
    return fmt_number(number, 0 if abs(number) >= 100 or number.is_integer() else 2)


def expected_range(low: object, high: object) -> str:
    if (low is None or pd.isna(low)) and (high is None or pd.isna(high)):
        return "—"
    if low is None or pd.isna(low):
        return f"≤ {_figure(high)}"
    if high is None or pd.isna(high):
        return f"≥ {_figure(low)}"
    return f"{_figure(low)} – {_figure(high)}"


def flags(filters: Filters, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """The selection's outlier and rule flags at the settings' thresholds, newest first (the engine's columns)."""
    return outliers.flags(RUN, filters, **settings.outliers()).reset_index(drop=True)


def flag_table(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Flags of `kind` ('outlier' or 'rule') as the page lists them: unit, what, month, mark, value, range, check."""
    lang = current_lang()
    return pd.DataFrame({
        t("quality.page.col_unit"): frame["unit_name"].astype(str),
        t("quality.page.col_measure"): [measure_label(d, m, lang) if kind == "outlier" else dataset_label(d, lang)
                                        for d, m in zip(frame["dataset"], frame["measure"], strict=True)],
        t("quality.page.col_month"): [fmt_month(month, lang=lang) for month in frame["month"]],
        t("quality.page.col_mark"): [mark_word(status) for status in frame["mark_status"]],
        t("quality.page.col_value"): [_figure(value) for value in frame["value"]],
        t("quality.page.col_range"): [expected_range(lo, hi) for lo, hi in zip(frame["low"], frame["high"], strict=True)],
        t("quality.page.col_check"): [check_word(c, kind, lang) for c in frame["check_id"]],
    })


def mark_word(status: object) -> str:
    if status is None or pd.isna(status):
        return t("quality.page.unmarked")
    return t(f"quality.mark.{status}")


def flag_key(flag: Mapping[str, object] | pd.Series) -> FlagKey:
    row = dict(flag)
    row["alliance_code"] = "" if row.get("alliance_code") is None or pd.isna(row["alliance_code"]) else row["alliance_code"]
    row["measure"] = "" if row.get("measure") is None or pd.isna(row["measure"]) else row["measure"]
    return FlagKey.of(row)


def series(flag: pd.Series, settings: Settings = DEFAULTS) -> pd.DataFrame:
    """The flagged unit's whole monthly series of the measure, with the month of the flag marked."""
    frame = outliers.series(RUN, flag_key(flag), z=settings.z)
    flagged = pd.Timestamp(flag["month"])
    frame = frame.assign(month=pd.to_datetime(frame["month"]))
    return frame.assign(flagged=frame["month"].eq(flagged),
                        text=[_figure(value) for value in frame["value"]],
                        range_text=[expected_range(lo, hi) for lo, hi in zip(frame["low"], frame["high"], strict=True)])


def history(flag: pd.Series) -> pd.DataFrame:
    frame = marks.history(RUN, flag_key(flag))
    return pd.DataFrame({
        t("quality.page.col_mark"): [mark_word(status) for status in frame["status"]],
        t("quality.page.col_comment"): frame["comment"].astype(str),
        t("quality.page.col_by"): frame["marked_by"].astype(str),
        t("quality.page.col_at"): [pd.Timestamp(at).strftime("%Y-%m-%d %H:%M") for at in frame["marked_at"]],
    })


def exception_rows(filters: Filters) -> pd.DataFrame:
    """The exceptions recorded for units of the selected place in the viewer's jurisdiction, withdrawn ones
    included, newest first (the engine's columns)."""
    return exceptions.exceptions(RUN, filters.city, filters.county, filters.town)


def exception_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Exceptions as the page lists them: unit, report (or every report), months, reason, who and when, and
    whether withdrawn."""
    lang = current_lang()

    def stamp(at: object) -> str:
        return "" if at is None or pd.isna(at) else pd.Timestamp(at).strftime("%Y-%m-%d %H:%M")

    return pd.DataFrame({
        t("quality.page.col_unit"): frame["unit_name"].fillna(frame["unit_code"]).astype(str),
        t("quality.page.col_report"): [t("quality.page.every_report") if d is None or pd.isna(d) else dataset_label(d, lang)
                                       for d in frame["dataset"]],
        t("quality.page.col_months"): [fmt_month(a, lang=lang) if pd.Timestamp(a) == pd.Timestamp(b)
                                       else f"{fmt_month(a, lang=lang)} – {fmt_month(b, lang=lang)}"
                                       for a, b in zip(frame["month_from"], frame["month_to"], strict=True)],
        t("quality.page.col_reason"): frame["reason"].astype(str),
        t("quality.page.col_by"): frame["recorded_by"].astype(str),
        t("quality.page.col_at"): [stamp(at) for at in frame["recorded_at"]],
        t("quality.page.col_withdrawn"): [t("quality.page.withdrawn", by=by, at=stamp(at)) if by is not None
                                          and not pd.isna(by) else "" for by, at in
                                          zip(frame["withdrawn_by"], frame["withdrawn_at"], strict=True)],
    })


def exception_months(filters: Filters, ahead: int = 12) -> list[date]:
    """Months an exception may cover from the page: the selection's first year back to its end and a year
    ahead (a renovation announced for the coming months)."""
    first = date(filters.month_from.year - 1, 1, 1)
    last = (pd.Timestamp(filters.month_to) + pd.DateOffset(months=ahead)).date()
    return pd.date_range(first, last, freq="MS").date.tolist()


class Gap(NamedTuple):
    """Reports missing under a figure: how many units (of `unit`: facility, town or county) owe `dataset`."""

    units: int
    unit: str
    dataset: str


def report_window(filters: Filters, indicator: Indicator) -> Filters:
    """The months whose reports a figure of `indicator` over the selection rests on: the last month for a
    stock, January to the last month for a year-to-date sum, the window for a rolling coverage."""
    last = filters.month_to
    if indicator.aggregation == "ytd":
        return replace(filters, month_from=max(filters.month_from, last.replace(month=1)))
    if indicator.aggregation == "rolling_coverage" and indicator.window_months:
        return replace(filters, month_from=add_months(last, 1 - indicator.window_months))
    if indicator.at_period_end:
        return replace(filters, month_from=last)
    return filters


@cache
def _report_units() -> dict[str, str]:
    """The kind of unit owing each dataset, in words' terms: facility, town or county."""
    frame = report_datasets()
    return {d: "facility" if u == "alliance_member" else u for d, u in zip(frame["dataset"], frame["unit"], strict=True)}


def report_gap(filters: Filters, indicator: Indicator) -> Gap | None:
    """The reports missing under the selection's figure of `indicator`, or None when its report is complete
    (or it rests on no monthly report)."""
    dataset = indicator_reports().get(indicator.code)
    if dataset is None:
        return None
    frame = totals(report_window(filters, indicator))
    row = frame[frame["dataset"] == dataset]
    if row.empty or int(row["units_missing"].iloc[0]) == 0:
        return None
    return Gap(int(row["units_missing"].iloc[0]), _report_units()[dataset], dataset)


def gap_text(gap: Gap, lang: str | None = None) -> str:
    """＊3家机构未上报门急诊与住院服务量月报，该数字可能偏低."""
    lang = lang or current_lang()
    return t(f"quality.gap.{gap.unit}", lang=lang, units=gap.units, report=dataset_label(gap.dataset, lang))

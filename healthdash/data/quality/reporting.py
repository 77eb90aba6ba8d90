"""Reporting rate and timeliness (上报率、及时率) for a selection: totals, per place or alliance, month by
month, a unit × month grid and the list of missing reports. Each function runs one query of queries/
through `run` (quality.sql.Runner: db.run_query on a page, quality.sql.runner(con, scope) elsewhere).

Rates count the reports due in the period: expected ones (owed by the registry and not excused) that came
in, or whose due day has passed on `as_of` (a month not yet due counts only what is in). A report is on
time when its first delivery came by day `due_day` of the next month; reporting rate = received / due,
timeliness = on time / due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from healthdash.core.filters import Filters
from healthdash.data.quality.config import DEFAULT_DUE_DAY, MAX_DUE_DAY, STATES
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.schema import report_datasets
from healthdash.data.quality.sql import Runner

LEVELS = ("city", "county", "town", "unit")
COUNTS = ("reports_due", "reports_received", "reports_on_time", "reports_late", "reports_missing")


def datasets() -> list[str]:
    """The datasets facilities, towns and counties owe monthly, in the order of data/report_datasets.csv."""
    return report_datasets().sort_values("sort_order")["dataset"].tolist()


def params(filters: Filters, *, chosen: Sequence[str] | None = None, due_day: int = DEFAULT_DUE_DAY,
           as_of: date | None = None) -> dict[str, object]:
    """The bound parameters of the report queries for a selection (its place, tiers, alliance and period)."""
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= MAX_DUE_DAY:
        raise QualityError("due_day", max=MAX_DUE_DAY, value=due_day)
    known = datasets()
    for dataset in chosen or ():
        if dataset not in known:
            raise QualityError("unknown_dataset", value=dataset)
    return {**filters.scope_params(), "month_from": filters.month_from, "month_to": filters.month_to,
            "datasets": list(chosen or known), "due_day": due_day, "as_of": as_of or date.today()}


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers (a grouping-set row makes them floats on the way out of DuckDB)."""
    return frame.astype({column: "int64" for column in COUNTS if column in frame})


def totals(run: Runner, filters: Filters, **options: object) -> pd.DataFrame:
    """One row per dataset and one with dataset null for all: reports due, received, on time, late,
    missing, not yet due; reporting_rate, timeliness; last_month (数据截至); units_missing."""
    frame = _counts(run("report_rate_totals", params(filters, **options)))
    return frame.astype({"reports_not_yet_due": "int64", "units_missing": "int64"})


def by_place(run: Runner, filters: Filters, level: str, **options: object) -> pd.DataFrame:
    """Rates for each place at `level` ('city', 'county', 'town', or 'unit': each facility, and the towns
    and counties for what they report) inside the selection, lowest reporting rate first."""
    if level not in LEVELS:
        raise ValueError(f"not a level: {level!r}")
    return _counts(run("report_rates_by_place", {**params(filters, **options), "child_level": level}))


def by_alliance(run: Runner, filters: Filters, **options: object) -> pd.DataFrame:
    """Rates for each alliance with members in the selection's places and tiers, lowest first."""
    return _counts(run("report_rates_by_alliance", params(filters, **options)))


def monthly(run: Runner, filters: Filters, **options: object) -> pd.DataFrame:
    """The trend: rates per month and dataset, and per month for all (dataset null)."""
    return _counts(run("report_rates_monthly", params(filters, **options)))


def grid(run: Runner, filters: Filters, **options: object) -> pd.DataFrame:
    """Every unit × month × dataset of the selection with its state, delivery time and exception (long)."""
    return run("report_grid", params(filters, **options))


def grid_table(long: pd.DataFrame, months: Sequence[date]) -> pd.DataFrame:
    """The grid as a data officer reads it: one row per unit (and dataset, alliance), one column per month
    of `months`, each cell a state; months a unit did not owe are not_due."""
    keys = ["unit_code", "unit_name", "dataset", "alliance_code"]
    columns = [pd.Timestamp(month) for month in months]
    if long.empty:
        return pd.DataFrame(columns=[*keys, *columns])
    frame = long.assign(month=pd.to_datetime(long["month"]))
    table = frame.pivot_table(index=keys, columns="month", values="state", aggfunc="first")
    table = table.reindex(columns=columns).fillna("not_due")
    table.columns.name = None
    return table.reset_index()


def missing(run: Runner, filters: Filters, states: Sequence[str] = ("missing",), **options: object) -> pd.DataFrame:
    """The reports of the selection in `states` ('missing', 'late'): who owes what, due when."""
    unknown = [state for state in states if state not in STATES]
    if unknown:
        raise ValueError(f"not a state: {unknown}")
    return run("report_missing", {**params(filters, **options), "states": list(states)})


@dataclass(frozen=True)
class Coverage:
    """What a figure's footnote needs (数据截至 YYYY年M月 · 上报率 x%, "3家机构未上报"): the last month any
    report of the selection came in, the reporting rate and timeliness over all datasets, and how many
    units have a report missing. complete: nothing is missing."""

    last_month: date | None
    reporting_rate: float | None
    timeliness: float | None
    units_missing: int

    @property
    def complete(self) -> bool:
        return self.units_missing == 0


def coverage(totals_frame: pd.DataFrame) -> Coverage:
    """The Coverage of a frame from totals(): its overall row (dataset null); nothing owed gives rates None."""
    overall = totals_frame[totals_frame["dataset"].isna()]
    if overall.empty:
        return Coverage(None, None, None, 0)
    row = overall.iloc[0]
    last = None if pd.isna(row["last_month"]) else pd.Timestamp(row["last_month"]).date()
    rate = None if pd.isna(row["reporting_rate"]) else float(row["reporting_rate"])
    timely = None if pd.isna(row["timeliness"]) else float(row["timeliness"])
    return Coverage(last, rate, timely, int(row["units_missing"]))

"""The quality tables and rollups: created with every database, rebuilt with its other rollups.

ensure_tables() adds the base tables of data/quality_schema.sql to a database built before them;
rebuild() refreshes everything derived (after a build, or the months from the first one a load touched),
rebuild_reports() only who owes and sent what (after a data officer records an exception).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

import duckdb
import pandas as pd

from healthdash.data.catalog import load_catalog
from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.quality import rules, units
from healthdash.data.quality.config import (
    FLAGS_SQL,
    INDICATOR_REPORTS_CSV,
    MAX_DUE_DAY,
    MIN_JUMP,
    MIN_Z,
    QUALITY_MACROS_SQL,
    QUALITY_MEASURES_CSV,
    QUALITY_SCHEMA_SQL,
    REPORT_DATASETS_CSV,
    REPORTS_SQL,
)
from healthdash.data.splice import set_window, splice

UNITS = ("facility", "alliance_member", "town", "county")
OWED_FROM = ("registry", "first_alliance_report")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(QUALITY_SCHEMA_SQL.read_text(encoding="utf-8"))


def report_datasets() -> pd.DataFrame:
    """data/report_datasets.csv: which unit owes each dataset (tiers and alliance kinds as lists). A copy of
    the file as read once: a page asks a dozen times a run."""
    return _report_datasets().copy()


@cache
def _report_datasets() -> pd.DataFrame:
    frame = pd.read_csv(REPORT_DATASETS_CSV, dtype="str", keep_default_na=False)
    unknown = sorted(set(frame["dataset"]) - set(TABLES_BY_NAME)) + sorted(set(frame["unit"]) - set(UNITS))
    unknown += sorted(set(frame["owed_from"]) - set(OWED_FROM))
    if unknown:
        raise ValueError(f"{REPORT_DATASETS_CSV.name}: unknown dataset, unit or owed_from {unknown}")
    # The unit must be the one the dataset's rows name (a town's public health is no facility's report).
    kinds = frame["unit"].replace("alliance_member", "facility")
    wrong = sorted(frame.loc[kinds != frame["dataset"].map(units.unit_kind), "dataset"])
    if wrong:
        raise ValueError(f"{REPORT_DATASETS_CSV.name}: the unit does not match the rows of {wrong}")
    for column in ("tiers", "alliance_kinds"):
        frame[column] = frame[column].str.split().map(list)
    frame["sort_order"] = frame["sort_order"].astype("int64")
    return frame


@cache
def indicator_reports() -> dict[str, str | None]:
    """data/indicator_reports.csv: the monthly report each catalog indicator is computed from (None: from
    no report), so that a figure over a period with reports missing can say so. Every indicator of the
    catalog is declared, and only there."""
    frame = pd.read_csv(INDICATOR_REPORTS_CSV, dtype="str", keep_default_na=False)
    declared = dict(zip(frame["indicator_code"], frame["dataset"], strict=True))
    catalog = set(load_catalog()["code"])
    problems = sorted(set(declared) ^ catalog) + sorted({d for d in declared.values() if d} - set(TABLES_BY_NAME))
    if problems or len(declared) != len(frame):
        raise ValueError(f"{INDICATOR_REPORTS_CSV.name}: not the catalog's indicators, once each, with known "
                         f"datasets: {problems}")
    return {code: dataset or None for code, dataset in declared.items()}


def quality_measures() -> pd.DataFrame:
    """data/quality_measures.csv: the measures checked for outliers, with their bounds per tier ('*': any)."""
    frame = pd.read_csv(QUALITY_MEASURES_CSV, dtype={"dataset": "str", "measure": "str", "tier": "str"},
                        keep_default_na=False, na_values={"min": [""], "max": [""]})
    frame[["min", "max"]] = frame[["min", "max"]].astype("float64")
    unknown = sorted(set(frame["dataset"]) - set(TABLES_BY_NAME))
    if unknown:
        raise ValueError(f"{QUALITY_MEASURES_CSV.name}: unknown dataset {unknown}")
    return frame


def _replace(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    # `name` is one of this module's literals below, never input.
    con.register("declared", frame)
    try:
        con.execute(f"create or replace table {name} as select * from declared")
    finally:
        con.unregister("declared")


# The monthly quality rollups (computed as fresh_<name> by data/quality_*.sql) and the order each is stored in:
# report_status by year, then county, so that a year of the province reads a ninth of it and a county a few
# row groups of each year.
REPORT_ROLLUPS = {
    "report_status": "year(month), county_code, month, dataset, unit_code",
    "report_count": "month, county_code",
    "report_count_alliance": "month, alliance_code",
}
FLAG_ROLLUPS = {
    "quality_score": "unit_code, dataset, measure, alliance_code, month",
    "quality_flag": "county_code, month",
}


def _presence(con: duckdb.DuckDBPyConnection, datasets: list[str]) -> None:
    """Temp tables report_presence (the months from quality_window's on that each unit, and alliance, has
    rows of each declared dataset), report_span (each dataset's first and last month) and
    report_alliance_start (each alliance's first month of each dataset reported per alliance).
    Referral events are no report: a facility that referred nobody sends no rows (its monthly report is
    service_volume), so report_datasets.csv does not list them."""
    parts, spans, starts = [], [], []
    for dataset in datasets:
        unit, alliance = units.unit_columns(dataset)
        month = f"date_trunc('month', {TABLES_BY_NAME[dataset].month_from})::date"
        # Table and column names come from columns.py (a fixed list), never from a file: identifiers.
        alliance_sql = alliance or "''"
        parts.append(f"select distinct '{dataset}' as dataset, {unit} as unit_code, {alliance_sql} as alliance_code, "
                     f"{month} as month from {dataset} where {month} >= (select from_month from quality_window)")
        spans.append(f"select '{dataset}' as dataset, min({month}) as first_month, max({month}) as last_month "
                     f"from {dataset}")
        if alliance:
            starts.append(f"select '{dataset}' as dataset, {alliance} as alliance_code, min({month}) as first_month "
                          f"from {dataset} group by all")
    con.execute("create or replace temp table report_presence as " + " union all ".join(parts))
    con.execute("create or replace temp table report_span as " + " union all ".join(spans))
    con.execute("create or replace temp table report_alliance_start as "
                + (" union all ".join(starts) or "select ''::varchar as dataset, ''::varchar as alliance_code, "
                                                 "null::date as first_month where false"))


def _reports(con: duckdb.DuckDBPyConnection, since: date | None) -> None:
    """report_place, and report_status and its counts for the months from `since` (None: every month)."""
    ensure_tables(con)
    set_window(con, "quality_window", since)
    declared = report_datasets()
    _replace(con, "quality_unit", units.unit_table())
    _replace(con, "report_dataset", declared)
    _presence(con, declared["dataset"].tolist())
    con.execute("create or replace temp table quality_settings as "
                "select $max_due_day as max_due_day, $min_z as min_z, $min_jump as min_jump",
                {"max_due_day": MAX_DUE_DAY, "min_z": MIN_Z, "min_jump": MIN_JUMP})
    con.execute(REPORTS_SQL.read_text(encoding="utf-8"))
    for name, order in REPORT_ROLLUPS.items():
        splice(con, name, order, since)


def rebuild_reports(con: duckdb.DuckDBPyConnection) -> None:
    """Who owes and sent what, every month, from the registry, the fact tables, receipts and exceptions
    (after a data officer records or withdraws an exception)."""
    _reports(con, None)
    con.execute(QUALITY_MACROS_SQL.read_text(encoding="utf-8"))


def rebuild(con: duckdb.DuckDBPyConnection, since: date | None = None,
            progress: Callable[[float, str], None] | None = None) -> None:
    """Every quality rollup for the months from `since` on (None: every month): reports, then outlier and
    rule flags (after rollups.sql: reads facility_geo). `progress(fraction, message_zh)` hears of each step."""
    report = progress or (lambda fraction, message: None)
    report(0.0, "数据质量：应报与实报")
    _reports(con, since)
    report(0.2, "数据质量：异常值评分")
    _replace(con, "quality_measure", quality_measures())
    con.execute(FLAGS_SQL.read_text(encoding="utf-8"))
    report(0.9, "数据质量：校验规则")
    rules.store_flags(con, since)
    for name, order in FLAG_ROLLUPS.items():
        splice(con, name, order, since)
    con.execute(QUALITY_MACROS_SQL.read_text(encoding="utf-8"))

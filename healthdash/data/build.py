"""Write a complete dashboard database from tables in memory, atomically.

The database is built in a new file beside the target and swapped in with os.replace only once it is
complete and checkpointed, so a reader (the dashboard opens the file read-only) sees either the old
database or the new one, never half of one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from healthdash.core.paths import (
    GRAIN_ROLLUPS_SQL,
    MACROS_SQL,
    REFERRAL_FACILITY_SQL,
    ROLLUPS_SQL,
    SCHEMA_SQL,
    SCOPE_MACROS_SQL,
    TOWN_RUNNING_SQL,
)
from healthdash.data import appraisal
from healthdash.data.quality import schema as quality_schema
from healthdash.data.splice import set_window, splice

SCHEMA_VERSION = "14"  # the last step of healthdash/data/migrate.py

Progress = Callable[[float, str], None]

# The tables a build may fill, as named in schema.sql. Insert statements are looked up here, so a
# table name never reaches SQL text unless it is one of these.
TABLES = ("region", "facility", "alliance", "alliance_member", "indicator", "service_volume", "resident_care",
          "referral", "alliance_activity", "shared_service", "public_health", "staff_income", "import_batch",
          # issue 26: 防止因病返贫, 医养结合, licensing registers, pathogen network
          "poverty_monitoring", "serious_illness", "elderly_care", "workforce_register", "pathogen_test",
          "region_boundary",
          # data quality (issue 20): data/quality_schema.sql
          "facility_dates", "report_receipt", "report_exception", "quality_mark",
          # 监测与考核 (issue 23): data/appraisal_schema.sql
          "appraisal_target", "appraisal_scheme_choice")
_INSERT = {name: f'insert into "{name}" by name select * from source_table' for name in TABLES}


def _quiet(fraction: float, message: str) -> None:
    """Default progress callback: say nothing."""


# A build, a load or a schema step spills to disk past this rather than grow: DuckDB's default, 80% of
# the machine, let the province's schema step 14 reach 7.97 GB (docs/PERFORMANCE.md).
WRITE_MEMORY_LIMIT = "6GB"


def connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    # The dashboard runs on intranets without internet: never try to download an extension.
    return duckdb.connect(str(path), config={"autoinstall_known_extensions": False,
                                             "memory_limit": WRITE_MEMORY_LIMIT})


# The monthly rollups of data/rollups.sql, data/grain_rollups.sql, data/referral_facility_rollup.sql and
# data/town_running_rollup.sql (written there as fresh_<name>) and the order each is stored in: the
# indicator grains and referral flows by year, then place, so that a year of a county is a few row groups
# and a year of the province a ninth of the table; the running totals, read two months at a time, by
# month, then place (a load appends its months at the end, in order).
MONTHLY_ROLLUPS = {
    "referral_flow_monthly": "year(month), home_county, month, home_facility",
    "referral_disease_monthly": "year(month), home_county, month, home_facility",
    "referral_facility_monthly": "year(month), county_code, month, facility_code",
    "indicator_fact": "year(month), county_code, town_code, indicator_code, month",
    "indicator_county_fact": "year(month), county_code, indicator_code, month",
    "indicator_town_fact": "year(month), county_code, town_code, indicator_code, month",
    "indicator_town_running": "month, county_code, town_code, indicator_code",
    "alliance_fact": "scope_alliance, indicator_code, month",
    "referral_outflow_monthly": "month, from_facility",
}


def rebuild_rollups(con: duckdb.DuckDBPyConnection, since: date | None = None, progress: Progress | None = None) -> None:
    """Recompute the rollups from the base tables and refresh the meta figures derived from them: every
    month (after a build, or `since` None), or only the months from `since` on (the first month a load
    changed: healthdash/ingest/loader.py). `progress(fraction, message_zh)` hears of each step."""
    report = progress or _quiet
    con.execute(MACROS_SQL.read_text(encoding="utf-8"))
    set_window(con, "rebuild_window", since)
    report(0.0, "汇总表：转诊、指标明细、区县与医联体汇总")
    con.execute(ROLLUPS_SQL.read_text(encoding="utf-8"))
    con.execute(GRAIN_ROLLUPS_SQL.read_text(encoding="utf-8"))
    con.execute(TOWN_RUNNING_SQL.read_text(encoding="utf-8"))
    con.execute(REFERRAL_FACILITY_SQL.read_text(encoding="utf-8"))
    report(0.45, "汇总表：按地区排序写入")
    for name, order in MONTHLY_ROLLUPS.items():
        splice(con, name, order, since)
    con.execute(SCOPE_MACROS_SQL.read_text(encoding="utf-8"))
    # data quality (issue 20): reports owed and received, outliers, rule flags
    quality_schema.rebuild(con, since, lambda f, m: report(0.6 + 0.4 * f, m))
    con.execute(
        "insert or replace into meta values ('referral_events', (select count(*) from referral)::varchar)"
    )


def write_database(
    path: Path,
    tables: Mapping[str, pd.DataFrame | pa.Table],
    kind: str,
    progress: Progress | None = None,
    *,
    extra_meta: Mapping[str, str] | None = None,
) -> None:
    """Build a new database at `path` from `tables` (schema.sql names; columns matched by name).

    `kind` is stored as meta.dataset_kind ('demo' or 'production'); `extra_meta` adds keys such as the
    demo's seed and scale. `progress(fraction, message_zh)` is called as the work advances.
    """
    report = progress or _quiet
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same directory, so the final os.replace is a rename within one file system (atomic).
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    con = connect_for_writing(tmp)
    try:
        report(0.0, "创建数据库结构")
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        quality_schema.ensure_tables(con)  # data quality (issue 20)
        appraisal.ensure_tables(con)  # 监测与考核 (issue 23): judgements and targets
        total_rows = sum(row_count(table) for table in tables.values()) or 1
        done = 0
        unknown = set(tables) - set(_INSERT)
        if unknown:
            raise ValueError(f"not a table of schema.sql: {sorted(unknown)}")
        for name, table in tables.items():
            report(0.05 + 0.75 * done / total_rows, f"写入 {name}")
            con.register("source_table", table)
            try:
                con.execute(_INSERT[name])
            finally:
                con.unregister("source_table")
            done += row_count(table)
        meta = {
            "dataset_kind": kind,
            "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **(extra_meta or {}),
        }
        con.executemany("insert into meta values (?, ?)", [(key, str(value)) for key, value in meta.items()])
        rebuild_rollups(con, progress=lambda f, m: report(0.8 + 0.15 * f, m))
        report(0.95, "写入磁盘")
        con.execute("checkpoint")
        con.close()
        # A WAL left beside the old file by a crashed writer would be replayed onto the new one.
        Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(tmp, path)
        report(1.0, "完成")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise


def row_count(table: pd.DataFrame | pa.Table) -> int:
    return table.num_rows if isinstance(table, pa.Table) else len(table)

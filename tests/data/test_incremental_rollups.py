"""A load recomputes only the months it touches (from the January of the first), and comes out as a whole
rebuild would: on the demo, the newest month of every monthly report is taken out, rebuilt whole, loaded back
through the loader (whose rebuild is incremental) and undone again; after each step every rollup equals a
whole rebuild of the same base tables."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from healthdash.data.build import MONTHLY_ROLLUPS, connect_for_writing, rebuild_rollups
from healthdash.data.columns import TABLES, TABLES_BY_NAME
from healthdash.data.quality.schema import FLAG_ROLLUPS, REPORT_ROLLUPS
from healthdash.ingest import loader

MONTH = date(2025, 12, 1)  # the demo's newest month
ROLLUPS = [*MONTHLY_ROLLUPS, *REPORT_ROLLUPS, *FLAG_ROLLUPS, "facility_geo", "report_place"]


def month_rows(con: duckdb.DuckDBPyConnection, table) -> pd.DataFrame:
    # Table and column names come from columns.py: identifiers.
    return con.execute(f"select {', '.join(table.names)} from {table.name} "
                       f"where date_trunc('month', {table.month_from}) = $m", {"m": MONTH}).df()


def rebuilt_whole(path: Path, into: Path) -> Path:
    shutil.copyfile(path, into)
    con = connect_for_writing(into)
    try:
        rebuild_rollups(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return into


def differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rollup -> (rows only in left, rows only in right), for the rollups that differ."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        for name in ROLLUPS:
            only_left = con.execute(f"select count(*) from (from l.{name} except all from r.{name})").fetchall()[0][0]
            only_right = con.execute(f"select count(*) from (from r.{name} except all from l.{name})").fetchall()[0][0]
            if only_left or only_right:
                found[name] = (only_left, only_right)
    return found


@pytest.fixture(scope="module")
def before(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """The demo without its newest month (rebuilt whole), and that month's rows of every monthly report."""
    path = tmp_path_factory.mktemp("incremental") / "health.duckdb"
    shutil.copyfile(demo_db, path)
    con = connect_for_writing(path)
    try:
        taken = {table.name: month_rows(con, table) for table in TABLES}
        for table in TABLES:
            con.execute(f"delete from {table.name} where date_trunc('month', {table.month_from}) = $m", {"m": MONTH})
        con.execute("delete from report_receipt where month = $m", {"m": MONTH})
        rebuild_rollups(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path, {name: rows for name, rows in taken.items() if len(rows)}


def test_a_month_loaded_and_undone_leaves_every_rollup_as_a_whole_rebuild(before, tmp_path: Path) -> None:
    start, taken = before
    assert {"service_volume", "referral", "public_health", "alliance_activity", "shared_service"} <= set(taken)
    db = tmp_path / "health.duckdb"
    shutil.copyfile(start, db)
    # One workbook, a sheet per report as the template names them: one batch, so one undo.
    book = openpyxl.Workbook(write_only=True)
    for name, rows in taken.items():
        spec = TABLES_BY_NAME[name]
        sheet = book.create_sheet(spec.zh)
        sheet.append([spec.column(column).zh for column in rows.columns])
        for record in rows.astype(object).where(rows.notna(), None).itertuples(index=False):
            sheet.append([str(value) if isinstance(value, date | pd.Timestamp) else value for value in record])
    book.save(tmp_path / "月报.xlsx")

    result = loader.apply(db, loader.read_paths([tmp_path / "月报.xlsx"]), "tester")
    assert result.ok, result.checked.problems.head().to_dict("records")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select max(month) from indicator_fact").fetchall()[0][0] == MONTH
        assert con.execute("select count(*) from quality_score where month = $m", {"m": MONTH}).fetchall()[0][0] > 0
    assert differences(db, rebuilt_whole(db, tmp_path / "whole.duckdb")) == {}

    for batch in sorted(result.batches, reverse=True):
        loader.undo(db, batch, "tester")
    assert differences(db, start) == {}

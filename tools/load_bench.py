"""How long checking and loading a large referral file takes (`python -m tools bench-load`), and with
--month a month of every monthly report of every unit (`measure_month_load`), loaded and undone.

The file is the database's own most recent referral events written as a facility would send them
(Chinese headers and labels), with every tenth green-channel flag flipped so that the load really
replaces the months it covers: a CSV, or with --xlsx the same rows as a workbook (written by openpyxl, as
a hospital system's export would be; writing a million rows takes it a minute or two). The load runs on a
copy of the database in a temporary directory.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.db import bind, load_sql, open_readonly

TARGET_SECONDS = 15.0
# Reading a million-row workbook (issue 17): time and the reading child's peak memory.
WORKBOOK_READ_SECONDS = 60.0
WORKBOOK_READ_MB = 1536.0


def write_referral_csv(db: Path, path: Path, rows: int, *, encoding: str = "utf-8",
                       changed_every: int = 10) -> Path:
    """Write the `rows` most recent referral events of `db` to `path` as a facility's CSV report."""
    table = TABLES_BY_NAME["referral"]
    with open_readonly(db) as con:
        events = con.sql(load_sql("latest_referrals"), params=bind("latest_referrals", {"rows": rows})).to_arrow_table()
    green = events["green_channel"].to_numpy().copy()
    if changed_every:
        green[::changed_every] = ~green[::changed_every]
    out = {}
    for column in table.columns:
        values = events[column.name]
        if column.choices:
            values = _relabel(values, {code: zh for code, zh, _ in column.choices})
        elif column.name == "green_channel":
            values = pa.array(np.where(green, "是", "否"))
        out[column.zh] = values.cast(pa.string())
    buffer = pa.BufferOutputStream()
    # No quotes (no value here needs them), like Excel's "CSV" export.
    pacsv.write_csv(pa.table(out), buffer, pacsv.WriteOptions(quoting_style="none"))
    data = buffer.getvalue().to_pybytes()
    path.write_bytes(data if encoding.replace("-", "").lower() == "utf8" else data.decode("utf-8").encode(encoding))
    return path


def _relabel(values: pa.ChunkedArray, labels: dict[str, str]) -> pa.Array:
    """Codes to their Chinese labels, looked up once per distinct code."""
    encoded = values.combine_chunks().dictionary_encode()
    names = pa.array([labels.get(code, code) for code in encoded.dictionary.to_pylist()], pa.string())
    return pa.DictionaryArray.from_arrays(encoded.indices, names).cast(pa.string())


def write_referral_workbook(csv_path: Path, path: Path) -> Path:
    """The rows of a UTF-8 CSV written by write_referral_csv as a one-sheet .xlsx (双向转诊)."""
    import csv

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("双向转诊")
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(path)
    return path


def measure_load(db: Path, rows: int = 1_000_000, encoding: str = "utf-8", workbook: bool = False) -> dict[str, float]:
    """Seconds to read, check and load `rows` referral rows from a CSV in `encoding` (or a workbook) into a
    copy of `db`, and the reading child's peak memory."""
    from healthdash.ingest import loader

    with tempfile.TemporaryDirectory(prefix="healthdash-bench-") as work:
        work_dir = Path(work)
        copy = work_dir / "health.duckdb"
        shutil.copyfile(db, copy)
        path = write_referral_csv(copy, work_dir / "双向转诊.csv", rows, encoding="utf-8" if workbook else encoding)
        if workbook:
            path = write_referral_workbook(path, work_dir / "双向转诊.xlsx")
        size_mb = path.stat().st_size / 1048576
        marks: dict[str, float] = {}
        started = time.perf_counter()
        sources = loader.read_paths([path], limit_mb=max(50.0, size_mb * 2))
        marks["read"] = time.perf_counter()

        def progress(fraction: float, message: str) -> None:
            if fraction >= 0.2 and "check" not in marks:
                marks["check"] = time.perf_counter()

        result = loader.apply(copy, sources, "bench", progress=progress)
        finished = time.perf_counter()
        if not result.applied:
            raise RuntimeError(f"benchmark file rejected: {result.checked.problems.head().to_dict('records')}")
        counts = result.totals()["referral"]
        return {
            "rows": float(rows),
            "file_mb": round(size_mb, 1),
            "read_peak_mb": round(sources[0].peak_rss_mb or 0.0),
            "read_s": round(marks["read"] - started, 2),
            "check_s": round(marks["check"] - marks["read"], 2),
            "load_s": round(finished - marks["check"], 2),
            "total_s": round(finished - started, 2),
            "replaced": float(counts["replaced"]),
            "added": float(counts["added"]),
        }


def print_load_bench(db: Path, rows: int = 1_000_000, encoding: str = "utf-8", workbook: bool = False) -> dict[str, float]:
    figures = measure_load(Path(db), rows, encoding, workbook)
    verdict = "ok" if figures["total_s"] < TARGET_SECONDS else "SLOW"
    source = "an .xlsx workbook" if workbook else f"CSV ({encoding})"
    print(f"load {int(figures['rows']):,} referral rows from {source}, {figures['file_mb']} MB")
    read_verdict = ""
    if workbook:
        fast = figures["read_s"] < WORKBOOK_READ_SECONDS and figures["read_peak_mb"] < WORKBOOK_READ_MB
        read_verdict = (f"   target < {WORKBOOK_READ_SECONDS:g} s and < {WORKBOOK_READ_MB:g} MB: "
                        f"{'ok' if fast else 'SLOW'}")
    print(f"  read      {figures['read_s']:>7.2f} s   child's peak memory {figures['read_peak_mb']:,.0f} MB{read_verdict}")
    print(f"  check     {figures['check_s']:>7.2f} s")
    print(f"  load      {figures['load_s']:>7.2f} s   (copy, replace, rollups, checkpoint, swap)")
    print(f"  total     {figures['total_s']:>7.2f} s   target < {TARGET_SECONDS:g} s: {verdict}")
    return figures


# The monthly reports a month of reporting brings (the referral platform's events are bench-load's other case),
# each with a count that a correction may raise without breaking a check (a whole, never a part).
MONTHLY_REPORTS = {"service_volume": "outpatient_visits", "resident_care": "visits_out_of_county",
                   "alliance_activity": "lectures", "shared_service": "remote_cases", "public_health": "denominator"}
MONTH_TARGET_SECONDS = 120.0  # issue 21: a month of the province's reports, loaded or undone


def write_month_files(db: Path, folder: Path) -> tuple[str, list[Path]]:
    """The newest month of every monthly report of `db` as the CSV files its units would send, every tenth
    row of each with a count one higher (a correction, so the load replaces that month)."""
    files = []
    with open_readonly(db) as con:
        month = con.execute("select max(month) from service_volume").fetchall()[0][0]
        for name, counted in MONTHLY_REPORTS.items():
            table = TABLES_BY_NAME[name]
            # Table and column names come from columns.py: identifiers.
            frame = con.execute(f"select {', '.join(table.names)} from {name} where month = $m", {"m": month}).df()
            if frame.empty:
                continue
            corrected = frame.index[::10].intersection(frame.index[frame[counted].notna()])
            frame.loc[corrected, counted] = frame.loc[corrected, counted] + 1
            for column in table.columns:
                if column.choices:
                    frame[column.name] = frame[column.name].map({code: zh for code, zh, _ in column.choices})
            frame["month"] = frame["month"].map(lambda value: f"{value:%Y-%m}")
            frame.columns = [table.column(name).zh for name in frame.columns]
            path = folder / f"{table.zh}.csv"
            frame.to_csv(path, index=False)
            files.append(path)
    return f"{month:%Y-%m}", files


def measure_month_load(db: Path) -> dict[str, float | str]:
    """Seconds to read, check and load the newest month of every monthly report into a copy of `db`, and to
    undo it again."""
    from healthdash.ingest import loader

    with tempfile.TemporaryDirectory(prefix="healthdash-bench-") as work:
        work_dir = Path(work)
        copy = work_dir / "health.duckdb"
        shutil.copyfile(db, copy)
        month, paths = write_month_files(copy, work_dir)
        started = time.perf_counter()
        sources = loader.read_paths(paths, limit_mb=1024)
        read = time.perf_counter()
        result = loader.apply(copy, sources, "bench")
        loaded = time.perf_counter()
        if not result.applied:
            raise RuntimeError(f"benchmark files rejected: {result.checked.problems.head().to_dict('records')}")
        for batch in sorted(result.batches, reverse=True):
            loader.undo(copy, batch, "bench")
        undone = time.perf_counter()
        return {
            "month": month,
            "rows": float(sum(sum(counts.values()) for counts in result.totals().values())),
            "database_mb": round(copy.stat().st_size / 1048576),
            "read_s": round(read - started, 2),
            "load_s": round(loaded - read, 2),
            "undo_s": round(undone - loaded, 2),
            "batches": float(len(result.batches)),
        }


def print_month_load_bench(db: Path) -> dict[str, float | str]:
    figures = measure_month_load(Path(db))
    print(f"load the newest month ({figures['month']}) of every monthly report: {int(figures['rows']):,} rows, "
          f"database {figures['database_mb']:,} MB")
    undo_each = float(figures["undo_s"]) / float(figures["batches"])
    for step, seconds, note in (("read", float(figures["read_s"]), ""),
                                ("load", float(figures["load_s"]), "(one batch per file, one swap)"),
                                ("undo", undo_each, f"(each of the {int(figures['batches'])} batches)")):
        verdict = f"target < {MONTH_TARGET_SECONDS:g} s: {'ok' if seconds < MONTH_TARGET_SECONDS else 'SLOW'}"
        print(f"  {step:<8}{seconds:>8.2f} s   {verdict if step != 'read' else ''} {note}")
    return figures

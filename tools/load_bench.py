"""How long checking and loading a large referral file takes (`python -m tools bench-load`).

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

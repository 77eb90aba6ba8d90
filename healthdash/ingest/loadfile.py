"""Read the files a data officer loads (workbooks: .xlsx, .xlsm, .xls, .ods; CSV in UTF-8/GBK/GB18030/UTF-16)
into raw text tables, in a child process under a time and memory limit (bounded.py).

Nothing here judges values; it decides what a file is (by its bytes, not only its name), which fact table
each sheet or CSV holds (by sheet or file name, else by its headers), maps the headers to schema columns
and hands every value on as text (NFKC-normalised, invisible characters removed, stripped) with the row
number the user sees. File-level problems (wrong type, encoding, size, hidden sheets, merged headers,
empty) are reported here; value checks are validate.py's. Workbooks are read by workbook.py, and
read_file.py runs either in the bounded child.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from healthdash.data.columns import (
    EXAMPLE_MARK,
    INVISIBLE,
    TABLES,
    TABLES_BY_NAME,
    header_index,
    normalise_header,
    sheet_index,
)
from healthdash.ingest import problems

DEFAULT_MAX_MB = 50
# The reading child's limits, well above what a legitimate 1 M-row workbook needs (docs/PERFORMANCE.md).
READ_SECONDS = 120
READ_MEMORY_MB = 2048
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound files: old Excel (.xls), and encrypted workbooks
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
# How far down a header that is not on row 1 is looked for, to say where it seems to be.
HEADER_SEARCH_ROWS = 10
RAGGED_LISTED = 10_000  # CSV rows with the wrong number of fields listed at most


@dataclass
class Sheet:
    """One table's worth of rows from a file: a workbook sheet or a whole CSV."""

    file: str
    sheet: str                 # sheet name; "" for CSV
    table: str                 # schema table
    frame: pd.DataFrame        # recognised columns only, named as in the schema; text, stripped
    rows: np.ndarray           # the row number the user sees for each frame row
    ignored_columns: list[str] = field(default_factory=list)
    example_rows: int = 0      # template example rows skipped
    # Schema column -> which of its cells were numbers in the workbook (month and date columns only: a
    # month typed 2025.10 in a General cell is the number 2025.1, which no reader can tell from January).
    numeric: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Source:
    """A file as read: its checksum, the sheets found in it and the problems that stop it loading."""

    name: str
    size: int
    checksum: str
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[pd.DataFrame | dict] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)  # sheets that are no table of the template
    peak_rss_mb: float | None = None  # the reading child's peak resident memory


def limit_mb(override: float | None = None) -> float:
    """The largest file accepted, in MB: the override, else $HEALTHDASH_MAX_LOAD_MB, else 50."""
    if override is not None:
        return override
    configured = os.environ.get("HEALTHDASH_MAX_LOAD_MB")
    return float(configured) if configured else DEFAULT_MAX_MB


def max_bytes(override_mb: float | None = None) -> int:
    return int(limit_mb(override_mb) * 1024 * 1024)


def too_large(name: str, size: int, limit: int) -> dict:
    return problems.one(name, "too_large", size=f"{size / 1048576:.1f}", limit=f"{limit / 1048576:g}")


def table_by_name(name: str) -> str | None:
    """The table a sheet or file name names: exactly, or (for file names) as the only table name inside it."""
    key = normalise_header(name)
    index = sheet_index()
    if key in index:
        return index[key]
    found = {table for spelling, table in index.items() if len(spelling) > 3 and spelling in key}
    return found.pop() if len(found) == 1 else None


def _header_matches(headers: list[str]) -> dict[str, int]:
    keys = {normalise_header(header) for header in headers}
    return {table.name: len(keys & set(header_index(table.name))) for table in TABLES}


def _unique_best(headers: list[str]) -> str | None:
    """The one table these headers name at least two columns of, if exactly one table does best."""
    matches = _header_matches(headers)
    best = max(matches, key=matches.__getitem__)
    if matches[best] >= 2 and sum(count == matches[best] for count in matches.values()) == 1:
        return best
    return None


def identify(source: Source, sheet: str, label: str, header_rows: list[list[str]], *,
             skippable: bool) -> str | None:
    """Which table a sheet (or CSV) holds, from its name (`label`) and its first row. Reports a problem
    and returns None when it cannot tell, or when the header seems to be further down than row 1; a
    workbook sheet (`skippable`) that looks like no table at all is only noted as ignored."""
    headers = header_rows[0] if header_rows else []
    matches = _header_matches(headers)
    best = max(matches, key=matches.__getitem__)
    named = table_by_name(label)
    if named is not None:
        if matches[named] == 0 and matches[best] >= 2:
            source.problems.append(problems.one(
                source.name, "table_mismatch", sheet=sheet, named=TABLES_BY_NAME[named], found=TABLES_BY_NAME[best]))
            return None
        if matches[named] < 2 and _header_further_down(source, sheet, header_rows, named):
            return None
        return named
    if matches[best] >= 2:
        if sum(count == matches[best] for count in matches.values()) == 1:
            return best
    elif _header_further_down(source, sheet, header_rows, None):
        return None
    elif skippable:
        source.ignored_sheets.append(sheet)
        return None
    shown = "、".join(header for header in headers if header)[:200]
    source.problems.append(problems.one(source.name, "unknown_table", sheet=sheet, value=shown))
    return None


def _header_further_down(source: Source, sheet: str, header_rows: list[list[str]], table: str | None) -> bool:
    """Report (and say True) when a row below row 1 looks like the header of `table` (or of any table)."""
    for number, headers in enumerate(header_rows[1:HEADER_SEARCH_ROWS], start=2):
        found = _unique_best(headers)
        if found is not None and (table is None or found == table):
            shown = "、".join(header for header in headers if header)[:200]
            source.problems.append(problems.one(source.name, "header_not_first_row", sheet=sheet, row=number,
                                                value=shown, above=number - 1))
            return True
    return False


def clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as the user means it: full-width digits, letters and spaces as ASCII (NFKC), zero-width
    characters and byte-order marks removed, surrounding spaces stripped (in Arrow, a column at a time)."""
    columns = {}
    for position in range(len(frame.columns)):
        values = pc.utf8_normalize(pa.array(frame.iloc[:, position], pa.string()), "NFKC")
        columns[str(position)] = pc.utf8_trim_whitespace(pc.replace_substring_regex(values, INVISIBLE, ""))
    cleaned = pa.table(columns).to_pandas()
    cleaned.columns, cleaned.index = frame.columns, frame.index
    return cleaned


def keep_sheet(source: Source, sheet: str, table: str, headers: list[str], frame: pd.DataFrame,
               rows: np.ndarray, numeric: dict[int, np.ndarray] | None = None, hidden: str = "") -> None:
    """Map raw columns (positional) to schema columns, drop blank and example rows, keep the result.
    `numeric`: position -> which cells were numbers; `hidden`: "hidden"/"very_hidden" for a hidden sheet,
    whose rows are refused (nobody checked them on screen) unless it holds none."""
    index = header_index(table)
    spec = TABLES_BY_NAME[table]
    chosen: dict[str, int] = {}
    ignored: list[str] = []
    failed = False
    frame = clean_text(frame)
    for position, header in enumerate(headers):
        column = index.get(normalise_header(header))
        values = frame.iloc[:, position]
        if not normalise_header(header):
            if values.ne("").any():
                source.problems.append(problems.one(source.name, "blank_header", sheet=sheet, row=1,
                                                    value=letters(position), position=letters(position)))
                failed = True
            continue
        if column is None:
            ignored.append(header)
        elif column in chosen:
            source.problems.append(problems.one(source.name, "duplicate_column", sheet=sheet, row=1,
                                                column=spec.column(column), value=header))
            failed = True
        else:
            chosen[column] = position
    for column in spec.columns:
        if column.required and column.name not in chosen:
            source.problems.append(problems.one(source.name, "missing_column", sheet=sheet, row=1,
                                                column=column, table=spec))
            failed = True
    if failed:
        return
    out = pd.DataFrame({name: frame.iloc[:, position] for name, position in chosen.items()})
    blank = out.eq("").all(axis=1).to_numpy()
    first = spec.columns[0].name
    example = out[first].str.startswith(EXAMPLE_MARK).to_numpy() if first in out else np.zeros(len(out), bool)
    keep = ~(blank | example)
    if hidden and keep.any():
        source.problems.append(problems.one(source.name, hidden, sheet=sheet, rows=int(keep.sum())))
        return
    kept_numeric = {name: numeric[position][keep] for name, position in chosen.items()
                    if numeric is not None and position in numeric}
    source.sheets.append(Sheet(source.name, sheet, table, out.loc[keep].reset_index(drop=True),
                               rows[keep], ignored, int(example.sum()), kept_numeric))


def letters(position: int) -> str:
    """0 -> A, 26 -> AA: the Excel column letter."""
    text = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        text = chr(65 + rest) + text
    return text


# CSV -----------------------------------------------------------------------------------------------------


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text saved without its byte-order mark:
    in the ASCII part (headers, codes, figures) every other byte is zero."""
    sample = data[:65536]
    half = len(sample) // 2
    if half < 4:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros > half * 0.2 and other < half * 0.02:
            return encoding
    return None


def _decode(data: bytes) -> tuple[str, bytes] | None:
    """(encoding, the same text as UTF-8 bytes), or None when it is none of the encodings we accept."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", data[len(codecs.BOM_UTF8):]
    utf16 = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _utf16_without_bom(data)
    if utf16:
        try:
            return utf16, data.decode(utf16).lstrip("\ufeff").encode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        data.decode("utf-8")
        return "utf-8", data
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 contains GBK (and GB2312): one decoder reads all three.
        return "gb18030", data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        return None


def read_csv(source: Source, data: bytes) -> None:
    name = source.name
    if data.startswith((ZIP, OLE)):
        source.problems.append(problems.one(name, "csv_is_workbook"))
        return
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data)
    if b"\x00" in data[:65536] and not utf16:
        source.problems.append(problems.one(name, "csv_binary"))
        return
    decoded = _decode(data)
    if decoded is None:
        source.problems.append(problems.one(name, "csv_encoding"))
        return
    encoding, utf8 = decoded
    head = utf8[:65536].decode("utf-8", errors="ignore")
    lines = head.splitlines()
    first_line = lines[0] if lines else ""
    counts = {separator: first_line.count(separator) for separator in (",", "\t", ";")}
    if counts[";"] > max(counts[","], counts["\t"]):
        source.problems.append(problems.one(name, "csv_semicolon"))
        return
    delimiter = "\t" if counts["\t"] > counts[","] else ","
    header_rows = [[cell.strip() for cell in record]
                   for record in csv.reader(io.StringIO("\n".join(lines[:HEADER_SEARCH_ROWS])), delimiter=delimiter)]
    headers = header_rows[0] if header_rows else []
    table = identify(source, "", PurePath(name).stem, header_rows, skippable=False)
    if table is None:
        if encoding == "gb18030" and not any(_header_matches(headers).values()):
            source.problems.append(problems.one(name, "csv_encoding_hint"))
        return
    body = utf8.split(b"\n", 1)[1] if b"\n" in utf8 else b""
    if not body.strip(b"\r\n\t ,"):  # a header and nothing else
        frame = pd.DataFrame({i: pd.Series(dtype="str") for i in range(len(headers))})
        keep_sheet(source, "", table, headers, frame, np.zeros(0, "int64"))
        return
    bad_rows: list[int] = []
    try:
        parsed = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(skip_rows=1, autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                invalid_row_handler=lambda row: bad_rows.append(row.actual_columns) or "skip",
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(headers))},
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        bad_rows.append(-1)
        parsed = None
    # Arrow takes the number of fields from the first row below the header: when every row is short, none
    # is "invalid" and the table is narrower than the header.
    if bad_rows or parsed is None or parsed.num_columns != len(headers):
        _report_ragged_rows(source, utf8, delimiter, len(headers))
        return
    frame = parsed.to_pandas()
    keep_sheet(source, "", table, headers, frame, np.arange(2, len(frame) + 2))


def _report_ragged_rows(source: Source, utf8: bytes, delimiter: str, expected: int) -> None:
    """Rows with more or fewer fields than the header: found again row by row (only for broken files),
    so that each gets its exact row number; the first RAGGED_LISTED of them."""
    reader = csv.reader(io.StringIO(utf8.decode("utf-8")), delimiter=delimiter)
    found: list[tuple[int, int]] = []
    try:
        next(reader, None)
        for number, record in enumerate(reader, start=2):
            if record and len(record) != expected:
                found.append((number, len(record)))
                if len(found) == RAGGED_LISTED:
                    break
    except csv.Error:  # an unclosed quote swallowing the rest of the file, say
        found = []
    if not found:
        source.problems.append(problems.one(source.name, "csv_unreadable"))
        return
    rows = np.array([number for number, _ in found])
    actual = pd.Series([count for _, count in found])
    source.problems.append(problems.many(source.name, "", rows, "csv_columns", column=None,
                                         values=actual, per_row=actual, expected=expected))

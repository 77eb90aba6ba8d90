"""Read the files a data officer loads (XLSX workbooks, CSV in UTF-8/GBK/GB18030) into raw text tables.

Nothing here judges values; it decides what a file is (by its bytes, not only its name), which fact table
each sheet or CSV holds (by sheet or file name, else by its headers), maps the headers to schema columns
and hands every value on as stripped text with the row number the user sees. File-level problems (wrong
type, encoding, size, formulas, merged headers, empty) are reported here; value checks are validate.py's.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from healthdash import problems
from healthdash.columns import (
    CODE_SHEETS,
    EXAMPLE_MARK,
    TABLES,
    TABLES_BY_NAME,
    header_index,
    normalise_header,
    sheet_index,
)

DEFAULT_MAX_MB = 50
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.xls)
# A workbook that unpacks to far more than its size is damaged or hostile (a "zip bomb").
_UNPACK_FACTOR = 20


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


@dataclass
class Source:
    """A file as read: its checksum, the sheets found in it and the problems that stop it loading."""

    name: str
    size: int
    checksum: str
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[pd.DataFrame | dict] = field(default_factory=list)


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


def read_source(name: str, data: bytes, *, limit: int) -> Source:
    """Read one file (its name as uploaded and its bytes). Never raises on bad content: reports it."""
    source = Source(name, len(data), hashlib.sha256(data).hexdigest())
    suffix = PurePath(name).suffix.lower()
    if len(data) > limit:
        source.problems.append(too_large(name, len(data), limit))
    elif not data.strip():
        source.problems.append(problems.one(name, "empty_file"))
    elif suffix in (".xls", ".xlsm", ".xlsb") or (suffix == ".xlsx" and data.startswith(_OLE)):
        source.problems.append(problems.one(name, "xls_format", ext=suffix))
    elif suffix == ".xlsx":
        _read_workbook(source, data, limit)
    elif suffix in (".csv", ".txt"):
        _read_csv(source, data)
    else:
        source.problems.append(problems.one(name, "unsupported_type", ext=suffix or "(无)"))
    if not source.problems and not any(len(sheet.frame) for sheet in source.sheets):
        source.problems.append(problems.one(name, "no_data"))
    return source


# Tables --------------------------------------------------------------------------------------------------


def _table_by_name(name: str) -> str | None:
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


def _identify(source: Source, sheet: str, label: str, headers: list[str]) -> str | None:
    """Which table these headers belong to; reports a problem and returns None when it cannot tell."""
    matches = _header_matches(headers)
    best = max(matches, key=matches.__getitem__)
    named = _table_by_name(label)
    if named is not None:
        if matches[named] == 0 and matches[best] >= 2:
            source.problems.append(problems.one(
                source.name, "table_mismatch", sheet=sheet, named=TABLES_BY_NAME[named], found=TABLES_BY_NAME[best]))
            return None
        return named
    if matches[best] >= 2 and sum(count == matches[best] for count in matches.values()) == 1:
        return best
    shown = "、".join(header for header in headers if header)[:200]
    source.problems.append(problems.one(source.name, "unknown_table", sheet=sheet, value=shown))
    return None


def _sheet(source: Source, sheet: str, table: str, headers: list[str], frame: pd.DataFrame,
           rows: np.ndarray) -> None:
    """Map raw columns (positional) to schema columns, drop blank and example rows, keep the result."""
    index = header_index(table)
    spec = TABLES_BY_NAME[table]
    chosen: dict[str, int] = {}
    ignored: list[str] = []
    failed = False
    for position, header in enumerate(headers):
        column = index.get(normalise_header(header))
        values = frame.iloc[:, position]
        if not header.strip():
            if values.ne("").any():
                source.problems.append(problems.one(source.name, "blank_header", sheet=sheet, row=1,
                                                    value=_letters(position), position=_letters(position)))
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
    source.sheets.append(Sheet(source.name, sheet, table, out.loc[keep].reset_index(drop=True),
                               rows[keep], ignored, int(example.sum())))


def _letters(position: int) -> str:
    """0 -> A, 26 -> AA: the Excel column letter."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# CSV -----------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, bytes] | None:
    """(encoding, the same text as UTF-8 bytes), or None when it is none of the encodings we accept."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return "utf-16", data.decode("utf-16").encode("utf-8")
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


def _read_csv(source: Source, data: bytes) -> None:
    name = source.name
    if data.startswith((_ZIP, _OLE)):
        source.problems.append(problems.one(name, "csv_is_workbook"))
        return
    if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        source.problems.append(problems.one(name, "csv_binary"))
        return
    decoded = _decode(data)
    if decoded is None:
        source.problems.append(problems.one(name, "csv_encoding"))
        return
    encoding, utf8 = decoded
    head = utf8[:65536].decode("utf-8", errors="ignore")
    first_line = head.splitlines()[0] if head.splitlines() else ""
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    headers = [cell.strip() for cell in next(csv.reader(io.StringIO(head), delimiter=delimiter), [])]
    table = _identify(source, "", PurePath(name).stem, headers)
    if table is None:
        if encoding == "gb18030" and not any(_header_matches(headers).values()):
            source.problems.append(problems.one(name, "csv_encoding_hint"))
        return
    body = utf8.split(b"\n", 1)[1] if b"\n" in utf8 else b""
    if not body.strip(b"\r\n\t ,"):  # a header and nothing else
        frame = pd.DataFrame({i: pd.Series(dtype="str") for i in range(len(headers))})
        _sheet(source, "", table, headers, frame, np.zeros(0, "int64"))
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
    if bad_rows or parsed is None:
        _report_ragged_rows(source, utf8, delimiter, len(headers))
        return
    frame = parsed.to_pandas().apply(lambda column: column.str.strip())
    _sheet(source, "", table, headers, frame, np.arange(2, len(frame) + 2))


def _report_ragged_rows(source: Source, utf8: bytes, delimiter: str, expected: int) -> None:
    """Rows with more or fewer fields than the header: found again row by row (only for broken files),
    so that each gets its exact row number."""
    reader = csv.reader(io.StringIO(utf8.decode("utf-8")), delimiter=delimiter)
    next(reader, None)
    found = [(number, len(record)) for number, record in enumerate(reader, start=2)
             if record and len(record) != expected]
    if not found:
        source.problems.append(problems.one(source.name, "csv_unreadable"))
        return
    rows = np.array([number for number, _ in found])
    actual = pd.Series([count for _, count in found])
    source.problems.append(problems.many(source.name, "", rows, "csv_columns", column=None,
                                         values=actual, per_row=actual, expected=expected))


# XLSX ----------------------------------------------------------------------------------------------------


def _read_workbook(source: Source, data: bytes, limit: int) -> None:
    name = source.name
    if not data.startswith(_ZIP):
        source.problems.append(problems.one(name, "not_xlsx"))
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if "xl/workbook.xml" not in {member.filename for member in members}:
                source.problems.append(problems.one(name, "not_xlsx"))
                return
            if sum(member.file_size for member in members) > _UNPACK_FACTOR * limit:
                source.problems.append(problems.one(name, "unpacked_too_large"))
                return
    except zipfile.BadZipFile:
        source.problems.append(problems.one(name, "not_xlsx"))
        return
    import openpyxl

    try:
        # Not read-only: merged ranges are only known to a fully loaded sheet. data_only=False: formulas
        # show as formulas, so they can be refused rather than read as whatever value Excel cached.
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many types for damaged files; all mean "not a workbook we can read"
        source.problems.append(problems.one(name, "not_xlsx"))
        return
    skipped = set(CODE_SHEETS.values())
    for sheet in book.worksheets:
        if sheet.title in skipped or sheet.max_row < 1:
            continue
        _read_sheet(source, sheet)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_sheet(source: Source, sheet) -> None:
    name, title = source.name, sheet.title
    grid = [list(row) for row in sheet.iter_rows(min_row=1, min_col=1)]
    if not grid or all(cell.value is None for row in grid for cell in row):
        return
    headers = [_cell_text(cell.value) for cell in grid[0]]
    formulas = [cell for row in grid for cell in row if cell.data_type == "f"]
    merged = list(sheet.merged_cells.ranges)
    if merged or formulas:
        table = _table_by_name(title)
        for cells in merged:
            code = "merged_header" if cells.min_row == 1 else "merged_cells"
            source.problems.append(problems.one(name, code, sheet=title, row=cells.min_row, value=cells.coord,
                                                cells=cells.coord))
        for cell in formulas:
            header = headers[cell.column - 1] if cell.column - 1 < len(headers) else ""
            column = header or cell.column_letter
            if table is not None:
                column = next((c for c in TABLES_BY_NAME[table].columns
                               if header_index(table).get(normalise_header(header)) == c.name), column)
            formula = cell.value.text if hasattr(cell.value, "text") else cell.value
            source.problems.append(problems.one(name, "formula", sheet=title, row=cell.row, column=column,
                                                value=formula, cell=cell.coordinate))
        return
    table = _identify(source, title, title, headers)
    if table is None:
        return
    width = len(headers)
    body = [[_cell_text(cell.value) for cell in row[:width]] + [""] * (width - len(row)) for row in grid[1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype="str") if body else pd.DataFrame(
        {i: pd.Series(dtype="str") for i in range(width)})
    rows = np.array([row[0].row for row in grid[1:]], dtype="int64") if body else np.zeros(0, "int64")
    _sheet(source, title, table, headers, frame, rows)

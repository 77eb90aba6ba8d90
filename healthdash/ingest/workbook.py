"""Read workbooks (.xlsx, .xlsm, .xls, .ods) with calamine, once an .xlsx has been measured without being
unpacked into memory.

Runs inside the bounded reading child (bounded.py, read_file.read_source). Before calamine builds any
sheet, the zip directory and every sheet's XML are streamed through (a few MB at a time) and counted:
unpacked size, cells, cells with values, the farthest row and column, formulas without a saved result
and error results. A sheet too large, too wide, mostly empty space before a stray far cell, or mostly empty
formatting is refused with "无法读取…" and why, in a second or two and a few MB, before it can cost
gigabytes. Formulas are read as the value Excel, WPS or LibreOffice saved with them.
"""

from __future__ import annotations

import io
import re
import tempfile
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine as calamine

from healthdash.data.columns import CODE_SHEETS, DATE, MONTH, TABLES_BY_NAME, header_index, normalise_header
from healthdash.ingest import problems
from healthdash.ingest.loadfile import (
    HEADER_SEARCH_ROWS,
    OLE,
    ZIP,
    Source,
    identify,
    keep_sheet,
    letters,
    table_by_name,
)

MB = 1048576
MAX_ROWS = 1_048_576             # Excel's own limit: a row beyond it is a damaged or forged file
MAX_COLUMNS = 256                # the template's widest table has 14 columns
MAX_CELLS = 12_000_000           # a million referral rows are 7 million cells
SPARSE_FROM_ROWS = 100_000       # a sheet reaching further down must have a cell for every fourth row
FORMATTING_FROM_MB = 64          # a sheet this large must have values in a quarter of its cells
MAX_SHEET_MB = 800               # a million referral rows in inline strings unpack to 415 MB
MAX_SHARED_STRINGS_MB = 200
MAX_SMALL_PART_MB = 20           # workbook.xml, its relationships, styles
MAX_UNPACKED_MB = 2048           # all parts together, as the zip directory declares them
_CHUNK = 1 << 22
_BATCH = 65536                   # rows converted to text at a time
_SHOWN_CELLS = 20                # formula cells without a result listed at most, per sheet
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Unreadable(Exception):
    """A workbook refused before it is read, with the problem to report."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class SheetScan:
    """What streaming through one sheet's XML found."""

    size: int = 0
    cells: int = 0
    values: int = 0
    last_row: int = 0
    last_ref: str = ""
    far_ref: str = ""                                     # the first cell beyond MAX_COLUMNS
    far_column: int = 0
    no_result: list[str] = field(default_factory=list)    # formula cells saved without their result
    errors: list[tuple[str, str]] = field(default_factory=list)  # (cell, error value such as #DIV/0!)


def read_workbook(source: Source, data: bytes) -> None:
    """Read every sheet of a workbook into `source` (its sheets, ignored sheets and problems)."""
    try:
        kind, scans = _check_container(data)
    except Unreadable as refused:
        source.problems.append(problems.one(source.name, refused.code, **refused.params))
        return
    with tempfile.TemporaryDirectory(prefix="healthdash-read-") as scratch:
        # From a path named by its real type: from bytes, calamine guesses the type and, for a file it then
        # cannot read, reports only that it could not guess.
        path = Path(scratch) / f"book.{kind}"
        path.write_bytes(data)
        try:
            book = calamine.CalamineWorkbook.from_path(path)
        except calamine.PasswordError:
            source.problems.append(problems.one(source.name, "encrypted"))
            return
        except (calamine.CalamineError, ValueError, OSError) as error:
            source.problems.append(_calamine_problem(source.name, "", error))
            return
        _read_sheets(source, book, scans)


def _read_sheets(source: Source, book: calamine.CalamineWorkbook, scans: dict[str, SheetScan]) -> None:
    skipped = set(CODE_SHEETS.values())
    for meta in book.sheets_metadata:
        if meta.name in skipped:
            continue
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            source.ignored_sheets.append(meta.name)
            continue
        hidden = ("" if meta.visible == calamine.SheetVisibleEnum.Visible
                  else "very_hidden_sheet" if meta.visible == calamine.SheetVisibleEnum.VeryHidden else "hidden_sheet")
        scan = scans.get(meta.name)
        if scan is not None and _refused(source, meta.name, scan):
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except calamine.CalamineError as error:
            source.problems.append(_calamine_problem(source.name, meta.name, error))
            continue
        _read_sheet(source, sheet, meta.name, hidden)


def _calamine_problem(name: str, sheet: str, error: Exception) -> dict:
    """calamine refuses a sheet that would span more than 100 million cells (an .ods row repeated a million
    times): say so; anything else it cannot parse is a damaged file."""
    found = re.search(r"\((\d+) cells requested", str(error))
    if found:
        return problems.one(name, "book_too_many_cells", sheet=sheet, cells=f"{int(found.group(1)):,}",
                            limit=f"{MAX_CELLS:,}")
    return problems.one(name, "not_workbook", sheet=sheet, detail=type(error).__name__)


# The container, before anything is unpacked ---------------------------------------------------------------


def _check_container(data: bytes) -> tuple[str, dict[str, SheetScan]]:
    """Refuse what is no workbook, an encrypted one, or an .xlsx that unpacks to too much; return the kind
    of workbook (xlsx, xls, ods) and the scans of an .xlsx's sheets by sheet name (none for .xls and .ods,
    whose size calamine checks as it builds them, within the child's memory limit)."""
    if data.startswith(OLE):
        if _ENCRYPTED in data:
            raise Unreadable("encrypted")
        return "xls", {}
    if not data.startswith(ZIP):
        raise Unreadable("not_workbook_content")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if "mimetype" in members and _read_small(archive, members["mimetype"]).strip() == _ODS_MIME:
                return "ods", {}
            if "xl/workbook.xml" not in members:
                raise Unreadable("not_workbook_content")
            declared = sum(info.file_size for info in members.values())
            if declared > MAX_UNPACKED_MB * MB:
                raise Unreadable("unpacked_too_large", size=_mb(declared), limit=MAX_UNPACKED_MB)
            for part in ("xl/sharedStrings.xml", "xl/styles.xml"):
                limit = MAX_SHARED_STRINGS_MB if part == "xl/sharedStrings.xml" else MAX_SMALL_PART_MB
                if part in members and members[part].file_size > limit * MB:
                    raise Unreadable("part_too_large", part=part, size=_mb(members[part].file_size), limit=limit)
            parts = _sheet_parts(archive, members)
            scans = {}
            for sheet, part in parts.items():
                if sheet in CODE_SHEETS.values() or part not in members:
                    continue
                scans[sheet] = scan_sheet(archive, members[part], sheet)
            return "xlsx", scans
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ElementTree.ParseError, KeyError):
        raise Unreadable("not_workbook_content") from None


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}"


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part that should be small, read at most to its limit (its declared size may lie)."""
    with archive.open(info) as stream:
        content = stream.read(MAX_SMALL_PART_MB * MB + 1)
    if len(content) > MAX_SMALL_PART_MB * MB:
        raise Unreadable("part_too_large", part=info.filename, size=f"> {MAX_SMALL_PART_MB}",
                         limit=MAX_SMALL_PART_MB)
    return content


def _sheet_parts(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Sheet name -> the zip part holding its XML, from xl/workbook.xml and its relationships."""
    book = ElementTree.fromstring(_read_small(archive, members["xl/workbook.xml"]))
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = ElementTree.fromstring(_read_small(archive, members[rels_name])) if rels_name in members else []
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = {}
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(rel, "")
        if target:
            parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def scan_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> SheetScan:
    """Stream one sheet's XML (never more than a few MB in memory) and count what calamine would build."""
    scan = SheetScan()
    tags: _Tags | None = None
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            scan.size += len(chunk)
            if scan.size > MAX_SHEET_MB * MB:
                raise Unreadable("sheet_too_large", sheet=sheet, limit=MAX_SHEET_MB)
            buffer = tail + chunk
            # Whole rows where possible, so that no cell is cut in two between blocks; after a tag when a
            # row is too long to carry over (a hostile one may be hundreds of MB).
            cut = buffer.rfind(b"row>") + 4 if chunk else len(buffer)
            if cut < 4 or len(buffer) - cut > 2 * _CHUNK:
                cut = buffer.rfind(b">") + 1 or len(buffer)
            block, tail = buffer[:cut], buffer[cut:]
            if tags is None:
                tags = _Tags.of(block)
            tags.count(block, scan)
            if not chunk:
                return scan


@dataclass
class _Tags:
    """The byte patterns of one sheet's XML (elements may carry a namespace prefix, as in <x:c>)."""

    cell: bytes
    cell_end: bytes
    formulas: tuple[bytes, bytes]
    ref: re.Pattern[bytes]
    any_wide: re.Pattern[bytes]
    wide: re.Pattern[bytes]
    no_result: re.Pattern[bytes]
    error: re.Pattern[bytes]

    @classmethod
    def of(cls, head: bytes) -> _Tags:
        found = re.search(rb"<(\w+:)?worksheet\b", head)
        prefix = (found.group(1) or b"") if found else b""
        p = re.escape(prefix)
        return cls(
            cell=b"<" + prefix + b"c ",
            cell_end=b"</" + prefix + b"c>",
            formulas=(b"<" + prefix + b"f>", b"<" + prefix + b"f "),
            ref=re.compile(rb"<" + p + rb'c r="([A-Z]{1,3})(\d{1,7})"'),
            any_wide=re.compile(rb'c r="[A-Z]{2}'),
            wide=re.compile(rb"<" + p + rb'c r="([A-Z]{2,3})\d'),
            no_result=re.compile(rb"<" + p + rb'c r="([A-Z]{1,3}\d{1,7})"[^>]*>\s*<' + p + rb"f\b[^>]*(?:/>|>[^<]*</"
                                 + p + rb"f>)\s*(?:<" + p + rb"v\s*/>|<" + p + rb"v></" + p + rb"v>)?\s*</" + p + rb"c>"),
            error=re.compile(rb"<" + p + rb'c r="([A-Z]{1,3}\d{1,7})"[^>]*\bt="e"[^>]*>(?:(?!</' + p + rb"c>).)*?<"
                             + p + rb"v>([^<]{1,20})</" + p + rb"v>", re.DOTALL),
        )

    def count(self, block: bytes, scan: SheetScan) -> None:
        scan.cells += block.count(self.cell)
        scan.values += block.count(self.cell_end)  # an empty (formatted) cell is written <c .../>
        last = block.rfind(self.cell)
        if last >= 0:
            found = self.ref.match(block, last)
            if found and int(found.group(2)) > scan.last_row:
                scan.last_row = int(found.group(2))
                scan.last_ref = (found.group(1) + found.group(2)).decode()
        for column in set(self.wide.findall(block)) if self.any_wide.search(block) else ():
            number = column_number(column.decode())
            if number > scan.far_column:
                scan.far_column = number
                if number > MAX_COLUMNS:
                    far = re.search(rb'r="(' + column + rb'\d+)"', block)
                    scan.far_ref = far.group(1).decode() if far else column.decode()
        if len(scan.no_result) < _SHOWN_CELLS and (self.formulas[0] in block or self.formulas[1] in block):
            scan.no_result.extend(ref.decode() for ref in self.no_result.findall(block)[:_SHOWN_CELLS])
        if b't="e"' in block and len(scan.errors) < _SHOWN_CELLS:
            scan.errors.extend((ref.decode(), value.decode("utf-8", "replace"))
                               for ref, value in self.error.findall(block)[:_SHOWN_CELLS])


def column_number(reference: str) -> int:
    """A -> 1, AA -> 27, XFD -> 16384."""
    number = 0
    for letter in reference:
        number = number * 26 + ord(letter) - 64
    return number


def _refused(source: Source, sheet: str, scan: SheetScan) -> bool:
    """Report what makes a scanned sheet unreadable or untrustworthy; True when it must not be read."""
    name = source.name
    if scan.last_row > MAX_ROWS:
        source.problems.append(problems.one(name, "sheet_too_long", sheet=sheet, cell=scan.last_ref, limit=f"{MAX_ROWS:,}"))
        return True
    if scan.far_column > MAX_COLUMNS:
        source.problems.append(problems.one(name, "sheet_too_wide", sheet=sheet, cell=scan.far_ref,
                                            limit=letters(MAX_COLUMNS - 1)))
        return True
    if scan.cells > MAX_CELLS:
        source.problems.append(problems.one(name, "sheet_too_many_cells", sheet=sheet, cells=f"{scan.cells:,}",
                                            limit=f"{MAX_CELLS:,}"))
        return True
    area = scan.last_row * scan.far_column  # what calamine would build (far_column is 0 up to column Z)
    if area > MAX_CELLS:
        source.problems.append(problems.one(name, "sheet_too_many_cells", sheet=sheet, cells=f"{area:,}",
                                            limit=f"{MAX_CELLS:,}"))
        return True
    if scan.last_row > SPARSE_FROM_ROWS and scan.cells * 4 < scan.last_row:
        source.problems.append(problems.one(name, "sheet_sparse", sheet=sheet, cell=scan.last_ref,
                                            cells=f"{scan.cells:,}"))
        return True
    if scan.size > FORMATTING_FROM_MB * MB and scan.values * 4 < scan.cells:
        source.problems.append(problems.one(name, "sheet_mostly_formatting", sheet=sheet, size=_mb(scan.size),
                                            cells=f"{scan.cells:,}", values=f"{scan.values:,}"))
        return True
    for cell in scan.no_result:
        source.problems.append(problems.one(name, "formula_no_result", sheet=sheet, row=_row_of(cell), value=cell,
                                            cell=cell))
    for cell, error in scan.errors:
        source.problems.append(problems.one(name, "cell_error", sheet=sheet, row=_row_of(cell), value=error,
                                            cell=cell))
    return bool(scan.no_result or scan.errors)


def _row_of(cell: str) -> int:
    return int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


# Sheets --------------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell as the text a user typed: whole numbers without '.0', dates as ISO dates, yes/no as 是/否."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _is_number(value: object) -> bool:
    return value.__class__ is float or value.__class__ is int


def _read_sheet(source: Source, sheet: calamine.CalamineSheet, title: str, hidden: str) -> None:
    if sheet.start is None:  # nothing in it
        return
    (_, left), (bottom, right) = sheet.start, sheet.end
    height, width = bottom + 1, right - left + 1
    if height * width > MAX_CELLS:  # .xls and .ods, measured only now (calamine built them within the limits)
        source.problems.append(problems.one(source.name, "sheet_too_many_cells", sheet=title,
                                            cells=f"{height * width:,}", limit=f"{MAX_CELLS:,}"))
        return
    if bottom == 0 and table_by_name(title) is None:  # a header without rows can deliver nothing
        source.ignored_sheets.append(title)
        return
    rows = sheet.iter_rows()  # from row 1, columns from the first one holding anything
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    header_rows = [[""] * left + [cell_text(value).strip() for value in row] for row in head]
    headers = header_rows[0]
    table = identify(source, title, title, header_rows, skippable=True)
    merged = _merged(source, sheet, title)
    if table is None or merged:
        return
    index = header_index(table)
    kinds = {column.name: column.kind for column in TABLES_BY_NAME[table].columns}
    dated = {position for position, header in enumerate(headers)
             if kinds.get(index.get(normalise_header(header), ""), "") in (MONTH, DATE)}
    frame, numeric = _body(chain(head[1:], rows), left, len(headers), dated)
    keep_sheet(source, title, table, headers, frame, np.arange(2, len(frame) + 2), numeric, hidden)


def _merged(source: Source, sheet: calamine.CalamineSheet, title: str) -> bool:
    """Merged cells: a merged header hides which column is which, merged data cells hold one value for
    several rows. Reported; True when there are any."""
    found = sheet.merged_cell_ranges or []
    for (top, left), (bottom, right) in found:
        cells = f"{letters(left)}{top + 1}:{letters(right)}{bottom + 1}"
        code = "merged_header" if top == 0 else "merged_cells"
        source.problems.append(problems.one(source.name, code, sheet=title, row=top + 1, value=cells, cells=cells))
    return bool(found)


def _body(rows, left: int, width: int, dated: set[int]) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """The rows below the header as text columns (converted a batch at a time, so that Python holds only
    a batch of cell objects), and for month and date columns which cells were numbers."""
    texts: list[list[pa.Array]] = [[] for _ in range(width)]
    numbers: dict[int, list[np.ndarray]] = {position: [] for position in dated}
    while batch := list(islice(rows, _BATCH)):
        columns = list(zip(*batch, strict=True))
        for position in range(width):
            values = columns[position - left] if position >= left else ("",) * len(batch)
            texts[position].append(pa.array([value if value.__class__ is str else cell_text(value) for value in values],
                                            pa.string()))
            if position in numbers:
                numbers[position].append(np.fromiter(map(_is_number, values), bool, len(values)))
    table = pa.table({str(position): pa.chunked_array(chunks, pa.string()) for position, chunks in enumerate(texts)})
    frame = table.to_pandas()
    frame.columns = range(width)
    numeric = {position: np.concatenate(parts) if parts else np.zeros(0, bool) for position, parts in numbers.items()}
    return frame, numeric

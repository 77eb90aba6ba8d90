"""Views as downloadable files that stand alone: tables as CSV and XLSX (pure: DataFrame in, bytes out), and
a row of download buttons that also offers a chart as PNG and SVG (healthdash.ui.chart_export).

Every file of a view carries its `TitleBlock` (view, place, period, comparison, 数据截至 and the
模拟演示数据 label on the demo), so that a file forwarded on its own still says what it shows: leading
lines of a CSV, title rows above the header of a workbook, title and subtitle of a chart. File names name
the view, the place and the period.

Numbers stay numbers. Each column (or each cell, where rows mix units) has a kind (PERCENT, COUNT, ...):
a workbook stores 0.972 in a "0.0%" cell, a CSV writes 97.2 under a header that says (%).

Every cell any part of the app writes to CSV or XLSX (exports, problem lists, load reports, the template)
goes through the formula guard here: text starting with =, +, -, @, tab or carriage return is a formula
to Excel, LibreOffice and WPS, and names and rejected values come from files and the database. CSV gets
a leading apostrophe; XLSX keeps the text as it is in a text cell (data type 's') with the quote prefix,
so that no spreadsheet evaluates it, not even after the cell is edited. Numbers, negative ones included,
stay numbers.

CSV carries a UTF-8 byte-order mark, without which Excel on Chinese Windows reads UTF-8 as GBK and
garbles every header. XLSX is written with openpyxl: bold frozen header, columns wide enough for
Chinese text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from healthdash.core.fmt import COUNT_UNITS
from healthdash.core.i18n import t
from healthdash.core.wording import target_sign

if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from healthdash.core.indicators import Indicator

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WIDTH = 60
_SHEET_NAME_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})

# Kinds of numbers a column holds.
PERCENT = "percent"  # a fraction, shown as a percentage: 0.972 -> 97.2%
GROWTH = "growth"  # a relative change as a fraction, signed: 0.0702 -> +7.0%
PP = "pp"  # a difference of rates in percentage points, already ×100: 2.3 -> 2.3个百分点
COUNT = "count"  # whole things: 1234 -> 1,234
RATIO = "ratio"  # two decimals: 1.5 -> 1.50
MONEY = "money"  # 元, whole
NUMBER = "number"  # anything else, two decimals
KINDS = (PERCENT, GROWTH, PP, COUNT, RATIO, MONEY, NUMBER)
# Values a CSV writes ×100, so that its cells read as the page's percentages.
_HUNDREDFOLD = frozenset({PERCENT, GROWTH})

# What a spreadsheet takes for the start of a formula (tab and CR: Excel strips them, then evaluates).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Control characters XML 1.0 cannot carry: openpyxl refuses a cell with one, which would fail the export.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# File names: letters and digits of any script, '-' and '_'; runs of anything else become one '-'.
_UNSAFE_IN_NAME = re.compile(r"[^\w\-]+")
_MAX_NAME = 120

# Column -> the kind of all its cells, or one kind per row (None for a cell that is not a number).
Kinds = Mapping[str, str | Sequence[str | None]]


# ------------------------------------------------------------------------------------------ formula guard


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would evaluate as a formula. Numbers never are, nor is text that is
    a plain number ("-3" as a problem list repeats it), which a spreadsheet reads as that number."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)


def csv_text(value: object) -> object:
    """`value` as a CSV cell: text that would start a formula gets a leading apostrophe, which makes a
    spreadsheet read it as text; everything else as it is."""
    return "'" + value if is_formula_like(value) else value


def put(sheet: Worksheet, row: int, column: int, value: object, number_format: str | None = None) -> Cell:
    """Write one cell of a workbook: missing values as empty cells, numbers as numbers (in
    `number_format`), and text as text even when it starts like a formula (quote prefix, data type 's')."""
    cell = sheet.cell(row=row, column=column)
    value = _cell(value)
    cell.value = value
    if is_formula_like(value):
        # openpyxl stores text starting with '=' as a formula; this keeps it a string.
        cell.data_type = "s"
        cell.quotePrefix = True
    elif number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _cell(value: object) -> object:
    """A value openpyxl writes as is: missing values as None, numpy scalars as Python ones, text without
    the control characters XML cannot hold."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


# ------------------------------------------------------------------------------------------ title block


@dataclass(frozen=True)
class TitleBlock:
    """What an exported file says about itself. Built by ui.title_block from the page's selection; the
    words are already in `lang`, the labels are added here."""

    view: str  # indicator or view: 县域内就诊率排名
    places: tuple[str, ...]  # the selection, widest first: ("雅安市", "名山区"), with an alliance if chosen
    scope: tuple[str, ...]  # further narrowing that is not a place (facility tiers)
    period: str  # as the page shows it: 2024年1–6月
    comparison: str  # 同比
    base_period: str  # the comparison's period: 2023年1–6月
    as_of: str  # latest month with data: 2024年6月
    demo: bool  # the database is the simulated demo
    lang: str = "zh"
    notes: tuple[str, ...] = ()  # lines a view adds (e.g. the what-if levers)

    def text(self, key: str, **values: object) -> str:
        return t(key, lang=self.lang, **values)

    @property
    def place(self) -> str:
        return " · ".join((*self.places, *self.scope))

    def lines(self) -> list[str]:
        """The block as lines of text, the view first (leading lines of a CSV, title rows of a workbook)."""
        lines = [
            self.view,
            self.text("export.line_place", place=self.place),
            self.text("export.line_period", period=self.period),
            self.text("export.line_compare", compare=self.comparison, base=self.base_period),
            self.text("export.line_as_of", month=self.as_of),
            *self.notes,
        ]
        if self.demo:
            lines.append(self.text("export.line_demo"))
        return lines

    def subtitle(self) -> list[str]:
        """The block under a chart's title: short lines, so that none is wider than the chart."""
        last = self.text("export.as_of", month=self.as_of)
        if self.demo:
            last += " · " + self.text("app.demo_badge")
        return [
            self.place,
            f"{self.period} · {self.text('export.compare', compare=self.comparison, base=self.base_period)}",
            *self.notes,
            last,
        ]

    def file_name(self, extension: str) -> str:
        """`县域内就诊率排名_雅安市名山区_2024年1-6月.xlsx`: view, place and period in safe characters."""
        joiner = "-" if self.lang == "en" else ""
        parts = [safe_name(self.view), joiner.join(safe_name(place) for place in self.places),
                 safe_name(self.period)]
        stem = "_".join(part for part in parts if part)[:_MAX_NAME] or "export"
        return f"{stem}.{extension}"


def safe_name(text: str) -> str:
    """`text` for a file name on any system: letters and digits kept, other runs as one '-'."""
    text = unicodedata.normalize("NFKC", text)
    return _UNSAFE_IN_NAME.sub("-", text).strip("-_")


# ------------------------------------------------------------------------------------------ kinds


def kind_of(indicator: Indicator) -> str:
    """The kind of an indicator's values."""
    if indicator.is_percent:
        return PERCENT
    if indicator.unit == "ratio":
        return RATIO
    if indicator.unit == "元":
        return MONEY
    if indicator.unit in COUNT_UNITS or indicator.unit == "支":
        return COUNT
    return NUMBER


def unit_label(indicator: Indicator, lang: str) -> str:
    """The unit of a value column in a table of several indicators (where a header cannot name it)."""
    if indicator.is_percent:
        return "%"
    if indicator.unit == "ratio":
        return t("export.unit_ratio", lang=lang)
    return indicator.unit


def target_header(indicator: Indicator, lang: str | None = None) -> str:
    """The header of a column of one indicator's target values: 目标（≥）, the sign saying which side
    of the target is good."""
    if indicator.target is None:
        return t("overview.col_target", lang=lang)
    return t("export.col_target", lang=lang, sign=target_sign(indicator))


def number_format(kind: str | None, lang: str = "zh") -> str | None:
    """The Excel number format of a kind."""
    if kind == PP:
        return '0.0" pp"' if lang == "en" else '0.0"个百分点"'
    return {
        PERCENT: "0.0%",
        GROWTH: "+0.0%;-0.0%;0.0%",
        COUNT: "#,##0",
        RATIO: "0.00",
        MONEY: "#,##0",
        NUMBER: "#,##0.00",
    }.get(kind or "")


def column_kinds(frame: pd.DataFrame, kinds: Kinds | None) -> list[list[str | None]]:
    """One kind per cell, column by column (what the files and the meeting documents format by)."""
    return _column_kinds(frame, kinds)


def _column_kinds(frame: pd.DataFrame, kinds: Kinds | None) -> list[list[str | None]]:
    """One kind per cell, column by column: as given, else counts for integer columns and plain
    numbers for other numeric ones."""
    kinds = kinds or {}
    result = []
    for column in frame.columns:
        given = kinds.get(column)
        if isinstance(given, str) or given is None:
            if given is None and pd.api.types.is_integer_dtype(frame[column].dtype):
                given = COUNT
            elif given is None and pd.api.types.is_float_dtype(frame[column].dtype):
                given = NUMBER
            result.append([given] * len(frame))
        else:
            if len(given) != len(frame):
                raise ValueError(f"{len(given)} kinds for {len(frame)} rows in column {column!r}")
            result.append(list(given))
    return result


# ------------------------------------------------------------------------------------------ CSV


def _csv_value(value: object, kind: str | None) -> object:
    value = _cell(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return csv_text(value)
    if kind in _HUNDREDFOLD:
        return round(value * 100, 2)
    if kind == PP:
        return round(value, 2)
    if isinstance(value, float):
        if kind in (COUNT, MONEY) and value.is_integer():
            return int(value)
        return round(value, 4)
    return value


def _csv_header(header: str, kinds: list[str | None], lang: str) -> str:
    """A percentage column's header says (%) when its every cell is one (the cells are ×100)."""
    present = {kind for kind in kinds if kind is not None}
    if not present or not present <= _HUNDREDFOLD or "%" in header:
        return header
    if header.endswith(("）", ")")):  # 目标（≥） -> 目标（≥，%）
        return header[:-1] + (", %)" if lang == "en" else "，%）")
    return header + (" (%)" if lang == "en" else "（%）")


def csv_bytes(frame: pd.DataFrame, block: TitleBlock | None = None, kinds: Kinds | None = None) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark, Windows line ends (as Excel writes them): the title
    block's lines first, one per line, then a blank line, the header and the rows."""
    lang = block.lang if block is not None else "zh"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if block is not None:
        for line in block.lines():
            writer.writerow([csv_text(_cell(line))])
        writer.writerow([])
    cell_kinds = _column_kinds(frame, kinds)
    writer.writerow([csv_text(_cell(_csv_header(str(column), column_kinds, lang)))
                     for column, column_kinds in zip(frame.columns, cell_kinds, strict=True)])
    for index, row in enumerate(frame.itertuples(index=False, name=None)):
        writer.writerow([_csv_value(value, column_kinds[index])
                         for value, column_kinds in zip(row, cell_kinds, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


# ------------------------------------------------------------------------------------------ XLSX


def _display_width(text: str) -> int:
    """Width in Excel character cells: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def write_sheet(
    sheet: Worksheet, frame: pd.DataFrame, block: TitleBlock | None = None, kinds: Kinds | None = None
) -> int:
    """Fill `sheet` with the title block (bold view, then its lines), a blank row, the bold frozen header
    and the rows (numbers in their kinds' formats); return the header's row number."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = block.lang if block is not None else "zh"
    header_row = 1
    if block is not None:
        lines = block.lines()
        for offset, line in enumerate(lines):
            put(sheet, offset + 1, 1, line).font = Font(bold=True, size=14) if offset == 0 else Font(color="404040")
        header_row = len(lines) + 2
    headers = [str(column) for column in frame.columns]
    for position, header in enumerate(headers, start=1):
        put(sheet, header_row, position, header).font = Font(bold=True)
    cell_kinds = _column_kinds(frame, kinds)
    formats = [[number_format(kind, lang) for kind in column] for column in cell_kinds]
    for index, row in enumerate(frame.itertuples(index=False, name=None)):
        for position, value in enumerate(row, start=1):
            put(sheet, header_row + 1 + index, position, value, formats[position - 1][index])
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, header in enumerate(headers, start=1):
        # Not astype(str): under pandas 3 that keeps missing values as NaN, which have no width.
        values = ["" if _cell(value) is None else str(value) for value in frame.iloc[:, index - 1].tolist()]
        # A formatted number is a few characters wider than its raw value (separators, %, 个百分点).
        width = max([_display_width(header), *(_display_width(value) + 2 for value in values)])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
    return header_row


def sheet_title(name: str) -> str:
    """`name` as Excel accepts a sheet name: 31 characters at most, none of []:*?/\\."""
    return name.translate(_SHEET_NAME_FORBIDDEN)[:31] or "Sheet1"


def xlsx_bytes(
    frame: pd.DataFrame, sheet_name: str = "数据", block: TitleBlock | None = None, kinds: Kinds | None = None
) -> bytes:
    """The table as an Excel workbook of one sheet: the title block, then the frame's column names as the
    header row and its rows."""
    # openpyxl is slow to import (docs/PERFORMANCE.md): a download pays for it, not every start.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(sheet_name)
    write_sheet(sheet, frame, block, kinds)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ buttons

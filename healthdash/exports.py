"""Views as downloadable files: tables as CSV and XLSX (pure: DataFrame in, bytes out) and a row of
download buttons that also offers a chart as PNG and SVG (healthdash.chart_export).

CSV carries a UTF-8 byte-order mark, without which Excel on Chinese Windows reads UTF-8 as GBK and
garbles every header. XLSX is written with openpyxl: bold frozen header, columns wide enough for
Chinese text, numbers kept as numbers so that a user can sum them.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable

import pandas as pd
import streamlit as st

from healthdash import chart_export
from healthdash.chart_cache import ChartSpec
from healthdash.i18n import t

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WIDTH = 60
_SHEET_NAME_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark, Windows line ends (as Excel writes them)."""
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _display_width(text: str) -> int:
    """Width in Excel character cells: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _cell(value: object) -> object:
    """A value openpyxl writes as is: missing values as empty cells, numpy scalars as Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    """The table as an Excel workbook of one sheet with the frame's column names as its header row."""
    # openpyxl takes a fifth of a second to import: a download pays for it, not every start.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    # Excel limits sheet names to 31 characters and forbids a few; a bad name makes the file unreadable.
    sheet.title = sheet_name.translate(_SHEET_NAME_FORBIDDEN)[:31] or "Sheet1"
    headers = [str(column) for column in frame.columns]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        # Not astype(str): under pandas 3 that keeps missing values as NaN, which have no width.
        values = ["" if _cell(value) is None else str(value) for value in frame.iloc[:, index - 1].tolist()]
        width = max([_display_width(header), *(_display_width(value) for value in values)])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_row(
    key: str, title: str, *, chart: ChartSpec | None = None, table: pd.DataFrame | None = None
) -> None:
    """A row of download buttons for one view: the chart as PNG and SVG, the table as CSV and XLSX.

    Files are made only when a button is clicked (deferred callables), so a rerun never renders a chart
    it is not asked for. File names are the view's title.
    """
    buttons: list[tuple[str, Callable[[], bytes | str], str, str]] = []
    if chart is not None:
        buttons.append((t("export.png"), lambda: chart_export.chart_png(chart, title), "png", "image/png"))
        buttons.append((t("export.svg"), lambda: chart_export.chart_svg(chart, title), "svg", "image/svg+xml"))
    if table is not None:
        buttons.append((t("export.csv"), lambda: csv_bytes(table), "csv", CSV_MIME))
        buttons.append((t("export.xlsx"), lambda: xlsx_bytes(table, title), "xlsx", XLSX_MIME))
    if not buttons:
        return
    with st.container(horizontal=True, gap="small"):
        for label, data, extension, mime in buttons:
            st.download_button(label, data, file_name=f"{title}.{extension}", mime=mime,
                               key=f"dl_{key}_{extension}", icon=":material/download:", on_click="ignore")

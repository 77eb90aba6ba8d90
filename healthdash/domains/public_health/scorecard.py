"""Standing against targets, cell by cell: the banding rule, the gap in people, and the coloured XLSX.

Pure functions (no Streamlit, no database), so the edges of the bands and the arithmetic of "how many
more people" are tested on their own. Values are on the indicator's value scale (fractions for rates).

The bands cover the whole line without gaps or overlaps. For an indicator whose target is a floor
(direction 'up'), with `margin` 10 percentage points:

    far_below   value <  target − margin
    below       target − margin ≤ value < target
    met         value ≥ target                       (exactly at target meets it)

and mirrored for a ceiling (direction 'down'). Indicators without a target are 'no_target'; a place
without a value is 'no_data'.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from healthdash.core import exports
from healthdash.core.fmt import MET_MARK, NOT_MET_MARK

FAR_BELOW = "far_below"
BELOW = "below"
MET = "met"
NO_TARGET = "no_target"
NO_DATA = "no_data"
BANDS: tuple[str, ...] = (FAR_BELOW, BELOW, MET, NO_TARGET, NO_DATA)
SHORT_OF_TARGET: frozenset[str] = frozenset({FAR_BELOW, BELOW})

# 10 percentage points, on the fraction scale rates are computed on.
FAR_MARGIN_PP = 0.10
# The same tolerance as indicators.meets_target: a value that is the target up to float noise meets it.
_TOLERANCE = 1e-9

# Blue/orange family (tellable apart by colour-blind viewers and on projectors), light enough for dark
# text; each band also has a mark, so colour is never the only sign.
FILLS: Mapping[str, str] = {
    FAR_BELOW: "F4A261",
    BELOW: "FBDDBE",
    MET: "C6DAF5",
    NO_TARGET: "EEF0F3",
    NO_DATA: "FFFFFF",
}
MARKS: Mapping[str, str] = {FAR_BELOW: NOT_MET_MARK * 2, BELOW: NOT_MET_MARK, MET: MET_MARK, NO_TARGET: "", NO_DATA: ""}
TEXT_COLOR = "1F2329"

def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def far_margin(target: float, is_percent: bool) -> float:
    """How far short of target 'far below' starts: 10 percentage points for rates, 10% of the target
    for other units."""
    return FAR_MARGIN_PP if is_percent else 0.10 * abs(target)


def band(value: float | None, target: float | None, direction: str, margin: float = FAR_MARGIN_PP) -> str:
    """The band key of `value` against `target` (see the module docstring for the ranges)."""
    if _missing(value):
        return NO_DATA
    if _missing(target) or direction == "monitor":
        return NO_TARGET
    shortfall = value - target if direction == "down" else target - value
    if shortfall <= _TOLERANCE:
        return MET
    if shortfall <= margin + _TOLERANCE:
        return BELOW
    return FAR_BELOW


def people_gap(numerator: float | None, denominator: float | None, target: float | None) -> int | None:
    """How many more people must be covered, screened or managed to reach a floor target:
    denominator × target − numerator, rounded up (0 when the target is met; None when undefined)."""
    if _missing(numerator) or _missing(denominator) or _missing(target):
        return None
    needed = denominator * target - numerator
    # Round away float noise first, so that exactly-at-target is 0 and 149.0000000001 is not 150.
    return max(0, math.ceil(round(needed, 6)))


def styled(values: pd.DataFrame, bands: pd.DataFrame, formatters: Mapping[str, object]) -> pd.io.formats.style.Styler:
    """`values` (numbers, so that sorting works) shown through `formatters` with each cell's band
    fill; `bands` has the same shape and holds band keys (or None for cells without a band)."""

    def css(_: pd.DataFrame) -> pd.DataFrame:
        return bands.map(
            lambda key: "" if key is None or pd.isna(key)
            else f"background-color: #{FILLS[key]}; color: #{TEXT_COLOR}"
        )

    return values.style.apply(css, axis=None).format(formatters, na_rep="—")


JUDGED: frozenset[str] = frozenset({FAR_BELOW, BELOW, MET})


def with_words(
    values: pd.DataFrame, bands: pd.DataFrame, words: Mapping[str, str], word_header: Callable[[str], str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`values` with a column of pass/fail words after each column judged against a target (the words
    of its cells' bands), so that standing is never told by colour alone; and `bands` widened the same
    way (a word cell takes its value's band)."""
    value_columns: dict[str, object] = {}
    band_columns: dict[str, object] = {}
    for column in values.columns:
        value_columns[column] = values[column]
        band_columns[column] = bands[column]
        keys = bands[column].tolist()
        if any(key in JUDGED for key in keys if isinstance(key, str)):
            header = word_header(str(column))
            value_columns[header] = [words.get(key, "") if isinstance(key, str) else "" for key in keys]
            band_columns[header] = bands[column]
    return pd.DataFrame(value_columns), pd.DataFrame(band_columns)


def workbook(
    values: pd.DataFrame,
    bands: pd.DataFrame,
    kinds: Mapping[str, str],
    legend: Sequence[tuple[str, str]],
    legend_title: str,
    block: exports.TitleBlock | None = None,
) -> bytes:
    """The scorecard as an Excel workbook: the title block, the header row as given (Chinese), values as
    numbers of their `kinds` (exports.PERCENT shows 0.0%), each banded cell filled with its band's colour
    (`values` carries the pass/fail words: `with_words`), and a second sheet with the legend (mark,
    description), each row in its colour."""
    # Imported here for the reason exports.xlsx_bytes gives: a start should not pay for openpyxl.
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = exports.sheet_title(block.view if block is not None else legend_title)
    header_row = exports.write_sheet(sheet, values, block, kinds)
    for column_index in range(1, len(values.columns) + 1):
        for row_index in range(len(values)):
            key = bands.iat[row_index, column_index - 1]
            if key is not None and not pd.isna(key):
                cell = sheet.cell(row=header_row + 1 + row_index, column=column_index)
                cell.fill = PatternFill(fill_type="solid", start_color=FILLS[key], end_color=FILLS[key])
    notes = book.create_sheet(exports.sheet_title(legend_title))
    exports.put(notes, 1, 1, legend_title).font = Font(bold=True)
    for row, (key, text) in enumerate(legend, start=2):
        fill = PatternFill(fill_type="solid", start_color=FILLS[key], end_color=FILLS[key])
        exports.put(notes, row, 1, MARKS[key]).fill = fill
        exports.put(notes, row, 2, text).fill = fill
    notes.column_dimensions["A"].width = 6
    notes.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Problems found in files a data officer loads: one row each, as a DataFrame.

Every problem names the file, the sheet (empty for CSV), the row as the user sees it in Excel (the header
is row 1), the column (its Chinese header), the value found and a message in Chinese and in English. The
messages live in the locale catalogs under [load_check]. Row-level checks produce thousands of problems at
once, so they are built a whole column at a time, never a Python object per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from healthdash.core.i18n import t
from healthdash.data.columns import Column, Table

COLUMNS = ("file", "sheet", "row", "column", "value", "code", "message_zh", "message_en")
LANGS = ("zh", "en")
_SLOT = "\x00"


def message(code: str, lang: str, **params: object) -> str:
    """The text of problem `code` in `lang`; Column and Table parameters show as their labels."""
    values = {key: value.label(lang) if isinstance(value, Column | Table) else value for key, value in params.items()}
    return t(f"load_check.{code}", lang=lang, **values)


def one(
    file: str,
    code: str,
    *,
    sheet: str = "",
    row: int | None = None,
    column: Column | str | None = None,
    value: object = "",
    **params: object,
) -> dict[str, object]:
    """A single problem (file-level, or one cell)."""
    return {
        "file": file,
        "sheet": sheet,
        "row": row,
        "column": column.zh if isinstance(column, Column) else (column or ""),
        "value": "" if value is None else str(value),
        "code": code,
        **{f"message_{lang}": message(code, lang, column_name=column, sheet=sheet, row=row, **params) for lang in LANGS},
    }


def many(
    file: str,
    sheet: str,
    rows: np.ndarray | pd.Series,
    code: str,
    *,
    column: Column | str | None,
    values: pd.Series | str,
    per_row: pd.Series | None = None,
    **params: object,
) -> pd.DataFrame:
    """Problem `code` on many rows at once. `per_row` fills the message's {per_row} slot row by row."""
    rows = np.asarray(rows, dtype="int64")
    frame = pd.DataFrame({
        "file": file,
        "sheet": sheet,
        "row": rows,
        "column": column.zh if isinstance(column, Column) else (column or ""),
        "value": values.astype("str").to_numpy() if isinstance(values, pd.Series) else values,
        "code": code,
    }, index=pd.RangeIndex(len(rows)))
    for lang in LANGS:
        if per_row is None:
            frame[f"message_{lang}"] = message(code, lang, **params)
        else:
            before, after = message(code, lang, per_row=_SLOT, **params).split(_SLOT)
            frame[f"message_{lang}"] = before + per_row.astype("str").to_numpy() + after
    return frame


def frame(parts: Sequence[pd.DataFrame | dict[str, object]]) -> pd.DataFrame:
    """All problems as one table: files and sheets in the order read, rows in order (file-level first)."""
    frames = [pd.DataFrame([part]) if isinstance(part, dict) else part for part in parts]
    frames = [part for part in frames if len(part)]
    if not frames:
        return empty()
    out = pd.concat(frames, ignore_index=True)
    out["row"] = out["row"].astype("Int64")
    order = out.assign(
        _file=pd.factorize(out["file"])[0], _sheet=pd.factorize(out["sheet"])[0], _row=out["row"].fillna(0)
    ).sort_values(["_file", "_sheet", "_row"], kind="stable").index
    return out.loc[order, list(COLUMNS)].reset_index(drop=True)


def empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="Int64" if name == "row" else "str") for name in COLUMNS})

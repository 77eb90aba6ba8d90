"""Query results as pandas frames, through Arrow.

DuckDB's `.df()` makes a Python string object for every text value, half the time of a province's
facility list (docs/PERFORMANCE.md, "The province's long lists"). Arrow keeps the text in its own buffers;
`frame` converts each column to the dtype `.df()` gives, so callers see the same frame."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.types as pat

# What `.df()` gives an integer or boolean column holding a NULL (without one, the plain NumPy dtype).
_NULLABLE: dict[pa.DataType, pd.api.extensions.ExtensionDtype] = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}


def _column(column: pa.ChunkedArray) -> pd.Series:
    kind = column.type
    if pat.is_decimal(kind):  # sums of integers are HUGEINT, which arrives as decimal128(38, 0)
        return column.cast(pa.float64()).to_pandas()
    if pat.is_date(kind):
        return column.to_pandas(date_as_object=False).astype("datetime64[us]")
    if kind in _NULLABLE and column.null_count:
        return column.to_pandas(types_mapper=_NULLABLE.get)
    if (pat.is_string(kind) or pat.is_large_string(kind)) and column.null_count == len(column):
        return pd.Series([None] * len(column), dtype=object)  # no text to infer a string dtype from
    return column.to_pandas()


def frame(table: pa.Table) -> pd.DataFrame:
    """`table` as the frame DuckDB's `.df()` makes of the same result (dtypes, missing values, index)."""
    result = pd.DataFrame(dict(enumerate(_column(column) for column in table.columns)),
                          index=pd.RangeIndex(table.num_rows))
    result.columns = pd.Index(_unique(table.column_names))
    return result


def _unique(names: list[str]) -> list[str]:
    """A name repeated in a result gets `_1`, `_2`… after its first use, as `.df()` names it."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(f"{name}_{count}" if count else name)
    return unique

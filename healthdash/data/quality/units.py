"""Who reports each dataset: the reporting unit of a monthly report, read from columns.py's scopes."""

from __future__ import annotations

import pandas as pd

from healthdash.data.columns import COUNTY, FACILITY, TABLES, TABLES_BY_NAME, TOWN

_KINDS = {FACILITY: "facility", TOWN: "town", COUNTY: "county"}


def unit_columns(dataset: str) -> tuple[str, str | None]:
    """(the column naming the reporting unit, the alliance column or None) of a dataset's reports: a
    facility (the sender of referrals), a town (public health) or a county (residents' care)."""
    table = TABLES_BY_NAME[dataset]
    unit = next(name for name in table.scope if name != "month" and table.column(name).ref in _KINDS)
    return unit, "alliance_code" if "alliance_code" in table.scope else None


def unit_kind(dataset: str) -> str:
    table = TABLES_BY_NAME[dataset]
    return _KINDS[table.column(unit_columns(dataset)[0]).ref]  # type: ignore[index]


def unit_table() -> pd.DataFrame:
    """One row per dataset: dataset, unit_kind, unit_column, alliance_column ('' when none)."""
    rows = [(table.name, unit_kind(table.name), *unit_columns(table.name)) for table in TABLES]
    frame = pd.DataFrame(rows, columns=["dataset", "unit_kind", "unit_column", "alliance_column"])
    frame["alliance_column"] = frame["alliance_column"].fillna("")
    return frame

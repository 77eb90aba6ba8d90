"""Loads in scope: a data officer may load rows only for the places, facilities and alliances of their own
jurisdiction. Every row naming something outside it is a problem (file, row, column, code), so the whole
load is refused and the database stays as it was.

Which code a row belongs to: its facility (the reporting one: a referral's sender, or its receiver for a
patient returned into the county, since referrals to a hospital elsewhere are legitimate), its county or
town, and its alliance.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from healthdash.data.columns import TABLES_BY_NAME
from healthdash.ingest import problems
from healthdash.ingest.validate import Checked

# (kind, code) -> whether the account may load it; kind is 'region', 'facility' or 'alliance'.
Allows = Callable[[str, str], bool]
_KINDS = {"facility_code": "facility", "county_code": "region", "town_code": "region", "alliance_code": "alliance"}


def _home_facility(rows: pd.DataFrame) -> pd.Series:
    return rows["to_facility"].where(rows["direction"].eq("returned"), rows["from_facility"])


def _columns_of(name: str, rows: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """(column name as in the file, kind, codes) a row of table `name` is judged by."""
    if name == "referral":
        home = _home_facility(rows)
        column = pd.Series(np.where(rows["direction"].eq("returned"), "to_facility", "from_facility"), index=rows.index)
        return [(column_name, "facility", home.where(column.eq(column_name)))
                for column_name in ("from_facility", "to_facility")]
    return [(column, kind, rows[column]) for column, kind in _KINDS.items() if column in rows.columns]


def outside_rows(checked: Checked, allows: Allows) -> pd.DataFrame:
    """One problem per row and code the jurisdiction does not cover (empty: every row is inside)."""
    found = []
    for name, rows in checked.tables.items():
        table = TABLES_BY_NAME[name]
        columns = {column.name: column for column in table.columns}
        for column_name, kind, codes in _columns_of(name, rows):
            present = codes.dropna()
            refused = {code for code in present.unique() if not allows(kind, str(code))}
            if not refused:
                continue
            mask = present.isin(refused)
            hit = rows.loc[mask[mask].index]
            for position, part in hit.groupby("source", sort=True):
                source = checked.sources[int(position)]
                found.append(problems.many(source.name, "", part["_row"], "out_of_jurisdiction",
                                           column=columns[column_name], values=present.loc[part.index]))
    return problems.frame(found)

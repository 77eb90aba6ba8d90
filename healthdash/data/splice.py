"""Putting a rollup's recomputed months in place: the whole table after a build, only the months from the
first one a load touched otherwise. Every rollup (data/rollups.sql, data/quality_*.sql) is computed as
fresh_<name> and spliced here, so a build and a load run the same SQL."""

from __future__ import annotations

from datetime import date

import duckdb

EVERY_MONTH = date(1, 1, 1)  # the window of a full rebuild: every month


def set_window(con: duckdb.DuckDBPyConnection, table: str, since: date | None) -> None:
    """Temp table `table` (rebuild_window or quality_window) with one row: the first month to recompute."""
    # `table` is one of the two literals of the callers: an identifier.
    con.execute(f"create or replace temp table {table} as select $since::date as from_month",
                {"since": since or EVERY_MONTH})


def splice(con: duckdb.DuckDBPyConnection, name: str, order: str, since: date | None) -> None:
    """fresh_<name> into <name>, sorted by `order`: the whole table when `since` is None, else the months
    from `since` on (the table's other months stay as they are)."""
    # `name` and `order` come from the callers' fixed tables of rollups, never from input: identifiers.
    if since is None:
        con.execute(f"create or replace table {name} as select * from fresh_{name} order by {order}")
    else:
        con.execute(f"delete from {name} where month >= $since", {"since": since})
        con.execute(f"insert into {name} by name select * from fresh_{name} order by {order}")
    con.execute(f"drop table fresh_{name}")

"""Who delivered which monthly report when: the loader's record in report_receipt.

A load stages each table's rows per reported unit (the temp table scope_state of healthdash/ingest/loader.py,
one row per unit of the table's `scope` and its batch); record() notes every unit of the staged table as
delivered by its batch at the load's time, in the load's transaction. undo forgets the batch's deliveries.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from healthdash.data.quality import schema
from healthdash.data.quality.units import unit_columns


def record(con: duckdb.DuckDBPyConnection, dataset: str, loaded_at: datetime) -> None:
    """Every unit and month in scope_state (the staged rows of `dataset`, changed or not) as delivered by
    its batch at `loaded_at`."""
    schema.ensure_tables(con)
    unit, alliance = unit_columns(dataset)
    # Column names come from columns.py through unit_columns (a fixed list): identifiers cannot be bound.
    con.execute(f"""
        insert into report_receipt
        select distinct $dataset, {unit}, {alliance or "''"}, month, batch_id, $at, 'load',
        from scope_state
    """, {"dataset": dataset, "at": loaded_at})


def forget(con: duckdb.DuckDBPyConnection, batch: int) -> None:
    """Drop what batch `batch` delivered (it is being undone)."""
    schema.ensure_tables(con)
    con.execute("delete from report_receipt where batch_id = $batch", {"batch": batch})

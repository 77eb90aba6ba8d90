"""Months a reporting unit owes no report although the registry says it does (renovation, merger, a
dataset it does not keep), as a data officer records them; and the registry's opening and closing dates.

Every function takes a writable connection (pages and tools pass it to healthdash.ingest.loader.write) and
refreshes report_status itself. An exception is withdrawn, never deleted: who recorded and who withdrew
it stay on the row.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from healthdash.data.quality import schema
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.sql import Runner


def _month(value: date) -> date:
    return date(value.year, value.month, 1)


def _known_unit(con: duckdb.DuckDBPyConnection, code: str) -> bool:
    found = con.execute("select count(*) from report_place where unit_code = $code", {"code": code}).fetchall()
    return found[0][0] > 0


def _known_dataset(con: duckdb.DuckDBPyConnection, dataset: str) -> bool:
    found = con.execute("select count(*) from report_dataset where dataset = $d", {"d": dataset}).fetchall()
    return found[0][0] > 0


def record_exception(con: duckdb.DuckDBPyConnection, unit_code: str, month_from: date, month_to: date,
                     reason: str, by: str, *, dataset: str | None = None, at: datetime | None = None) -> int:
    """Excuse `unit_code` (a facility, town or county) from `dataset` (None: every dataset it owes) for the
    months month_from..month_to (any day of each). Returns the exception's id; QualityError (nothing
    written) for an unknown unit or dataset, months in the wrong order, no reason or no name."""
    schema.ensure_tables(con)
    first, last = _month(month_from), _month(month_to)
    if first > last:
        raise QualityError("month_order", month_from=f"{first:%Y-%m}", month_to=f"{last:%Y-%m}")
    if not _known_unit(con, unit_code):
        raise QualityError("unknown_unit", value=unit_code)
    if dataset is not None and not _known_dataset(con, dataset):
        raise QualityError("unknown_dataset", value=dataset)
    if not reason.strip():
        raise QualityError("reason_required")
    if not by.strip():
        raise QualityError("who_required")
    rows = con.execute("""
        insert into report_exception
        select coalesce(max(exception_id), 0) + 1, $unit, $dataset, $first, $last, $reason, $by, $at, null, null,
        from report_exception
        returning exception_id
    """, {"unit": unit_code, "dataset": dataset, "first": first, "last": last, "reason": reason.strip(),
          "by": by.strip(), "at": at or datetime.now().replace(microsecond=0)}).fetchall()
    schema.rebuild_reports(con)
    return int(rows[0][0])


def withdraw_exception(con: duckdb.DuckDBPyConnection, exception_id: int, by: str, *,
                       at: datetime | None = None) -> None:
    """Withdraw an exception: its months are owed again. QualityError for an unknown or withdrawn one."""
    schema.ensure_tables(con)
    if not by.strip():
        raise QualityError("who_required")
    found = con.execute("select withdrawn_at from report_exception where exception_id = $id",
                        {"id": exception_id}).fetchall()
    if not found:
        raise QualityError("unknown_exception", value=exception_id)
    if found[0][0] is not None:
        raise QualityError("exception_withdrawn", value=exception_id)
    con.execute("update report_exception set withdrawn_by = $by, withdrawn_at = $at where exception_id = $id",
                {"by": by.strip(), "at": at or datetime.now().replace(microsecond=0), "id": exception_id})
    schema.rebuild_reports(con)


def set_facility_dates(con: duckdb.DuckDBPyConnection, facility_code: str, opened: date | None,
                       closed: date | None) -> None:
    """The registry's opening and closing dates of a facility (None: before the data / still open)."""
    schema.ensure_tables(con)
    known = con.execute("select count(*) from facility where code = $code", {"code": facility_code}).fetchall()
    if not known[0][0]:
        raise QualityError("unknown_unit", value=facility_code)
    if opened is not None and closed is not None and opened > closed:
        raise QualityError("dates_order", opened=opened.isoformat(), closed=closed.isoformat())
    con.execute("insert or replace into facility_dates values ($code, $opened, $closed)",
                {"code": facility_code, "opened": opened, "closed": closed})
    schema.rebuild_reports(con)


def exceptions(run: Runner, city: str | None = None, county: str | None = None,
               town: str | None = None) -> pd.DataFrame:
    """The exceptions of units in a place (None: any), withdrawn ones included, newest first."""
    return run("report_exceptions", {"city": city, "county": county, "town": town})

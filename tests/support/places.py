"""Codes looked up by the names a user reads on the page, so a test names places as the user does."""

from __future__ import annotations

from pathlib import Path

import duckdb


def lookup(db: Path, sql: str, **params: object) -> object:
    """The first value of the first row `sql` (a query written by the test) returns on `db`."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchone()[0]


def region_code(db: Path, name: str) -> str:
    return str(lookup(db, "select code from region where name = $name", name=name))


def alliance_code(db: Path, name: str) -> str:
    return str(lookup(db, "select code from alliance where name = $name", name=name))


def facility_code(db: Path, name: str) -> str:
    return str(lookup(db, "select code from facility where name = $name", name=name))

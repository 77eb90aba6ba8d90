"""Fixtures of the access tests: a clock the test moves, and an account store on each backend.

Store tests run on SQLite and on PostgreSQL alike (the `store` fixture is parametrised): the same SQL
must behave the same on both. The PostgreSQL server is started once per test session; each test gets a
database of its own. Hashes are made with 1,000 iterations here (a sign-in test makes dozens);
test_access_passwords.py checks the real cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from healthdash.access.store import Store
from tests.access import postgres

FAST = 1_000
START = 1_800_000_000.0  # 2027-01-15 08:00 UTC: any fixed moment


class Clock:
    """Time as the test says: `advance` moves it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.Server]:
    with postgres.server() as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store lives: an SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "accounts.sqlite")
        return
    with request.getfixturevalue("pg_server").database() as url:
        yield url


@pytest.fixture
def store(location: str, clock: Clock) -> Iterator[Store]:
    opened = Store(location, clock=clock, iterations=FAST)
    yield opened
    opened.close()

"""The demo's simulated reporting history: the gaps, late loads and errors healthdash/data/quality/simulate.py
seeds show up in the quality queries, and nothing else is missing. (The published figures the demo
reproduces are checked by tests/test_calibration.py, the identities by tests/test_demo_identities.py.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.demo.places import build_world
from healthdash.data.quality import outliers, reporting, schema, simulate
from healthdash.data.quality.sql import runner

YEAR = Filters(date(2025, 1, 1), date(2025, 12, 1))
AS_OF = date(2026, 3, 1)


@pytest.fixture(scope="module")
def con(demo_db: Path):
    with duckdb.connect(str(demo_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def world() -> dict:
    return build_world()


def code(world: dict, pick: simulate.Pick) -> str:
    return simulate.picked(world, pick)[0]


def month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def test_the_missing_reports_are_exactly_the_seeded_gaps(con, world: dict) -> None:
    missing = reporting.missing(runner(con, EVERYTHING), YEAR, as_of=AS_OF)
    found = {(row.unit_code, row.month.date()) for row in missing.itertuples()}
    seeded = {(code(world, pick), month(text)) for pick, _, months in simulate.MISSING for text in months}
    town = simulate.picked(world, simulate.MISSING_TOWN[0])[1]
    seeded |= {(town, month(text)) for text in simulate.MISSING_TOWN[1]}
    assert found == seeded
    by_dataset = {(row.unit_code, row.dataset) for row in missing.itertuples()}
    assert (code(world, simulate.MISSING[0][0]), "service_volume") in by_dataset
    assert (town, "public_health") in by_dataset


def test_opening_closing_and_the_renovation_exception_owe_nothing(con, world: dict) -> None:
    grid = reporting.grid(runner(con, EVERYTHING), YEAR, as_of=AS_OF)
    volume = grid[grid["dataset"] == "service_volume"]
    opened = volume[volume["unit_code"] == code(world, simulate.OPENED[0])]
    assert opened["month"].min().date() == date(2025, 4, 1), "opened 15 April 2025"
    closed = volume[volume["unit_code"] == code(world, simulate.CLOSED[0])]
    assert closed["month"].max().date() == date(2025, 6, 1), "closed 30 June 2025"
    renovated = volume[(volume["unit_code"] == code(world, simulate.RENOVATION[0]))
                       & volume["month"].dt.month.isin([5, 6])]
    assert set(renovated["state"]) == {"not_due"}
    assert set(renovated["exception_reason"]) == {simulate.RENOVATION[2]}
    assert simulate.RENOVATION[2].startswith("（模拟）")


def test_late_loads_happen_and_the_habitual_latecomers_stand_out(con, world: dict) -> None:
    totals = reporting.totals(runner(con, EVERYTHING), YEAR, as_of=AS_OF)
    overall = totals[totals["dataset"].isna()].iloc[0]
    assert 0.85 < overall["timeliness"] < 0.98 and overall["reports_late"] > 0
    units = reporting.by_place(runner(con, EVERYTHING), YEAR, "unit", chosen=["service_volume"], as_of=AS_OF).set_index("place_code")
    for pick in simulate.HABITUALLY_LATE:
        assert units.loc[code(world, pick), "timeliness"] < 0.5
    assert units["timeliness"].median() > 0.85
    sources = con.execute("select distinct source from report_receipt").fetchall()
    assert sources == [("simulated",)]
    note = con.execute("select value from meta where key = 'quality_simulated'").fetchall()
    assert note == [(simulate.SIMULATED_NOTE,)]


def test_the_seeded_errors_are_flagged(con, world: dict) -> None:
    flags = outliers.flags(runner(con, EVERYTHING), YEAR)
    found = {(row.check_id, row.unit_code, row.measure, row.month.date()) for row in flags.itertuples()}
    pick, measure, text = simulate.EXTRA_ZERO
    assert {("zscore", code(world, pick), measure, month(text)), ("jump", code(world, pick), measure, month(text))} <= found
    pick, measure, text, _ = simulate.NEGATIVE
    negative = code(world, pick)
    assert {("bounds", negative, measure, month(text)), ("R01", negative, "", month(text))} <= found
    pick, measure, text = simulate.EXTRA_ZERO_TOWN
    town = simulate.picked(world, pick)[1]
    assert ("zscore", town, measure, month(text)) in found
    films = flags[flags["check_id"] == "R04"]
    assert len(films) == 1 and films.iloc[0]["county_code"] == simulate.FILMS_ABOVE_REVIEWED[0]


def test_the_flags_of_a_year_do_not_flood(con) -> None:
    # A data officer of one county sees a handful a year, the seeded ones among them.
    flags = outliers.flags(runner(con, EVERYTHING), YEAR)
    per_county = flags.groupby("county_code").size()
    assert per_county.median() <= 12 and len(flags) < 300


def test_every_declared_measure_has_series_in_the_demo(con) -> None:
    declared = set(schema.quality_measures()[["dataset", "measure"]].itertuples(index=False, name=None))
    scored = set(con.execute("select distinct dataset, measure from quality_score").fetchall())
    assert declared <= scored, f"declared but never produced (a typo in data/quality_measures.csv?): {declared - scored}"

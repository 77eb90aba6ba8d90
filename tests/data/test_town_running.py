"""The towns' running totals (indicator_town_running, data/town_running_rollup.sql) give the figures the
town grain gives by summing a period's months: queries/public_health_by_place.sql listing towns, run once
as the page runs it (reading two months of running totals) and once with macro town_running shadowed to
false (summing the town grain), for periods of every shape, flows and stocks, and the selections and
accounts that read the running totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import TIERS
from healthdash.core.paths import QUERY_DIR
from tests.support.places import region_code

QUERY = (QUERY_DIR / "public_health_by_place.sql").read_text(encoding="utf-8")
KEYS = ["indicator_code", "place_code"]


@pytest.fixture(scope="module")
def con(demo_db: Path):
    with duckdb.connect(str(demo_db), read_only=True) as connection:
        yield connection


def towns(con: duckdb.DuckDBPyConnection, *, summed: bool, **selection: object) -> pd.DataFrame:
    cursor = con.cursor()  # temp macros belong to one connection: the shadow stays in this one
    if summed:
        cursor.execute("create or replace temp macro town_running(a, t, k, l) as false")
    params = {"city": None, "county": None, "town": None, "alliance": None, "tiers": list(TIERS),
              "scope_kind": "province", "scope_code": None, "place_level": "town", **selection}
    frame = cursor.execute(QUERY, params).df()
    plan = "".join(row[1] for row in cursor.execute("explain " + QUERY, params).fetchall())
    cursor.close()
    read = "indicator_town_fact" if summed else "indicator_town_running"
    unread = "indicator_town_running" if summed else "indicator_town_fact"
    assert unread not in plan, f"the branch not taken reads nothing ({unread})"
    # A period without data may be known empty from the table's statistics and read nothing at all.
    assert read in plan or frame.empty, f"the {'summed' if summed else 'running'} branch reads {read}"
    return frame.sort_values(KEYS).reset_index(drop=True)


def same(running: pd.DataFrame, summed: pd.DataFrame) -> None:
    assert len(running) == len(summed)
    pd.testing.assert_frame_equal(running, summed, check_exact=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(("month_from", "month_to"), [
    (date(2025, 12, 1), date(2025, 12, 1)),   # the newest month alone
    (date(2025, 1, 1), date(2025, 12, 1)),    # a year
    (date(2024, 7, 1), date(2025, 6, 1)),     # twelve months across a year's end
    (date(2016, 6, 1), date(2017, 2, 1)),     # starting before the first month with data
    (date(2017, 1, 1), date(2017, 1, 1)),     # the first month with data alone
    (date(2025, 10, 1), date(2026, 3, 1)),    # running past the last month with data
    (date(2026, 1, 1), date(2026, 6, 1)),     # from the month after the last: nothing
    (date(2026, 3, 1), date(2026, 6, 1)),     # later still: nothing
    (date(2017, 1, 1), date(2025, 12, 1)),    # everything
])
def test_every_period_gives_the_summed_figures(con: duckdb.DuckDBPyConnection, month_from: date,
                                               month_to: date) -> None:
    codes = [row[0] for row in con.execute("select code from indicator order by code").fetchall()]
    period = {"codes": codes, "month_from": month_from, "month_to": month_to}
    running = towns(con, summed=False, **period)
    same(running, towns(con, summed=True, **period))
    if month_from.year < 2026:
        stocks = con.execute("select count(*) from indicator where at_period_end(aggregation) "
                             "and list_contains($codes, code)", {"codes": sorted(set(running["indicator_code"]))})
        assert len(running) > 1000 and stocks.fetchone()[0] > 5, "flows and stocks of many towns"
    else:
        assert running.empty


def test_places_and_accounts_that_read_the_running_totals(demo_db: Path, con: duckdb.DuckDBPyConnection) -> None:
    county, city = region_code(demo_db, "鹿寨县"), region_code(demo_db, "柳州市")
    town = con.execute("select town_code from indicator_town_running where county_code = $c limit 1",
                       {"c": county}).fetchall()[0][0]
    period = {"codes": ["fd_coverage", "hpv_first_doses", "htn_std_mgmt_rate", "fd_teams"],
              "month_from": date(2025, 1, 1), "month_to": date(2025, 9, 1)}
    for selection in ({"city": city}, {"city": city, "county": county}, {"county": county, "town": town},
                      {"scope_kind": "city", "scope_code": city}, {"scope_kind": "county", "scope_code": county}):
        running = towns(con, summed=False, **period, **selection)
        same(running, towns(con, summed=True, **period, **selection))
        assert len(running) > 0, selection
    other = region_code(demo_db, "名山区")
    assert towns(con, summed=False, **period, county=other, scope_kind="county", scope_code=county).empty


def test_a_tier_left_out_or_an_alliance_sums_the_town_grain(con: duckdb.DuckDBPyConnection) -> None:
    """The running totals hold every tier together: a narrower tier choice, or an alliance, is answered
    from the town or facility rows."""
    holds = con.execute("select town_running(null, $t, 'province', 'town')", {"t": list(TIERS)}).fetchone()[0]
    assert holds, "every tier of the sidebar is every tier of the running totals (macro every_tier)"
    for tier in TIERS:
        rest = [t for t in TIERS if t != tier]
        assert not con.execute("select town_running(null, $t, 'province', 'town')", {"t": rest}).fetchone()[0]
    alliance = con.execute("select scope_alliance from alliance_fact limit 1").fetchall()[0][0]
    assert not con.execute("select town_running($a, $t, 'province', 'town')",
                           {"a": alliance, "t": list(TIERS)}).fetchone()[0]
    assert not con.execute("select town_running(null, $t, 'province', 'county')", {"t": list(TIERS)}).fetchone()[0]


def test_the_running_totals_are_stored_by_month(con: duckdb.DuckDBPyConnection) -> None:
    """Each month is one run of rows, so the two months a period reads are a few row groups."""
    runs = con.execute("""
        select count(*) from (select month, lag(month) over (order by rowid) as previous from indicator_town_running)
        where month is distinct from previous
    """).fetchone()[0]
    assert runs == con.execute("select count(distinct month) from indicator_town_running").fetchone()[0]

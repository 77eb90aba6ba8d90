"""Query benchmark: `python -m healthdash bench`.

Builds a demo database at a given referral volume (or reuses one built at the same scale), then times the
queries a page runs, with the parameters the page would pass for several realistic selections (everything,
a city, a county, a town, an alliance, and a facility in focus), on a read-only connection as the dashboard
opens it: a warm-up, then `repeat` timed runs each, reported as p50 and p95 per query and selection.

Extending it: a page is a function (selection, facts) -> list[Case] registered in PAGES; a new kind of
measurement (page rerun times with AppTest, memory) is another function over the same database and
selections whose rows go into the same report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from healthdash.db import execute
from healthdash.filters import DEFAULT_PERIOD, Filters, add_months, preset_range
from healthdash.kpi import SPARK_MONTHS

DEFAULT_SCALE = 9.0
BUDGET_MS = 100.0


def default_db(scale: float) -> Path:
    return Path(f"/tmp/healthdash-bench-{scale:g}.duckdb")


# ---------------------------------------------------------------------------------------------- database


def database_scale(path: Path) -> str | None:
    """The demo scale recorded in the database's meta table, or None (no file, not a demo, unreadable)."""
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = dict(con.execute("select key, value from meta").fetchall())
    except duckdb.Error:
        return None
    return rows.get("scale") if rows.get("dataset_kind") == "demo" else None


def ensure_database(path: Path, scale: float, log: Callable[[str], None] = print) -> Path:
    """The demo database at `path` built at `scale`: reused when its meta says so, else (re)built."""
    if database_scale(path) == f"{scale:g}":
        log(f"reusing {path} (scale {scale:g})")
        return path
    from healthdash.demo import build_demo

    log(f"building {path} at scale {scale:g} …")
    result = build_demo(path, scale=scale)
    log(f"built in {result['seconds']} s: {result['rows']['referral']:,} referral events")
    return path


# ---------------------------------------------------------------------------------------------- selections


@dataclass(frozen=True)
class Selection:
    name: str
    filters: Filters
    facility: str | None = None  # a facility in focus (page-level narrowing), when the page has one


@dataclass(frozen=True)
class Facts:
    """What the cases of a page need to know about the database besides the selection."""

    last_month: date
    largest_county_hospital: str


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    if row is None:
        raise ValueError(f"the database has no row for: {sql}")
    return row[0]


def selections(con: duckdb.DuckDBPyConnection) -> tuple[list[Selection], Facts]:
    """Realistic selections, chosen from the data so that they are the busiest of their kind (the slowest
    a user can ask for): the default period (this year so far) over everything, the city, rural county,
    town and county medical community with the most referrals, and that county's busiest county hospital in
    focus over the last twelve months."""
    last_month = _one(con, "select max(month) from indicator_fact")
    last_month = last_month.date() if hasattr(last_month, "date") else last_month
    busiest = """
        select g.{level}_code
        from referral_flow_monthly f join facility_geo g on g.facility_code = f.home_facility
        where g.in_scope {extra}
        group by all order by sum(f.referrals) desc, 1 limit 1
    """
    city = str(_one(con, busiest.format(level="city", extra="")))
    county = str(_one(con, busiest.format(level="county", extra="and not g.county_urban")))
    town = str(_one(con, busiest.format(level="town", extra="and g.town_code is not null")))
    town_county, town_city = con.execute(
        "select county_code, city_code from facility_geo where town_code = $town limit 1", {"town": town}
    ).fetchone()
    county_city = str(_one(con, f"select parent_code from region where code = '{county}'"))
    alliance = str(_one(con, """
        select a.code from alliance a join alliance_member m on m.alliance_code = a.code
        where a.kind = 'county_community' group by all order by count(*) desc, 1 limit 1
    """))
    hospital = con.execute("""
        select f.home_facility from referral_flow_monthly f join facility_geo g on g.facility_code = f.home_facility
        where g.county_code = $county and g.tier = 'county' group by all order by sum(f.referrals) desc, 1 limit 1
    """, {"county": county}).fetchone()[0]

    base = default_filters_at(last_month)
    last12_from, last12_to = preset_range("last12", last_month)
    chosen = [
        Selection("all", base),
        Selection("city", replace(base, city=city)),
        Selection("county", replace(base, city=county_city, county=county)),
        Selection("town", replace(base, city=str(town_city), county=str(town_county), town=town)),
        Selection("alliance", replace(base, alliance=alliance)),
        Selection("county+facility, last 12 months",
                  replace(base, city=county_city, county=county, period="last12",
                          month_from=last12_from, month_to=last12_to), facility=str(hospital)),
    ]
    return chosen, Facts(last_month=last_month, largest_county_hospital=str(hospital))


def default_filters_at(last_month: date) -> Filters:
    """The selection a user gets on opening the dashboard (the default period, 同比)."""
    return Filters(*preset_range(DEFAULT_PERIOD, last_month))


# ---------------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    query: str
    params: dict = field(hash=False)
    note: str = ""


def _place_level(filters: Filters) -> str:
    return {"all": "city", "city": "county", "county": "facility", "town": "facility"}[filters.level]


def headline_cases(filters: Filters, codes: list[str], growth_bases: list[str]) -> list[Case]:
    """The queries kpi.headline runs: totals now and in the comparison period, 同比 totals for growth
    indicators, and the sparkline months."""
    spark = filters.scope_params() | {
        "codes": codes + growth_bases,
        "month_from": add_months(filters.month_to, -(SPARK_MONTHS - 1)),
        "month_to": filters.month_to,
    }
    return [
        Case("indicator_totals", {"codes": codes, **filters.sql_params()}, "headline"),
        Case("indicator_totals", {"codes": growth_bases, **replace(filters, compare="yoy").sql_params()},
             "headline growth"),
        Case("indicator_monthly", spark, "sparklines"),
    ]


def referrals_cases(selection: Selection, facts: Facts) -> list[Case]:
    """Every query one run of pages/referrals.py makes (the sidebar's and the header's included)."""
    from healthdash import referrals

    filters, facility = selection.filters, selection.facility
    plain = [code for code in referrals.HEADLINE if code != "down_referral_growth"]
    first, last = referrals.trend_window(filters.month_from, filters.month_to)
    flow = {**filters.sql_params(), "facility": facility}
    level = _place_level(filters)
    year_before = replace(filters, month_from=add_months(filters.month_from, -12),
                          month_to=add_months(filters.month_to, -12))
    cases = [
        Case("filter_regions", {}, "sidebar"),
        Case("filter_alliances", {}, "sidebar"),
        Case("data_months", {}, "sidebar"),
        Case("dataset_meta", {}, "header"),
        Case("indicator_catalog", {}, "catalog"),
        *headline_cases(filters, plain, ["down_referrals"]),
        Case("indicator_by_place", {"codes": ["down_up_ratio"], "child_level": level, **filters.sql_params()},
             "ranking"),
        Case("indicator_by_place", {"codes": ["down_referrals"], "child_level": level, **year_before.sql_params()},
             "ranking, growth base"),
        Case("referral_by_facility", filters.sql_params(), "table, focus choices"),
        Case("referrals_by_month", {**flow, "month_from": first, "month_to": last}, "trend"),
        Case("referral_tier_flows", flow, "Sankey"),
        Case("referral_out_of_county_receivers", flow, "out of county"),
        Case("referral_facility_pairs", {**flow, "top": referrals.MATRIX_TOP}, "matrix"),
    ]
    del facts
    return cases


PAGES: dict[str, Callable[[Selection, Facts], list[Case]]] = {"referrals": referrals_cases}


# ---------------------------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    page: str
    query: str
    note: str
    selection: str
    rows: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float  # CPU time of the process (DuckDB's threads included): what the query costs when the
    # machine is busy with other work, which inflates wall time but not CPU time


def time_case(
    con: duckdb.DuckDBPyConnection, case: Case, repeat: int, warmup: int
) -> tuple[int, list[float], list[float]]:
    """Rows returned, and the wall and CPU time of each of `repeat` runs (ms), after `warmup` untimed runs."""
    rows = 0
    for _ in range(warmup):
        rows = len(execute(con, case.query, case.params))
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = len(execute(con, case.query, case.params))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return rows, wall, cpu


def run(
    db: Path, pages: Sequence[str], repeat: int = 20, warmup: int = 2, log: Callable[[str], None] = print
) -> list[Timing]:
    """Time every case of `pages` for every selection; parameter-less queries are timed once."""
    timings: list[Timing] = []
    with duckdb.connect(str(db), read_only=True) as con:
        chosen, facts = selections(con)
        for page in pages:
            seen: set[str] = set()
            for selection in chosen:
                for case in PAGES[page](selection, facts):
                    label = "—" if not case.params else selection.name
                    key = f"{case.query}|{case.note}|{label}"
                    if key in seen:
                        continue
                    seen.add(key)
                    rows, wall, cpu = time_case(con, case, repeat, warmup)
                    timing = Timing(page, case.query, case.note, label, rows, float(np.percentile(wall, 50)),
                                    float(np.percentile(wall, 95)), max(wall), float(np.percentile(cpu, 50)))
                    log(f"  {timing.query:<34} {timing.note:<22} {timing.selection:<32} "
                        f"p50 {timing.p50_ms:7.1f} ms  p95 {timing.p95_ms:7.1f} ms  cpu {timing.cpu_p50_ms:7.1f} ms")
                    timings.append(timing)
    return timings


def report(timings: Sequence[Timing], budget_ms: float = BUDGET_MS) -> str:
    """Per query (and note): the worst p50 and p95 over the selections, flagged against the budget."""
    worst: dict[tuple[str, str, str], Timing] = {}
    for timing in timings:
        key = (timing.page, timing.query, timing.note)
        if key not in worst or timing.p95_ms > worst[key].p95_ms:
            worst[key] = timing
    lines = [f"{'page':<10} {'query':<34} {'used for':<22} {'worst selection':<32} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'cpu p50':>8}"]
    for (page, query, note), timing in sorted(worst.items(), key=lambda item: -item[1].p95_ms):
        flag = "  OVER BUDGET" if timing.p95_ms > budget_ms else ""
        lines.append(f"{page:<10} {query:<34} {note:<22} {timing.selection:<32} "
                     f"{timing.p50_ms:8.1f} {timing.p95_ms:8.1f} {timing.cpu_p50_ms:8.1f}{flag}")
    over = sum(1 for timing in worst.values() if timing.p95_ms > budget_ms)
    lines.append(f"{len(worst)} queries, {over} over the {budget_ms:g} ms p95 budget")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """The `bench` command (its arguments are declared in healthdash/__main__.py)."""
    scale = float(args.scale)
    db = Path(args.db) if args.db else default_db(scale)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    ensure_database(db, scale, log)
    with duckdb.connect(str(db), read_only=True) as con:
        events = int(str(_one(con, "select value from meta where key = 'referral_events'")))
    log(f"{events:,} referral events; {args.repeat} timed runs per query after {args.warmup} warm-up")
    timings = run(db, args.pages, repeat=args.repeat, warmup=args.warmup, log=log)
    print(report(timings, args.budget_ms))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"db": str(db), "scale": scale, "events": events,
                        "timings": [asdict(timing) for timing in timings]}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    over = any(timing.p95_ms > args.budget_ms for timing in timings)
    return 1 if over and args.strict else 0

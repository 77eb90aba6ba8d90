"""Benchmark: `python -m tools bench [--scale N ...]`.

Builds a demo database at each referral volume (or reuses one built at the same scale; scale 1 is the
demo, scale 8 about 10 million events), or with --world the demo, a city (the demo's places and synthetic
ones, about ten times its facilities) and a province (about 40,000 facilities, 55 million events; `build-demo
--world province`), and reports, per database:

- every query in queries/: p50 and p95 (wall and CPU) on a read-only connection as the dashboard opens it,
  over realistic parameter sets — a warm-up, then `repeat` timed runs each. The parameter sets come from
  three places: what each page of app.py's navigation really runs for several selections (everything, the
  busiest city, rural county, town and county medical community, and that county's busiest hospital in
  focus over twelve months; recorded by running the page through AppTest), hand-written cases per page
  (PAGES) and cases for the queries no page runs on opening (TOOL_CASES: data loading). A query file with
  no parameter set from any of them stops the benchmark, so a new query gets one;
- each page's warm rerun (the median of WARM_RUNS reruns of the same AppTest: every query cached, what a
  user waits for after an interaction that changes nothing in the data) and its cold first run;
- cold start: `python -m healthdash.serve` (what `make run` starts) on a loopback port until the
  Overview's first metric is drawn in headless Chromium (the database already built), the median of
  COLD_STARTS starts, in a browser that has opened the dashboard before (Streamlit's scripts cached, the
  target's figure) and in one that never did; then the server's peak memory after opening every page for
  every selection;
- the headline aggregation done the naive way (a year of raw referral events read into pandas, grouped per
  county) against the rollup query the dashboard runs, as a speed ratio (and a check that both agree);
- the targets (TARGETS) met or missed; with more than one database, the curve: one line per database.

Timings are printed, never asserted: the machine is shared, so CPU time and the load average are printed too.

Extending it: a page added to app.py is measured without a change here; a query that only runs after an
interaction gets a hand-written case in PAGES (a function (selection, facts) -> list[Case]); a query no page
runs gets one in TOOL_CASES.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import numpy as np
import pandas as pd

from healthdash.core.filters import DEFAULT_PERIOD, Filters, add_months, preset_range
from healthdash.core.paths import APP, QUERY_DIR, ROOT
from healthdash.data.db import CATALOG, EVERYTHING, bind, execute, open_readonly
from healthdash.data.kpi import SPARK_MONTHS
from healthdash.ui.navigation import NavPage, app_pages

DEFAULT_SCALES = (1.0, 8.0)
# The worlds of --world: None is the demo at each --scale; otherwise the province world's scale (data/demo/
# province.py): 0.16 adds ~6,300 synthetic facilities to the demo's 702 (a city's ten times), 1 a province.
WORLDS: dict[str, float | None] = {"demo": None, "city": 0.16, "province": 1.0}
COLD_STARTS = 3  # server starts timed; their median is the cold start figure
WARM_RUNS = 5  # reruns per page and selection: one rerun is at the mercy of a garbage collection


@dataclass(frozen=True)
class Targets:
    """What the dashboard must stay within at 10 million referral events on the 2-core machine."""

    query_p95_ms: float = 50.0
    page_warm_ms: float = 300.0
    cold_start_s: float = 5.0
    memory_mb: float = 1024.0
    naive_factor: float = 10.0


TARGETS = Targets()
BUDGET_MS = TARGETS.query_p95_ms


def default_db(scale: float, world: str = "demo") -> Path:
    return Path(f"/tmp/healthdash-bench-{scale:g}.duckdb" if world == "demo" else f"/tmp/healthdash-bench-{world}.duckdb")


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
    if rows.get("dataset_kind") != "demo":
        return None
    return f"province {rows.get('province_scale')}" if rows.get("world") == "province" else rows.get("scale")


def database_key(scale: float, world: str = "demo") -> str:
    """What database_scale says of a database built for `world` (at `scale` for the demo)."""
    province_scale = WORLDS[world]
    return f"{scale:g}" if province_scale is None else f"province {province_scale:g}"


def built_from_current_sources(path: Path) -> bool:
    """Whether `path` is newer than what builds a database (schema, rollups and macros, the generator): a
    change to a rollup or a macro such as scoped_facts only reaches a database when it is rebuilt."""
    root = ROOT
    sources = [*(root / "data").glob("*.sql"), *(root / "healthdash" / "data" / "demo").glob("*.py"),
               root / "healthdash" / "data" / "build.py"]
    newest = max((source.stat().st_mtime for source in sources if source.exists()), default=0.0)
    return path.stat().st_mtime > newest


def ensure_database(path: Path, scale: float, log: Callable[[str], None] = print, world: str = "demo") -> Path:
    """The demo database at `path` built at `scale` (or the world's database): reused when its meta says so
    and it was built from the current sources, else (re)built."""
    key = database_key(scale, world)
    if database_scale(path) == key:
        if built_from_current_sources(path):
            log(f"reusing {path} ({key})")
            return path
        log(f"{path} was built before the last change to data/*.sql or the generator")
    from healthdash.data.demo import build_demo, build_province

    log(f"building {path} ({world}, {key}) …")
    province_scale = WORLDS[world]
    if province_scale is None:
        result = build_demo(path, scale=scale)
    else:
        shown: set[str] = set()

        def progress(fraction: float, message: str) -> None:
            if message not in shown:
                shown.add(message)
                log(f"  [{fraction:4.0%}] {message}")

        result = build_province(path, scale=province_scale, progress=progress)
    log(f"built in {result['seconds']} s: {result['rows']['referral']:,} referral events")
    return path


# ---------------------------------------------------------------------------------------------- selections


@dataclass(frozen=True)
class Selection:
    name: str
    filters: Filters
    facility: str | None = None  # a facility in focus (page-level narrowing), when the page has one

    def url(self) -> dict[str, str]:
        """The URL parameters that open a page on this selection (the facility is ?facility=)."""
        return self.filters.to_query() | ({"facility": self.facility} if self.facility else {})


@dataclass(frozen=True)
class Facts:
    """What the cases of a page need to know about the database besides the selection."""

    last_month: date
    largest_county_hospital: str


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> object:
    row = con.execute(sql, params or {}).fetchone()
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
    county_city = str(_one(con, "select parent_code from region where code = $county", {"county": county}))
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
    # Tables a query reads besides the database's (registered on its cursor), e.g. the load validator's
    # `pairs` of referral_expected_direction.
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, hash=False, compare=False)

    def key(self) -> tuple[str, str]:
        """What makes two cases the same run: the query and the parameters it binds."""
        return self.query, repr(sorted(bind(self.query, self.params).items()))


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
    from healthdash.domains.referrals import data as referrals

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


# Hand-written cases per page (by url_path), added to what the page is recorded running: for queries a page
# runs only after a click, which opening it with a URL does not reach.
def appraisal_cases(selection: Selection, facts: Facts) -> list[Case]:
    """监测与考核 after a click: the year before the newest picked (the page opens on the newest), with the year
    before it for the change and the ranking's last-year totals; its targets, and the judgements of the
    selection's county."""
    from healthdash.core.filters import TIERS
    from healthdash.domains.appraisal.data import MONITORED

    year, chosen = facts.last_month.year - 1, selection.filters
    place = {"codes": list(MONITORED), "child_level": "county", "city": chosen.city, "county": chosen.county,
             "town": None, "alliance": None, "tiers": list(TIERS)}
    return [
        *(Case("indicator_by_place", {**place, "month_from": date(y, 1, 1), "month_to": date(y, 12, 1)},
               f"appraisal, {y} picked") for y in (year, year - 1)),
        Case("appraisal_targets", {"years": [year - 1, year]}, f"appraisal, {year} picked"),
        Case("appraisal_judgements", {"counties": [chosen.county] if chosen.county else [],
                                      "years": [year - 1, year]}, f"appraisal, {year} picked"),
    ]


def facility_cases(selection: Selection, facts: Facts) -> list[Case]:
    """The facility page opened by a link to a facility outside the sidebar's places (a receiver in another
    county): the picker looks that one up besides the selection's."""
    return [Case("facility_labels", {"codes": [facts.largest_county_hospital]}, "facility, opened by a link")]


PAGES: dict[str, Callable[[Selection, Facts], list[Case]]] = {"referrals": referrals_cases,
                                                              "appraisal": appraisal_cases,
                                                              "facility": facility_cases}


def tool_cases(con: duckdb.DuckDBPyConnection, facts: Facts) -> list[Case]:
    """Queries no page runs on opening: the data page's history (behind its password) and data loading —
    the validator's reference tables, the direction rule over a month of referral pairs as a monthly load
    of every facility brings, and the load benchmark's export of a million events; the accounts' (an admin
    checking a scope, the demo's sample accounts) and the data-quality engine's (quality_cases)."""
    month_from, month_to = facts.last_month, add_months(facts.last_month, 1)
    pairs = con.execute(
        "select distinct from_facility, to_facility from referral where referral_date >= $a and referral_date < $b",
        {"a": month_from, "b": month_to},
    ).df()
    return [
        Case("import_history", {}, "data page history"),
        *(Case(name, {}, "load validator") for name in
          ("load_facilities", "load_regions", "load_alliance_members", "load_public_health_indicators")),
        Case("referral_expected_direction", {}, f"load validator, {len(pairs):,} pairs", tables={"pairs": pairs}),
        Case("scope_target", {"scope_code": facts.largest_county_hospital}, "admin checks a scope"),
        Case("scope_samples", {}, "demo's sample accounts"),
        *quality_cases(con, facts),
        # Last: freeing its million rows slows the queries timed in the next two seconds or so by up to 3×
        # (report_missing at the province 25 → 75 ms), which would be charged to them.
        Case("latest_referrals", {"rows": 1_000_000}, "load benchmark export"),
    ]


def quality_cases(con: duckdb.DuckDBPyConnection, facts: Facts) -> list[Case]:
    """The data-quality engine's queries (issue 20), besides those its page runs: over the last twelve months, for the
    whole database, the county of its largest county hospital and its largest county medical community,
    at the default thresholds; the grid and the late reports of that county; a flag's series and marks."""
    from healthdash.data.quality import outliers, reporting
    from healthdash.data.quality.marks import FlagKey

    month_from, month_to = preset_range("last12", facts.last_month)
    county = str(_one(con, "select county_code from facility_geo where facility_code = $f",
                      {"f": facts.largest_county_hospital}))
    alliance = str(_one(con, """
        select a.code from alliance a join alliance_member m on m.alliance_code = a.code
        where a.kind = 'county_community' group by all order by count(*) desc, 1 limit 1
    """))
    everything = Filters(month_from, month_to)
    as_of = add_months(facts.last_month, 2)
    cases = []
    for name, filters in (("all", everything), ("county", replace(everything, county=county)),
                          ("alliance", replace(everything, alliance=alliance))):
        params = reporting.params(filters, as_of=as_of)
        cases += [
            Case("report_rate_totals", params, f"quality, {name}"),
            Case("report_rates_by_place", {**params, "child_level": "unit" if filters.county else "county"},
                 f"quality, {name}"),
            Case("report_rates_monthly", params, f"quality, {name}"),
            Case("report_missing", {**params, "states": ["missing"]}, f"quality, {name}"),
            Case("quality_flags", outliers.params(filters), f"quality, {name}"),
        ]
    county_params = reporting.params(replace(everything, county=county), as_of=as_of)
    flag = con.execute("select * from quality_flag where county_code = $c and kind = 'outlier' order by month desc "
                       "limit 1", {"c": county}).df()
    key = FlagKey.of(flag.iloc[0]) if len(flag) else FlagKey("zscore", "service_volume", "outpatient_visits",
                                                              facts.largest_county_hospital, "", facts.last_month)
    return cases + [
        Case("report_rates_by_alliance", reporting.params(everything, as_of=as_of), "quality, all"),
        Case("report_grid", county_params, "quality, county"),
        Case("report_missing", {**county_params, "states": ["missing", "late"]}, "quality, county, late too"),
        Case("report_exceptions", {"city": None, "county": None, "town": None}, "quality"),
        Case("quality_series", {**key.params(), "z": outliers.DEFAULT_Z}, "quality, one flag"),
        Case("quality_mark_history", key.params(), "quality, one flag"),
    ]


# Queries that serve tools, not a page a user waits for: reported, but outside the interactive target.
TOOL_QUERIES = frozenset({"latest_referrals"})


def query_files() -> list[str]:
    return sorted(path.stem for path in QUERY_DIR.glob("*.sql"))


class UncoveredQueries(RuntimeError):
    """Query files the benchmark has no parameter set for."""


def check_coverage(cases: Sequence[Case]) -> None:
    missing = sorted(set(query_files()) - {case.query for case in cases})
    if missing:
        raise UncoveredQueries(
            "no parameter set for " + ", ".join(f"queries/{name}.sql" for name in missing)
            + ": the benchmark must time every query. Open the page that runs it in a selection of"
            " bench.selections(), or add a case to bench.PAGES (a query run after a click) or"
            " bench.tool_cases (a query no page runs)."
        )


# ---------------------------------------------------------------------------------------------- pages


@dataclass
class PageRun:
    page: str
    selection: str
    cold_ms: float
    warm_ms: float  # the median of WARM_RUNS reruns
    warm_max_ms: float
    calls: list[tuple[str, dict]]
    error: str | None


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def quiet_streamlit() -> None:
    """AppTest and the shared modules' caches log warnings meant for a developer running a script bare."""
    from streamlit import logger

    logger.set_log_level(logging.ERROR)


def run_pages(
    db: Path, pages: Sequence[NavPage], chosen: Sequence[Selection], log: Callable[[str], None] = print
) -> list[PageRun]:
    """Open every page for every selection with AppTest: the first run (cold: nothing cached) records the
    queries the page runs and their parameters; then the same AppTest runs WARM_RUNS more times (warm:
    what a click that changes nothing the page reads costs), and their median is the warm figure."""
    from streamlit.testing.v1 import AppTest

    from healthdash.data import db as dbmodule

    quiet_streamlit()
    calls: list[tuple[str, dict]] = []
    original = dbmodule._cached

    def recording(db_id: object, name: str, params: dict[str, object]) -> pd.DataFrame:
        calls.append((name, dict(params)))
        return original(db_id, name, params)

    runs: list[PageRun] = []
    dbmodule._cached = recording
    try:
        with _environment("HEALTHDASH_DB", str(db)):
            for page in pages:
                for selection in chosen:
                    app = AppTest.from_file(str(APP), default_timeout=600)
                    app.query_params.update(selection.url())
                    app.switch_page(page.script)
                    calls.clear()
                    started = time.perf_counter()
                    app.run()
                    cold = time.perf_counter() - started
                    reruns = []
                    for _ in range(WARM_RUNS):
                        started = time.perf_counter()
                        app.run()
                        reruns.append((time.perf_counter() - started) * 1000)
                    warm = float(np.median(reruns))
                    error = "; ".join(str(e.message)[:200] for e in app.exception) or None
                    runs.append(PageRun(page.url_path, selection.name, cold * 1000, warm, max(reruns), list(calls),
                                        error))
                    log(f"  page {page.url_path:<14} {selection.name:<32} cold {cold * 1000:7.0f} ms  "
                        f"warm {warm:7.0f} ms (max {max(reruns):.0f})  {len(calls):3d} queries"
                        + (f"  ERROR {error}" if error else ""))
    finally:
        dbmodule._cached = original
    return runs


def recorded_cases(runs: Sequence[PageRun]) -> list[tuple[Case, str, str]]:
    """(case, page, selection) for every query call recorded while the pages ran."""
    return [(Case(name, params, page.page), page.page, page.selection) for page in runs for name, params in page.calls]


# ---------------------------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    page: str  # the pages that run it (comma-separated), or "tools"
    query: str
    note: str
    selection: str
    rows: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float  # CPU time of the process (DuckDB's threads included): what the query costs when the
    # machine is busy with other work, which inflates wall time but not CPU time


def _execute(con: duckdb.DuckDBPyConnection, case: Case) -> pd.DataFrame:
    # The cases read as the province's account: everything, through the same jurisdiction filter.
    return execute(con, case.query, {**EVERYTHING, **case.params}, catalog=CATALOG, tables=case.tables)


def time_case(
    con: duckdb.DuckDBPyConnection, case: Case, repeat: int, warmup: int
) -> tuple[int, list[float], list[float]]:
    """Rows returned, and the wall and CPU time of each of `repeat` runs (ms), after `warmup` untimed runs."""
    rows = 0
    for _ in range(warmup):
        rows = len(_execute(con, case))
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = len(_execute(con, case))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return rows, wall, cpu


def unique_cases(
    sourced: Sequence[tuple[Case, str, str]],
) -> list[tuple[Case, list[str], str]]:
    """Each distinct (query, bound parameters) once, with the pages that run it and the first selection."""
    merged: dict[tuple[str, str], tuple[Case, list[str], str]] = {}
    for case, page, selection in sourced:
        key = case.key()
        if key not in merged:
            merged[key] = (case, [page], selection)
        elif page not in merged[key][1]:
            merged[key][1].append(page)
    return list(merged.values())


def time_queries(
    db: Path, cases: Sequence[tuple[Case, list[str], str]], repeat: int, warmup: int,
    log: Callable[[str], None] = print,
) -> list[Timing]:
    timings: list[Timing] = []
    with open_readonly(db) as con:
        for case, pages, selection in cases:
            label = "—" if not bind(case.query, case.params) else selection
            rows, wall, cpu = time_case(con, case, repeat, warmup)
            timing = Timing(",".join(pages), case.query, case.note, label, rows, float(np.percentile(wall, 50)),
                            float(np.percentile(wall, 95)), max(wall), float(np.percentile(cpu, 50)))
            log(f"  {timing.query:<34} {timing.selection:<32} p50 {timing.p50_ms:7.1f} ms  "
                f"p95 {timing.p95_ms:7.1f} ms  cpu {timing.cpu_p50_ms:7.1f} ms  {rows:>9,} rows")
            timings.append(timing)
    return timings


def run(
    db: Path, pages: Sequence[str], repeat: int = 20, warmup: int = 2, log: Callable[[str], None] = print,
    selection_names: Sequence[str] | None = None,
) -> tuple[list[Timing], list[PageRun]]:
    """Run the pages (recording their queries), add the hand-written and tool cases, check that every
    query file has a parameter set, and time each distinct case."""
    with open_readonly(db) as con:
        chosen, facts = selections(con)
        tools = tool_cases(con, facts)
    if selection_names:
        unknown = sorted(set(selection_names) - {s.name for s in chosen})
        if unknown:
            raise ValueError(f"unknown selection(s): {', '.join(unknown)}; known: {', '.join(s.name for s in chosen)}")
        chosen = [s for s in chosen if s.name in selection_names]
    navigation = [page for page in app_pages() if page.url_path in pages]
    runs = run_pages(db, navigation, chosen, log)
    sourced = recorded_cases(runs)
    sourced += [(case, page, s.name) for page in pages if page in PAGES for s in chosen for case in PAGES[page](s, facts)]
    sourced += [(case, "tools", "—") for case in tools]
    if set(pages) >= {page.url_path for page in app_pages()}:  # only every page can cover every query
        check_coverage([case for case, _, _ in sourced])
    distinct = unique_cases(sourced)
    log(f"{len(distinct)} distinct query runs ({len(sourced)} calls); {repeat} timed runs each after {warmup} warm-up")
    return time_queries(db, distinct, repeat, warmup, log), runs


# ---------------------------------------------------------------------------------------------- naive


@dataclass(frozen=True)
class Naive:
    year: int
    events: int  # raw referral rows of the year read into pandas
    naive_ms: float
    rollup_ms: float
    agree: bool  # both ways give the same figure for every county

    @property
    def factor(self) -> float:
        return self.naive_ms / self.rollup_ms if self.rollup_ms else float("inf")


def naive_county_figures(con: duckdb.DuckDBPyConnection, year: int) -> tuple[pd.DataFrame, int]:
    """Out-of-county referrals and the down/up ratio (down over up plus out of county) per county for
    `year`, computed the naive way: the
    year's raw referral events (not cancelled) read into pandas, each counted at its home facility (the
    receiver of a patient returned into a county, else the sender), facility -> town -> county from the raw
    facility and region tables, monitored counties only."""
    events = con.execute(
        "select from_facility, to_facility, direction, status from referral"
        " where referral_date >= $first and referral_date < $next",
        {"first": date(year, 1, 1), "next": date(year + 1, 1, 1)},
    ).df()
    facility = con.execute("select code, region_code from facility").df()
    region = con.execute("select code, level, parent_code, in_scope from region").df()
    county_of_region = region.set_index("code")["parent_code"].where(region.set_index("code")["level"] == "town")
    county_of_region = county_of_region.fillna(pd.Series(region["code"].to_numpy(), index=region["code"]))
    monitored = set(region.loc[(region["level"] == "county") & region["in_scope"].astype(bool), "code"])
    county_of_facility = facility.set_index("code")["region_code"].map(county_of_region)

    kept = events[events["status"] != "cancelled"]
    home = kept["from_facility"].where(kept["direction"] != "returned", kept["to_facility"])
    counted = pd.DataFrame({"county": home.map(county_of_facility), "direction": kept["direction"]})
    counted = counted[counted["county"].isin(monitored)]
    counts = counted.groupby(["county", "direction"]).size().unstack(fill_value=0)
    for direction in ("up", "down", "out_of_county"):
        if direction not in counts:
            counts[direction] = 0
    figures = pd.DataFrame({
        "out_of_county_referrals": counts["out_of_county"].astype(float),
        "down_up_ratio": counts["down"] / (counts["up"] + counts["out_of_county"]).where(counts["up"] + counts["out_of_county"] > 0),
    })
    return figures, len(events)


def rollup_params(year: int) -> dict[str, object]:
    """What the dashboard asks for the same figures: indicator_by_place one level down, for that year."""
    filters = Filters(date(year, 1, 1), date(year, 12, 1), period="last_year")
    return {"codes": ["out_of_county_referrals", "down_up_ratio"], "child_level": "county", **filters.sql_params()}


def rollup_county_figures(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(value=np.where(frame["denominator"].isna(), frame["numerator"],
                                        frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)))
    return frame.pivot_table(index="place_code", columns="indicator_code", values="value", aggfunc="first")


def naive_vs_rollup(db: Path, repeat: int = 3) -> Naive:
    """Median time of each way over `repeat` runs (after one untimed run of the rollup query)."""
    with open_readonly(db) as con:
        last = _one(con, "select max(month) from indicator_fact")
        year = last.year if last.month == 12 else last.year - 1  # the last complete year
        params = rollup_params(year)
        params |= EVERYTHING
        execute(con, "indicator_by_place", params, catalog=CATALOG)
        rollup_times, naive_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            rolled = execute(con, "indicator_by_place", params, catalog=CATALOG)
            rollup_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            naive, events = naive_county_figures(con, year)
            naive_times.append((time.perf_counter() - started) * 1000)
    rolled = rollup_county_figures(rolled).reindex(index=naive.index, columns=naive.columns)
    agree = bool(np.allclose(rolled.to_numpy(float), naive.to_numpy(float), rtol=1e-9, equal_nan=True))
    return Naive(year, events, float(np.median(naive_times)), float(np.median(rollup_times)), agree)


# ---------------------------------------------------------------------------------------------- browser


@dataclass(frozen=True)
class ColdStart:
    server_up_s: float  # streamlit run started -> /_stcore/health answers (median of the starts)
    first_metric_s: float  # streamlit run started -> the Overview's first metric is drawn (median), in a
    # browser that has opened the dashboard before: Streamlit's scripts come from its cache, as on an
    # official's desk every day after the first
    first_metric_runs: list[float]  # each start's figure
    new_browser_s: float  # the same in a browser that never opened it (every script downloaded and compiled)
    new_browser_runs: list[float]
    server_peak_mb: float  # the server's VmHWM after every page was opened for every selection
    server_rss_mb: float
    pages_opened: int
    errors: list[str]


def cold_start(db: Path, pages: Sequence[NavPage], chosen: Sequence[Selection], log: Callable[[str], None] = print,
               timeout_s: float = 180.0) -> ColdStart:
    """Start the server COLD_STARTS times for each of two browsers, both running before the server starts,
    and time the Overview's first metric after each start: a new browser context (nothing cached), then a
    browser profile that has opened the dashboard once before (one start not timed). Every start uses the
    same port, as a deployment does: a browser's cache belongs to the address. On the last start open every
    page for every selection (waiting until each has rendered) and read the server's peak memory."""
    from playwright.sync_api import sync_playwright

    from tools import headless

    port = headless.free_port()
    with tempfile.TemporaryDirectory(prefix="healthdash-bench-") as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=headless.require_chromium(),
                                             args=headless.CHROMIUM_ARGS, headless=True)
        returning = playwright.chromium.launch_persistent_context(
            Path(scratch) / "profile", executable_path=headless.require_chromium(), args=headless.CHROMIUM_ARGS,
            headless=True, viewport=headless.VIEWPORT, locale="zh-CN", service_workers="block")
        outside: list[str] = []
        headless.note_outside_requests(returning, outside)

        def start(name: str) -> AbstractContextManager[headless.Server]:
            return headless.serve(db, Path(scratch) / f"streamlit-{name}.log", timeout_s=timeout_s, port=port)

        try:
            new: list[tuple[float, float]] = []
            for number in range(COLD_STARTS):
                with start(f"new-{number}") as server:
                    context = browser.new_context(viewport=headless.VIEWPORT, locale="zh-CN", service_workers="block")
                    headless.note_outside_requests(context, outside)
                    try:
                        new.append(_first_metric(context, server, timeout_s, log, "new browser"))
                    finally:
                        context.close()
            with start("first-visit") as server:
                _first_metric(returning, server, timeout_s, log, "first visit of the profile, not timed")
            again: list[tuple[float, float]] = []
            for number in range(COLD_STARTS):
                with start(f"returning-{number}") as server:
                    again.append(_first_metric(returning, server, timeout_s, log, "browser that opened it before"))
                    if number == COLD_STARTS - 1:
                        opened, errors = _open_every_page(browser, server, pages, chosen, timeout_s)
                        memory = headless.memory_mb(server.process.pid)
        finally:
            returning.close()
            browser.close()
    log(f"  server memory after {opened} page views: peak {memory['VmHWM']:.0f} MB, now {memory['VmRSS']:.0f} MB")
    return ColdStart(float(np.median([up for up, _ in new + again])), float(np.median([first for _, first in again])),
                     [first for _, first in again], float(np.median([first for _, first in new])),
                     [first for _, first in new], memory["VmHWM"], memory["VmRSS"], opened, outside + errors)


def _open_every_page(browser, server, pages: Sequence[NavPage], chosen: Sequence[Selection],  # noqa: ANN001
                     timeout_s: float) -> tuple[int, list[str]]:
    """Open every page for every selection in one browser tab, each until it has rendered; (pages opened,
    error texts shown)."""
    from tools import headless

    context = browser.new_context(viewport=headless.VIEWPORT, locale="zh-CN", service_workers="block")
    errors: list[str] = []
    opened = 0
    try:
        context.route("**/*", headless.keep_local)
        page = context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        for nav in pages:
            for selection in chosen:
                query = urlencode(selection.url())
                page.goto(f"{server.url}/{nav.url_path}" + (f"?{query}" if query else ""), wait_until="commit")
                _wait_idle(page)
                opened += 1
                errors += [f"{nav.url_path} [{selection.name}]: {text[:200]}"
                           for text in page.locator(headless.PROBLEMS).all_inner_texts()]
    finally:
        context.close()
    return opened, errors


# Checked at every animation frame, i.e. as the frame that shows it is drawn. Playwright's wait_for_selector
# polls with growing pauses (up to half a second) and saw the same metric 0.4-0.6 s after it was drawn.
_DRAWN = "sel => { const m = document.querySelector(sel); return !!m && m.getBoundingClientRect().height > 0; }"


def _first_metric(context, server, timeout_s: float, log: Callable[[str], None],  # noqa: ANN001 (Playwright)
                  browser: str) -> tuple[float, float]:
    """(server answering, first metric drawn), seconds after `server` was started, in a new tab of `context`."""
    from tools import headless

    page = context.new_page()
    try:
        page.set_default_timeout(timeout_s * 1000)
        page.goto(server.url + "/", wait_until="commit")
        page.wait_for_function(_DRAWN, arg=headless.METRIC, polling="raf")
        first = time.perf_counter() - server.started
    finally:
        page.close()
    up = server.answered - server.started
    log(f"  cold start ({browser}): server answers after {up:.2f} s, first metric after {first:.2f} s")
    return up, first


def _wait_idle(page, settle_ms: int = 300) -> None:  # noqa: ANN001 (a Playwright Page)
    from tools import headless

    for _ in range(2):  # a page may rerun itself once (a URL sync): idle must hold twice
        page.wait_for_selector(headless.APP_IDLE, state="attached")
        page.wait_for_function("sel => document.querySelectorAll(sel).length === 0", arg=headless.RUNNING)
        page.wait_for_timeout(settle_ms)


# ---------------------------------------------------------------------------------------------- report


def load_average() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "?"


def report(timings: Sequence[Timing], budget_ms: float = BUDGET_MS) -> str:
    """One line per query file: its worst p50 and p95 over every parameter set, flagged against the budget."""
    worst: dict[str, Timing] = {}
    sets: dict[str, int] = {}
    for timing in timings:
        sets[timing.query] = sets.get(timing.query, 0) + 1
        if timing.query not in worst or timing.p95_ms > worst[timing.query].p95_ms:
            worst[timing.query] = timing
    lines = [f"{'query':<34} {'sets':>4} {'worst selection':<32} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8}  "
             f"{'pages':<40}"]
    for query, timing in sorted(worst.items(), key=lambda item: -item[1].p95_ms):
        tool = query in TOOL_QUERIES
        flag = "  (tool, no target)" if tool else ("  OVER BUDGET" if timing.p95_ms > budget_ms else "")
        pages = timing.page if len(timing.page) <= 40 else timing.page[:37] + "..."
        lines.append(f"{query:<34} {sets[query]:>4} {timing.selection:<32} {timing.p50_ms:8.1f} {timing.p95_ms:8.1f} "
                     f"{timing.cpu_p50_ms:8.1f}  {pages:<40}{flag}")
    over = sum(1 for q, t in worst.items() if q not in TOOL_QUERIES and t.p95_ms > budget_ms)
    lines.append(f"{len(worst)} queries, {over} over the {budget_ms:g} ms p95 budget")
    return "\n".join(lines)


def page_report(runs: Sequence[PageRun], budget_ms: float = TARGETS.page_warm_ms) -> str:
    """One line per page: its warm rerun for the slowest selection (median of the reruns) and the
    slowest single rerun, the median over the selections, and the slowest cold first run."""
    lines = [f"{'page':<16} {'warm worst ms':>13} {'slowest rerun':>13} {'warm median ms':>14} {'cold worst ms':>13}  "
             f"{'worst selection':<32}"]
    for page in dict.fromkeys(run.page for run in runs):
        mine = [run for run in runs if run.page == page]
        worst = max(mine, key=lambda run: run.warm_ms)
        flag = "  OVER BUDGET" if worst.warm_ms > budget_ms else ""
        errors = [f"{run.selection}: {run.error}" for run in mine if run.error]
        lines.append(f"{page:<16} {worst.warm_ms:13.0f} {max(r.warm_max_ms for r in mine):13.0f} "
                     f"{float(np.median([r.warm_ms for r in mine])):14.0f} "
                     f"{max(r.cold_ms for r in mine):13.0f}  {worst.selection:<32}{flag}"
                     + ("  ERRORS " + " | ".join(errors) if errors else ""))
    return "\n".join(lines)


@dataclass
class ScaleResult:
    world: str
    scale: float
    db: str
    events: int
    load_before: str
    load_after: str
    timings: list[Timing]
    pages: list[PageRun]
    naive: Naive | None
    cold: ColdStart | None
    bench_peak_mb: float
    facilities: int = 0


def targets_report(result: ScaleResult, targets: Targets = TARGETS) -> tuple[str, bool]:
    """Each target, the figure measured and MET/MISSED; and whether all measured ones were met."""
    rows: list[tuple[str, str, bool | None]] = []
    interactive = [t for t in result.timings if t.query not in TOOL_QUERIES]
    if interactive:
        slowest = max(interactive, key=lambda t: t.p95_ms)
        rows.append((f"every query p95 ≤ {targets.query_p95_ms:g} ms",
                     f"slowest {slowest.query} {slowest.p95_ms:.1f} ms (cpu p50 {slowest.cpu_p50_ms:.1f} ms)",
                     slowest.p95_ms <= targets.query_p95_ms))
    if result.pages:
        slowest_page = max(result.pages, key=lambda r: r.warm_ms)
        rows.append((f"every page's warm rerun ≤ {targets.page_warm_ms:g} ms",
                     f"slowest {slowest_page.page} {slowest_page.warm_ms:.0f} ms ({slowest_page.selection})",
                     slowest_page.warm_ms <= targets.page_warm_ms))
        failed = [f"{r.page} [{r.selection}]" for r in result.pages if r.error]
        rows.append(("no page raises", ", ".join(failed) or "none raised", not failed))
    if result.cold is not None:
        rows.append((f"cold start ≤ {targets.cold_start_s:g} s",
                     f"{result.cold.first_metric_s:.2f} s to the first metric (browser that opened it before; "
                     f"{result.cold.new_browser_s:.2f} s in a new one)",
                     result.cold.first_metric_s <= targets.cold_start_s))
        rows.append((f"peak memory ≤ {targets.memory_mb:g} MB",
                     f"server {result.cold.server_peak_mb:.0f} MB after {result.cold.pages_opened} page views",
                     result.cold.server_peak_mb <= targets.memory_mb))
        rows.append(("no page shows an error or reaches outside", "; ".join(result.cold.errors) or "none",
                     not result.cold.errors))
    if result.naive is not None:
        rows.append((f"≥ {targets.naive_factor:g}× faster than naive",
                     f"{result.naive.factor:.0f}× ({result.naive.naive_ms:.0f} ms naive vs {result.naive.rollup_ms:.1f} ms)"
                     + ("" if result.naive.agree else ", FIGURES DIFFER"),
                     result.naive.factor >= targets.naive_factor and result.naive.agree))
    lines = [f"{what:<42} {'MET' if ok else 'MISSED':<7} {figure}" for what, figure, ok in rows]
    return "\n".join(lines), all(ok for _, _, ok in rows)


def scale_report(result: ScaleResult, targets: Targets = TARGETS) -> str:
    met, _ = targets_report(result, targets)
    parts = [
        f"=== {result.world} world, scale {result.scale:g}: {result.facilities:,} facilities, "
        f"{result.events:,} referral events ({result.db}); "
        f"load average before {result.load_before}, after {result.load_after} (2 cores) ===",
        "", "-- queries (wall p50/p95 over the timed runs; worst parameter set per query file)", report(result.timings, targets.query_p95_ms),
        "", f"-- pages through AppTest (warm: median of {WARM_RUNS} reruns of the same AppTest after its first run)",
        page_report(result.pages, targets.page_warm_ms),
    ]
    if result.cold is not None:
        starts = ", ".join(f"{first:.2f}" for first in result.cold.first_metric_runs)
        new_starts = ", ".join(f"{first:.2f}" for first in result.cold.new_browser_runs)
        parts += ["", f"-- cold start (server start -> first metric in headless Chromium; median of {COLD_STARTS} starts) "
                      "and server memory",
                  f"server answers        {result.cold.server_up_s:6.2f} s",
                  f"first metric drawn    {result.cold.first_metric_s:6.2f} s  (starts: {starts} s) in a browser that "
                  "has opened the dashboard before",
                  f"                      {result.cold.new_browser_s:6.2f} s  (starts: {new_starts} s) in a browser that "
                  "never did (Streamlit's scripts downloaded and compiled)",
                  f"server peak memory    {result.cold.server_peak_mb:6.0f} MB (VmHWM of the streamlit process after "
                  f"{result.cold.pages_opened} page views; {result.cold.server_rss_mb:.0f} MB resident at the end)"]
    if result.naive is not None:
        n = result.naive
        parts += ["", f"-- naive vs rollup: out-of-county referrals and down/up ratio per county, {n.year}",
                  f"naive (pandas over {n.events:,} raw events of {n.year}) {n.naive_ms:8.0f} ms",
                  f"rollup (indicator_by_place)                       {n.rollup_ms:8.1f} ms",
                  f"factor {n.factor:.0f}×; figures {'agree' if n.agree else 'DIFFER'}"]
    parts += ["", f"bench process peak memory {result.bench_peak_mb:.0f} MB (ru_maxrss: AppTest, pandas of the naive way)",
              "", "-- targets", met]
    return "\n".join(parts)


def run_scale(db: Path, scale: float, args: argparse.Namespace, log: Callable[[str], None],
              world: str = "demo") -> ScaleResult:
    ensure_database(db, scale, log, world)
    with duckdb.connect(str(db), read_only=True) as con:
        events = int(str(_one(con, "select value from meta where key = 'referral_events'")))
        facilities = int(str(_one(con, "select count(*) from facility")))
    load_before = load_average()
    log(f"{world} world, scale {scale:g}: {facilities:,} facilities, {events:,} referral events; load average {load_before}")
    timings, runs = run(db, args.pages, repeat=args.repeat, warmup=args.warmup, log=log,
                        selection_names=args.selections)
    naive = naive_vs_rollup(db, repeat=min(3, max(1, args.repeat))) if not args.no_naive else None
    cold = None
    if not args.no_browser:
        with open_readonly(db) as con:
            chosen, _ = selections(con)
        if args.selections:
            chosen = [s for s in chosen if s.name in args.selections]
        cold = cold_start(db, [page for page in app_pages() if page.url_path in args.pages], chosen, log)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return ScaleResult(world, scale, str(db), events, load_before, load_average(), timings, runs, naive, cold, peak,
                       facilities)


def curve(results: Sequence[ScaleResult], targets: Targets = TARGETS) -> str:
    """One line per database, smallest first: how the slowest query (and the slowest for one county), the
    slowest page rerun, the cold start and the server's memory grow with the world."""
    header = (f"{'world':<9} {'scale':>6} {'facilities':>10} {'events':>12} {'query p95':>10} {'county p95':>10} "
              f"{'warm rerun':>10} {'cold start':>10} {'memory':>8}")
    lines = [header]
    for result in results:
        interactive = [t for t in result.timings if t.query not in TOOL_QUERIES]
        county = [t.p95_ms for t in interactive if t.selection == "county"]
        cold = result.cold
        lines.append(
            f"{result.world:<9} {result.scale:>6g} {result.facilities:>10,} {result.events:>12,} "
            f"{max((t.p95_ms for t in interactive), default=float('nan')):>8.1f}ms "
            f"{max(county, default=float('nan')):>8.1f}ms "
            f"{max((r.warm_ms for r in result.pages), default=float('nan')):>8.0f}ms "
            + (f"{cold.first_metric_s:>9.2f}s {cold.server_peak_mb:>6.0f}MB" if cold else f"{'—':>10} {'—':>8}"))
    lines.append(f"targets: query p95 ≤ {targets.query_p95_ms:g} ms, warm rerun ≤ {targets.page_warm_ms:g} ms, "
                 f"cold start ≤ {targets.cold_start_s:g} s, memory ≤ {targets.memory_mb:g} MB")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """The `bench` command (its arguments are declared in tools/__main__.py)."""
    worlds = getattr(args, "worlds", None) or ["demo"]
    scales = args.scales or ([1.0] if worlds != ["demo"] else list(DEFAULT_SCALES))
    # The demo is measured at every --scale; a city or a province once, at its own size.
    runs = [(world, scale) for world in worlds for scale in (scales if WORLDS[world] is None else [WORLDS[world]])]
    if args.db and len(runs) > 1:
        print("--db names one database: give one --scale and one --world with it", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    targets = replace(TARGETS, query_p95_ms=args.budget_ms)
    results: list[ScaleResult] = []
    all_met = True
    for world, scale in runs:
        db = Path(args.db) if args.db else default_db(scale, world)
        try:
            result = run_scale(db, scale, args, log, world)
        except (UncoveredQueries, ValueError) as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
        results.append(result)
        print(scale_report(result, targets), end="\n\n", flush=True)
        all_met = all_met and targets_report(result, targets)[1]
    if len(results) > 1:
        print("-- the curve (slowest of each; county: the busiest rural county's selection)", curve(results, targets),
              sep="\n", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(result) for result in results], ensure_ascii=False, indent=1,
                                              default=str), encoding="utf-8")
    return 1 if args.strict and not all_met else 0

"""The query benchmark runs end to end (on the demo database, one timed run each) and times exactly the
queries the referrals page runs; it never judges the times themselves."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from healthdash.data.db import QUERY_DIR
from tools import bench
from tools.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def page_queries(page: Path) -> set[str]:
    """Query names the page and its domain's modules run directly (kpi and ui add the indicator queries)."""
    names = set()
    for path in (page, *(ROOT / "healthdash" / "domains" / "referrals").glob("*.py")):
        names |= set(re.findall(r'run_query\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    return names


def test_the_bench_times_every_query_of_the_referrals_page(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        chosen, facts = bench.selections(con)
    assert [selection.name for selection in chosen][:5] == ["all", "city", "county", "town", "alliance"]
    cases = {case.query for selection in chosen for case in bench.referrals_cases(selection, facts)}
    assert page_queries(ROOT / "pages" / "referrals.py") <= cases
    assert {"indicator_totals", "indicator_monthly", "indicator_by_place", "filter_regions"} <= cases
    assert all((QUERY_DIR / f"{name}.sql").is_file() for name in cases)


def test_bench_command_reuses_the_database_and_reports_each_query(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = demo_db.stat().st_mtime_ns
    assert bench.database_scale(demo_db) == "1"
    code = main(["bench", "--db", str(demo_db), "--scale", "1", "--repeat", "1", "--warmup", "0",
                 "--page", "referrals", "--selection", "all", "--no-browser", "--no-naive"])
    assert code == 0
    assert demo_db.stat().st_mtime_ns == before, "a database built at the same scale is reused"
    out = capsys.readouterr().out
    for name in ("referrals_by_month", "referral_tier_flows", "referral_facility_pairs",
                 "referral_out_of_county_receivers", "referral_by_facility", "indicator_totals"):
        assert name in out
    assert re.search(r"\d+ queries, \d+ over the \d+ ms p95 budget", out)


def test_an_unknown_page_is_refused(demo_db: Path) -> None:
    assert main(["bench", "--db", str(demo_db), "--scale", "1", "--page", "nosuchpage"]) == 2


def test_a_database_of_another_scale_is_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table meta (key varchar, value varchar)")
        con.execute("insert into meta values ('dataset_kind', 'demo'), ('scale', '2')")
    assert bench.database_scale(path) == "2"
    assert bench.database_scale(tmp_path / "missing.duckdb") is None


def in_own_thread(run: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Playwright's sync API refuses to start where an event loop runs: the browser tests' session keeps one
    running in the main thread, so a test that starts its own browser does it in a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run, *args, **kwargs).result()


def test_the_cold_start_is_timed_in_a_new_and_a_returning_browser(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "COLD_STARTS", 1)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        chosen, _ = bench.selections(con)
    overview = [page for page in bench.app_pages() if page.default]
    logged: list[str] = []
    cold = in_own_thread(bench.cold_start, demo_db, overview, chosen[:1], log=logged.append, timeout_s=120)
    assert len(cold.first_metric_runs) == 1 and len(cold.new_browser_runs) == 1
    assert 0 < cold.server_up_s < cold.first_metric_s and 0 < cold.server_up_s < cold.new_browser_s
    assert cold.pages_opened == 1 and cold.errors == [] and cold.server_peak_mb > 0
    assert [line.split(":")[0] for line in logged[:3]] == [
        "  cold start (new browser)", "  cold start (first visit of the profile, not timed)",
        "  cold start (browser that opened it before)"]


def test_the_cold_start_browser_notes_requests_to_other_hosts(tmp_path: Path) -> None:
    """The cold start listens instead of routing (which would switch the browser's cache off): a request to
    another host must still end up among its errors, and the page's own requests must not."""
    from playwright.sync_api import sync_playwright

    from tools import headless

    (tmp_path / "page.html").write_text('<img src="http://example.org/x.png"><img src="local.png">', encoding="utf-8")
    outside: list[str] = []

    def visit() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=headless.require_chromium(),
                                                 args=headless.CHROMIUM_ARGS, headless=True)
            try:
                context = browser.new_context()
                headless.note_outside_requests(context, outside)
                page = context.new_page()
                page.goto((tmp_path / "page.html").as_uri(), wait_until="load")
            finally:
                browser.close()

    in_own_thread(visit)
    assert outside == ["request leaving the machine: http://example.org/x.png"]


def test_a_world_database_is_known_by_its_world(tmp_path: Path) -> None:
    path = tmp_path / "city.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table meta (key varchar, value varchar)")
        con.execute("insert into meta values ('dataset_kind', 'demo'), ('scale', '1'), ('world', 'province'), "
                    "('province_scale', '0.16')")
    assert bench.database_scale(path) == bench.database_key(1.0, "city")
    assert bench.database_scale(path) not in (bench.database_key(1.0, "province"), bench.database_key(1.0))
    assert bench.default_db(1.0, "city") != bench.default_db(1.0) != bench.default_db(1.0, "province")


def test_the_curve_has_a_line_per_world_with_its_slowest_figures() -> None:
    def result(world: str, facilities: int, county_p95: float, other_p95: float) -> bench.ScaleResult:
        timings = [bench.Timing("overview", "indicator_totals", "", "county", 3, 1.0, county_p95, county_p95, 1.0),
                   bench.Timing("overview", "indicator_by_place", "", "all", 3, 1.0, other_p95, other_p95, 1.0)]
        pages = [bench.PageRun("overview", "all", 900.0, 120.0, 150.0, [], None)]
        return bench.ScaleResult(world, 1.0, "x.duckdb", 1_000, "1", "1", timings, pages, None, None, 100.0, facilities)

    lines = bench.curve([result("demo", 702, 8.5, 11.0), result("province", 40_113, 12.25, 77.0)]).splitlines()
    assert lines[0].split()[:4] == ["world", "scale", "facilities", "events"]
    assert lines[1].split()[:7] == ["demo", "1", "702", "1,000", "11.0ms", "8.5ms", "120ms"]
    assert lines[2].split()[:7] == ["province", "1", "40,113", "1,000", "77.0ms", "12.2ms", "120ms"]


def test_the_month_load_bench_loads_a_corrected_month_and_undoes_it(tmp_path: Path) -> None:
    from tests.support.load_world import build_tiny
    from tools.load_bench import measure_month_load

    db = build_tiny(tmp_path / "health.duckdb")
    before = db.read_bytes()
    figures = measure_month_load(db)
    assert figures["month"] == "2024-03"
    assert figures["rows"] > 0 and figures["batches"] >= 1
    assert figures["load_s"] > 0 and figures["undo_s"] > 0
    assert db.read_bytes() == before, "the bench loads into a copy"

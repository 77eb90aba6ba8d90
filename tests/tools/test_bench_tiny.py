"""The whole benchmark runs end to end in a tiny mode (a database at 5% of the demo's referral volume, two
timed runs, no browser) and reports every query file, every page of the navigation, the naive comparison
and the targets; a query file nobody gives a parameter set stops it. Times are printed, never judged here."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from healthdash.ui.navigation import app_pages
from tools import bench
from tools.__main__ import main

SELECTIONS = ["alliance", "county+facility, last 12 months"]  # between them every query runs


def test_tiny_bench_reports_every_query_file_and_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tiny.duckdb"
    args = ["bench", "--scale", "0.05", "--db", str(db), "--repeat", "2", "--warmup", "0", "--no-browser"]
    for name in SELECTIONS:
        args += ["--selection", name]
    assert main(args) == 0
    out = capsys.readouterr().out

    assert bench.database_scale(db) == "0.05", "the database is built at the scale asked for"
    queries = out.split("-- queries")[1].split("-- pages")[0]
    reported = {line.split()[0] for line in queries.splitlines()[2:] if line.strip() and not line[0].isdigit()}
    assert reported == set(bench.query_files()), "one line per file in queries/"
    assert re.search(r"^\d+ queries, \d+ over the 50 ms p95 budget$", queries, re.MULTILINE)

    pages = out.split("-- pages")[1].split("-- naive")[0]
    for nav in app_pages():
        assert re.search(rf"^{re.escape(nav.url_path)}\s+\d+\s+\d+\s+\d+", pages, re.MULTILINE), nav.url_path
    assert "ERRORS" not in pages, "no page raises in AppTest"

    assert "figures agree" in out, "the naive way and the rollup give the same county figures"
    targets = out.split("-- targets")[1]
    for target in ("every query p95", "every page's warm rerun", "faster than naive"):
        assert target in targets


def test_a_query_file_without_a_parameter_set_stops_the_bench(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        _, facts = bench.selections(con)
        tools = bench.tool_cases(con, facts)
    with pytest.raises(bench.UncoveredQueries, match=r"queries/referral_tier_flows\.sql"):
        bench.check_coverage(tools)
    every = [bench.Case(name, {}) for name in bench.query_files()]
    bench.check_coverage(every)


def test_cases_with_the_same_bound_parameters_are_timed_once() -> None:
    from datetime import date

    one = bench.Case("data_months", {"city": "x"}, "sidebar")  # data_months binds nothing
    two = bench.Case("data_months", {}, "other page")
    three = bench.Case("referrals_by_month", {"month_from": date(2025, 1, 1)})
    merged = bench.unique_cases([(one, "overview", "all"), (two, "referrals", "city"), (three, "referrals", "all")])
    assert [(case.query, pages) for case, pages, _ in merged] == [
        ("data_months", ["overview", "referrals"]), ("referrals_by_month", ["referrals"])]


def test_the_navigation_is_read_from_app_py() -> None:
    pages = app_pages()
    assert [page for page in pages if page.default] == pages[:1]
    assert len({page.url_path for page in pages}) == len(pages)
    root = Path(bench.APP).parent
    assert all((root / page.script).is_file() for page in pages)
    source = bench.APP.read_text(encoding="utf-8")
    assert all(f'"{page.script}"' in source for page in pages)

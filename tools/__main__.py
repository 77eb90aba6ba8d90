"""Tooling: `python -m tools bench | loadtest | bench-load | bundle`. The product never imports it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from healthdash.cli import Commands, db_of, run


def _add_bench(commands: Commands) -> None:
    parser = commands.add_parser(
        "bench", help="time every query, page rerun, cold start and memory on demo databases (p50/p95)")
    parser.add_argument("--scale", dest="scales", type=float, action="append", default=None,
                        help="referral volume of the demo database, repeatable (default: 1 and 8; 8 ≈ 10 million events)")
    parser.add_argument("--world", dest="worlds", action="append", default=None, choices=("demo", "city", "province"),
                        help="demo (at each --scale), city (~10x the demo's facilities) or province (~40,000 facilities, "
                             "55 million referrals; a build of several minutes), repeatable (default: demo)")
    parser.add_argument("--db", type=Path, default=None,
                        help="database file, with one --scale (default /tmp/healthdash-bench-<scale>.duckdb; "
                             "reused if built at that scale)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per query first")
    parser.add_argument("--page", dest="pages", action="append", default=None,
                        help="page (url path in app.py) to open and whose queries to time (repeatable; default: all)")
    parser.add_argument("--selection", dest="selections", action="append", default=None,
                        help="open the pages for this selection only (repeatable; default: all six)")
    parser.add_argument("--budget-ms", type=float, default=50.0, help="p95 budget per query")
    parser.add_argument("--no-browser", action="store_true", help="skip the cold start and server memory (Chromium)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pandas comparison")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a target is missed")
    parser.set_defaults(run=_bench)


def _bench(args: argparse.Namespace) -> int:
    from healthdash.ui.navigation import app_pages
    from tools import bench

    known = [page.url_path for page in app_pages()]
    unknown = sorted(set(args.pages or []) - set(known))
    if unknown:
        print(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    args.pages = args.pages or known
    return bench.main(args)


def _add_loadtest(commands: Commands) -> None:
    parser = commands.add_parser("loadtest", help="many sessions at once against a local server (p50/p95)")
    parser.add_argument("--users", type=int, default=20, help="sessions at once (default 20)")
    parser.add_argument("--browsers", type=int, default=2,
                        help="how many of them are headless Chromium tabs; the others speak the browser's websocket "
                             "protocol (default 2)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they click (default 60)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean pause between a user's actions, seconds: an official reading a chart (default 10; 0: back to back)")
    parser.add_argument("--world", dest="worlds", action="append", default=None, choices=("demo", "city", "province"),
                        help="demo (at each --scale), city (~10x the demo's facilities) or province (~40,000 facilities, "
                             "55 million referrals; a build of several minutes), repeatable (default: demo)")
    parser.add_argument("--db", type=Path, default=None,
                        help="database to serve (default: $HEALTHDASH_DB or data/health.duckdb; must exist)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="keep a screenshot of each session whose action failed in this folder")
    parser.set_defaults(run=_loadtest, needs_database=True)


def _loadtest(args: argparse.Namespace) -> int:
    from tools import loadtest

    return loadtest.main(db_of(args), args.users, args.seconds, args.screenshots, args.browsers, args.think)


def add_bench_load(commands: Commands) -> None:
    parser = commands.add_parser("bench-load", help="time checking and loading 1 million referral rows from CSV (or --xlsx)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", default="utf-8", help="of the CSV: utf-8 (default), gbk, gb18030")
    parser.add_argument("--xlsx", action="store_true",
                        help="the same rows as an .xlsx workbook (writing it takes a minute or two)")
    parser.add_argument("--month", action="store_true",
                        help="instead: the newest month of every monthly report of every unit, loaded and undone")
    parser.add_argument("--world", dest="worlds", action="append", default=None, choices=("demo", "city", "province"),
                        help="demo (at each --scale), city (~10x the demo's facilities) or province (~40,000 facilities, "
                             "55 million referrals; a build of several minutes), repeatable (default: demo)")
    parser.add_argument("--db", type=Path, default=None,
                        help="database to copy and load into (default: $HEALTHDASH_DB or data/health.duckdb)")
    parser.set_defaults(run=_bench_load, needs_database=True)


def _bench_load(args: argparse.Namespace) -> int:
    from tools.load_bench import print_load_bench, print_month_load_bench

    if args.month:
        print_month_load_bench(db_of(args))
    else:
        print_load_bench(db_of(args), args.rows, args.encoding, args.xlsx)
    return 0


def _add_bundle(commands: Commands) -> None:
    parser = commands.add_parser("bundle", help="the offline install bundle: project, wheelhouse, fonts, install.sh")
    parser.add_argument("--platform", default="x86_64", choices=("x86_64", "aarch64"),
                        help="Linux machine type of the target (default x86_64)")
    parser.add_argument("--check-only", action="store_true",
                        help="only download and check that every requirement has a wheel for the platform")
    parser.set_defaults(run=_bundle)


def _bundle(args: argparse.Namespace) -> int:
    from tools import bundle

    return bundle.main(args.platform, args.check_only)


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, (_add_bench, _add_loadtest, add_bench_load, _add_bundle), "python -m tools",
               "医联体运行监测看板: benchmark, load test and the offline bundle")


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m healthdash <command>`. Each command registers itself in _COMMANDS."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from healthdash import load_cli

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "health.duckdb"


def default_db() -> Path:
    return Path(os.environ.get("HEALTHDASH_DB") or DEFAULT_DB)


def _add_build_demo(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build-demo", help="build the demo database (deterministic, calibrated)")
    parser.add_argument("--db", type=Path, default=None, help="database file (default: $HEALTHDASH_DB or data/health.duckdb)")
    parser.add_argument("--scale", type=float, default=1.0, help="referral volume multiplier (8 ≈ 10 million events)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the demo's fixed seed)")
    parser.set_defaults(run=_build_demo)


def _build_demo(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not pay for numpy and the generator.
    from healthdash.demo import DEFAULT_SEED, build_demo

    path = args.db or default_db()

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    result = build_demo(path, scale=args.scale, seed=DEFAULT_SEED if args.seed is None else args.seed, progress=progress)
    print(f"built {path}")
    for table, rows in result["rows"].items():
        print(f"  {table:<18} {rows:>12,}")
    print(f"  {'seconds':<18} {result['seconds']:>12}")
    return 0


def _add_bench(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench", help="time every query, page rerun, cold start and memory on demo databases (p50/p95)")
    parser.add_argument("--scale", dest="scales", type=float, action="append", default=None,
                        help="referral volume of the demo database, repeatable (default: 1 and 8; 8 ≈ 10 million events)")
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
    from healthdash import bench
    from healthdash.navigation import app_pages

    known = [page.url_path for page in app_pages()]
    unknown = sorted(set(args.pages or []) - set(known))
    if unknown:
        print(f"unknown page(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    args.pages = args.pages or known
    return bench.main(args)


def _add_loadtest(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("loadtest", help="many sessions at once against a local server (p50/p95)")
    parser.add_argument("--users", type=int, default=20, help="sessions at once (default 20)")
    parser.add_argument("--browsers", type=int, default=2,
                        help="how many of them are headless Chromium tabs; the others speak the browser's websocket "
                             "protocol (default 2)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they click (default 60)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean pause between a user's actions, seconds: an official reading a chart (default 10; 0: back to back)")
    parser.add_argument("--db", type=Path, default=None,
                        help="database to serve (default: $HEALTHDASH_DB or data/health.duckdb; must exist)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="keep a screenshot of each session whose action failed in this folder")
    parser.set_defaults(run=_loadtest, needs_database=True)


def _loadtest(args: argparse.Namespace) -> int:
    from healthdash import loadtest

    return loadtest.main(args.db or default_db(), args.users, args.seconds, args.screenshots, args.browsers, args.think)


# Add a command: write _add_<name>(commands) that sets `run`, and list it here.
_COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_build_demo,
    _add_bench,
    _add_loadtest,
    load_cli.add_template,
    load_cli.add_import,
    load_cli.add_undo,
    load_cli.add_bench_load,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m healthdash", description="医联体运行监测看板 tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in _COMMANDS:
        add(commands)
    args = parser.parse_args(argv)
    try:
        if getattr(args, "needs_database", False):
            load_cli.quiet_streamlit()
            from healthdash.db import check_database

            check_database(args.db or default_db())
        return args.run(args)
    except Exception as error:
        if not _said_in_one_line(error):
            raise
        print(str(error).strip().splitlines()[0], file=sys.stderr)
        return 1


def _said_in_one_line(error: Exception) -> bool:
    """Errors of the database or the file system are the user's to fix: one line, no traceback."""
    from healthdash.db import DatabaseUnavailable

    return isinstance(error, DatabaseUnavailable | OSError) or type(error).__module__.split(".")[0] in (
        "duckdb", "_duckdb")


if __name__ == "__main__":
    sys.exit(main())

"""Command-line data loading: `template`, `import` and `undo` (registered in __main__.py).

Heavy modules are imported inside the commands, so `python -m healthdash --help` stays quick. Each command
sets `needs_database`: __main__ checks the database first and says in one line what is wrong with it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

_DB_HELP = "database file (default: $HEALTHDASH_DB or data/health.duckdb)"


def _db(args: argparse.Namespace) -> Path:
    from healthdash.__main__ import default_db

    return args.db or default_db()


def quiet_streamlit() -> None:
    """The shared modules carry Streamlit caches, which warn that no app is running: true, and noise here."""
    import logging

    from streamlit.runtime.caching import cache_data_api

    logging.getLogger(cache_data_api.__name__).setLevel(logging.ERROR)


def add_template(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("template", help="write the Excel template facilities fill in (codes from the database)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the template into")
    parser.add_argument("--db", type=Path, default=None, help=_DB_HELP)
    parser.set_defaults(run=_template, needs_database=True)


def _template(args: argparse.Namespace) -> int:
    quiet_streamlit()
    from healthdash.template import write_template

    print(write_template(_db(args), args.out))
    return 0


def add_import(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import", help="check and load XLSX/CSV files; nothing is loaded unless every file is right")
    parser.add_argument("files", type=Path, nargs="+", help="XLSX workbooks (template sheets) or CSV files")
    parser.add_argument("--db", type=Path, default=None, help=_DB_HELP)
    parser.add_argument("--dry-run", action="store_true", help="only check and show what would change")
    parser.add_argument("--max-size-mb", type=float, default=None,
                        help="largest file accepted, in MB (default: $HEALTHDASH_MAX_LOAD_MB or 50)")
    parser.add_argument("--by", default=None, help="who loads, for the load history (default: the login name)")
    parser.add_argument("--report", type=Path, default=None, help="also write every problem to this CSV file")
    parser.add_argument("--show", type=int, default=1000, help="problems printed at most (default 1000)")
    parser.set_defaults(run=_import, needs_database=True)


def _import(args: argparse.Namespace) -> int:
    quiet_streamlit()
    from healthdash import loader

    db = _db(args)
    sources = loader.read_paths(args.files, args.max_size_mb)
    if args.dry_run:
        result = loader.dry_run(db, sources)
    else:
        result = loader.apply(db, sources, args.by or getpass.getuser())
    found = result.checked.problems
    if not result.ok:
        _print_problems(found, args.show)
        if args.report:
            from healthdash.exports import csv_bytes

            # Rejected values repeated verbatim could be formulas: written through the formula guard.
            args.report.write_bytes(csv_bytes(found))
            print(f"问题清单 / all problems: {args.report}", file=sys.stderr)
        print(f"\n发现 {len(found):,} 个问题，数据库未改动。/ {len(found):,} problems; the database is unchanged.",
              file=sys.stderr)
        return 1
    _print_summary(result)
    if result.applied:
        batches = "、".join(str(batch) for batch in result.batches)
        print(f"已导入，批次号 {batches}（可用 undo 撤销）。/ Loaded as batch {batches}.")
    else:
        print("校验通过（试运行，数据库未改动）。/ All files are valid (dry run: nothing was loaded).")
    return 0


def _print_problems(found, show: int) -> None:
    import pandas as pd

    for row in found.head(show).itertuples(index=False):
        where = row.file + (f" [{row.sheet}]" if row.sheet else "")
        if pd.notna(row.row):
            where += f" 第{row.row}行"
        if row.column:
            where += f" 「{row.column}」"
        value = f" 值={row.value!r}" if row.value else ""
        print(f"{where}{value}: {row.message_zh} / {row.message_en}", file=sys.stderr)
    if len(found) > show:
        print(f"…… 另有 {len(found) - show:,} 个问题未列出（用 --report FILE 导出全部）/ "
              f"{len(found) - show:,} more (use --report FILE)", file=sys.stderr)


def _print_summary(result) -> None:
    from healthdash.columns import TABLES_BY_NAME
    from healthdash.loader import COUNTS

    heads = {"added": "新增 added", "replaced": "替换 replaced", "unchanged": "未变 unchanged",
             "removed": "删除 removed"}
    print(f"{'表 table':<28}" + "".join(f"{heads[count]:>18}" for count in COUNTS))
    for name, counts in result.totals().items():
        table = TABLES_BY_NAME[name]
        label = f"{table.zh} {table.name}"
        print(f"{label:<28}" + "".join(f"{counts[count]:>18,}" for count in COUNTS))
    skipped = result.checked.example_rows
    if skipped:
        print(f"已跳过模板示例行 {skipped} 行。/ Skipped {skipped} template example rows.")
    for file, sheet, column in result.checked.ignored_columns:
        print(f"已忽略 {file} {sheet} 中无法识别的列「{column}」。/ Ignored the unknown column {column!r}.")
    for source in result.checked.sources:
        if source.ignored_sheets:
            sheets = "、".join(source.ignored_sheets)
            print(f"{source.name}：已忽略工作表：{sheets}（名称和表头都不是模板中的表）。/ Ignored sheets: {sheets}.")


def add_undo(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("undo", help="take a load back: restore what it replaced, remove what it added")
    parser.add_argument("batch", type=int, help="batch number (see the data page's history)")
    parser.add_argument("--db", type=Path, default=None, help=_DB_HELP)
    parser.add_argument("--by", default=None, help="who undoes, for the load history (default: the login name)")
    parser.set_defaults(run=_undo, needs_database=True)


def _undo(args: argparse.Namespace) -> int:
    quiet_streamlit()
    from healthdash.loader import LoadError, undo

    try:
        restored = undo(_db(args), args.batch, args.by or getpass.getuser())
    except LoadError as error:
        print(f"{error.zh} / {error.en}", file=sys.stderr)
        return 1
    for table, counts in restored.items():
        print(f"{table}: 删除 removed {counts['removed']:,}, 恢复 restored {counts['restored']:,}")
    print(f"已撤销第 {args.batch} 批。/ Batch {args.batch} undone.")
    return 0


def add_bench_load(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bench-load", help="time checking and loading 1 million referral rows from CSV (or --xlsx)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", default="utf-8", help="of the CSV: utf-8 (default), gbk, gb18030")
    parser.add_argument("--xlsx", action="store_true",
                        help="the same rows as an .xlsx workbook (writing it takes a minute or two)")
    parser.add_argument("--db", type=Path, default=None,
                        help="database to copy and load into (default: $HEALTHDASH_DB or data/health.duckdb)")
    parser.set_defaults(run=_bench_load, needs_database=True)


def _bench_load(args: argparse.Namespace) -> int:
    quiet_streamlit()
    from healthdash.load_bench import print_load_bench

    print_load_bench(_db(args), args.rows, args.encoding, args.xlsx)
    return 0

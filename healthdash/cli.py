"""Command line: `python -m healthdash <command>`: build the demo database, write the template, load and undo,
back up, restore and check the database.

Heavy modules are imported inside the commands, so `python -m healthdash --help` stays quick. A command that
sets `needs_database` has its database checked first, and what is wrong with it said in one line. The benchmark
and load-test commands live outside the product, in tools/ (`python -m tools`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from healthdash.core.filters import FilterOptions, Filters

DB_HELP = "database file (default: $HEALTHDASH_DB or data/health.duckdb)"
Commands = argparse._SubParsersAction


def db_of(args: argparse.Namespace) -> Path:
    # Imported here: healthdash.data.db brings Streamlit's caches, which must be quieted first (quiet_streamlit).
    from healthdash.data.db import database_path

    return args.db or database_path()


def _add_build_demo(commands: Commands) -> None:
    parser = commands.add_parser("build-demo", help="build the demo database (deterministic, calibrated)")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--scale", type=float, default=1.0, help="referral volume multiplier (8 ≈ 10 million events)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the demo's fixed seed)")
    parser.add_argument("--world", choices=("demo", "province"), default="demo",
                        help="demo: the calibrated places (default); province: plus synthetic places, --scale of a "
                             "province's size (1 ≈ 40,000 facilities, 55 million referrals)")
    parser.set_defaults(run=_build_demo)


def _build_demo(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not pay for numpy and the generator.
    from healthdash.data.demo import DEFAULT_SEED, build_demo, build_province

    path = db_of(args)

    started = time.monotonic()

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {time.monotonic() - started:6.0f} s  {message}", file=sys.stderr, flush=True)

    build = build_province if args.world == "province" else build_demo
    result = build(path, scale=args.scale, seed=DEFAULT_SEED if args.seed is None else args.seed, progress=progress)
    print(f"built {path}")
    for table, rows in result["rows"].items():
        print(f"  {table:<18} {rows:>12,}")
    print(f"  {'seconds':<18} {result['seconds']:>12}")
    _sample_accounts(path)
    return 0


def _sample_accounts(path: Path) -> None:
    """Create (or renew) the demo's sample accounts and print their passwords, this once only. Sign-in stays
    off on the demo unless HEALTHDASH_AUTH=required turns it on."""
    from healthdash.access.samples import create_sample_accounts
    from healthdash.access.scope import file_reader
    from healthdash.access.store import open_store
    from healthdash.access.users_cli import width

    store = open_store(path)
    try:
        made = create_sample_accounts(store, file_reader(path))
    finally:
        store.close()
    rows = [("账户 name", "角色 role", "管辖范围 jurisdiction", "密码 password")]
    rows += [(sample.name, sample.role.label("zh"), sample.scope.label("zh", sample.place), sample.password)
             for sample in made]
    widths = [max(width(row[column]) for row in rows) for column in range(len(rows[0]))]
    print("\n示例账户（密码只显示这一次；演示库默认不启用登录，设置 HEALTHDASH_AUTH=required 后可用）/ "
          "sample accounts (passwords shown once; sign-in is off on the demo unless HEALTHDASH_AUTH=required):")
    for row in rows:
        print("  " + "  ".join(cell + " " * (room - width(cell)) for cell, room in zip(row, widths, strict=True)).rstrip())


def quiet_streamlit() -> None:
    """The shared modules carry Streamlit caches, which warn that no app is running: true, and noise here."""
    import logging

    from streamlit.runtime.caching import cache_data_api

    logging.getLogger(cache_data_api.__name__).setLevel(logging.ERROR)


def add_template(commands: Commands) -> None:
    parser = commands.add_parser("template", help="write the Excel template facilities fill in (codes from the database)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the template into")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.set_defaults(run=_template, needs_database=True)


def _template(args: argparse.Namespace) -> int:
    from healthdash.ingest.template import write_template

    print(write_template(db_of(args), args.out))
    return 0


def add_import(commands: Commands) -> None:
    parser = commands.add_parser(
        "import", help="check and load XLSX/CSV files; nothing is loaded unless every file is right")
    parser.add_argument("files", type=Path, nargs="+", help="XLSX workbooks (template sheets) or CSV files")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--dry-run", action="store_true", help="only check and show what would change")
    parser.add_argument("--max-size-mb", type=float, default=None,
                        help="largest file accepted, in MB (default: $HEALTHDASH_MAX_LOAD_MB or 50)")
    parser.add_argument("--by", default=None, help="who loads, for the load history (default: the login name)")
    parser.add_argument("--report", type=Path, default=None, help="also write every problem to this CSV file")
    parser.add_argument("--show", type=int, default=1000, help="problems printed at most (default 1000)")
    parser.set_defaults(run=_import, needs_database=True)


def _import(args: argparse.Namespace) -> int:
    from healthdash.ingest import loader

    db = db_of(args)
    sources = loader.read_paths(args.files, args.max_size_mb)
    if args.dry_run:
        result = loader.dry_run(db, sources)
    else:
        result = loader.apply(db, sources, args.by or getpass.getuser())
    found = result.checked.problems
    if not result.ok:
        _print_problems(found, args.show)
        if args.report:
            from healthdash.core.exports import csv_bytes

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
    from healthdash.data.columns import TABLES_BY_NAME
    from healthdash.ingest.loader import COUNTS

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


def add_undo(commands: Commands) -> None:
    parser = commands.add_parser("undo", help="take a load back: restore what it replaced, remove what it added")
    parser.add_argument("batch", type=int, help="batch number (see the data page's history)")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--by", default=None, help="who undoes, for the load history (default: the login name)")
    parser.set_defaults(run=_undo, needs_database=True)


def _undo(args: argparse.Namespace) -> int:
    from healthdash.ingest.loader import LoadError, undo

    try:
        restored = undo(db_of(args), args.batch, args.by or getpass.getuser())
    except LoadError as error:
        print(f"{error.zh} / {error.en}", file=sys.stderr)
        return 1
    for table, counts in restored.items():
        print(f"{table}: 删除 removed {counts['removed']:,}, 恢复 restored {counts['restored']:,}")
    print(f"已撤销第 {args.batch} 批。/ Batch {args.batch} undone.")
    return 0


def add_users(commands: Commands) -> None:
    # Accounts, roles, scopes and the audit log (issue 19): healthdash/access/users_cli.py.
    from healthdash.access.users_cli import add_users as add

    add(commands)


def add_maintenance(commands: Commands) -> None:
    parser = commands.add_parser("backup", help="copy the database, accounts and audit log into a folder (safe while serving)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the backup into (new or empty)")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.set_defaults(run=_backup, needs_database=True)
    parser = commands.add_parser("restore", help="put a backup back (safe while serving; the replaced files are kept)")
    parser.add_argument("--from", dest="source", type=Path, required=True, help="folder a backup was written to")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.set_defaults(run=_restore)
    parser = commands.add_parser("check", help="report the database's schema version and upgrade an older one")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--no-migrate", action="store_true", help="only report; change nothing")
    parser.set_defaults(run=_check, needs_database=True)


def _backup(args: argparse.Namespace) -> int:
    from healthdash.ingest import maintenance

    return _said(lambda: print("已备份，写入了 / backup written:", *maintenance.files_of(
        maintenance.backup(db_of(args), args.out)), sep="\n"))


def _restore(args: argparse.Namespace) -> int:
    from healthdash.ingest import maintenance

    return _said(lambda: print("已恢复，写入了 / restored:", *maintenance.files_of(
        maintenance.restore(db_of(args), args.source)), sep="\n"))


def _check(args: argparse.Namespace) -> int:
    from healthdash.data.migrate import CURRENT
    from healthdash.ingest import maintenance

    def report() -> None:
        checked = maintenance.check(db_of(args), apply=not args.no_migrate)
        kind = "模拟演示数据" if checked.kind == "demo" else "正式数据"
        print(f"数据库 / database: {db_of(args)}（{kind}）")
        print(f"架构版本 / schema version: {checked.before}（本程序 / this release: {CURRENT}）")
        if not checked.steps:
            print("无需升级。/ Up to date.")
            return
        for step in checked.steps:
            print(f"  → {step.version}: {step.zh} / {step.en}")
        if checked.after == checked.before:
            print("以上步骤尚未执行（--no-migrate）。/ Not applied (--no-migrate).")
        else:
            print(f"已升级到 {checked.after}；升级前的文件保留为 {checked.kept}（确认无误后可删除）。"
                  f" / Upgraded to {checked.after}; the previous file is kept as {checked.kept}.")

    return _said(report)


def _said(work: Callable[[], None]) -> int:
    """Run `work`; a maintenance refusal is one line on stderr and exit status 1 (nothing was changed)."""
    from healthdash.data.migrate import NewerDatabase
    from healthdash.ingest.maintenance import MaintenanceError

    try:
        work()
    except (MaintenanceError, NewerDatabase) as error:
        print(str(error), file=sys.stderr)
        return 1
    return 0


BRIEFING_FORMATS = ("docx", "pptx", "pdf")
# Pages whose meeting documents the briefing writes, by the name in their address (app.py's url_path); the
# Overview alone also gives the 会议简报 PDF, the county profile needs a county.
BRIEFING_PAGES = ("overview", "alliances", "referrals", "public-health", "county")


def add_briefing(commands: Commands) -> None:
    parser = commands.add_parser(
        "briefing", help="write a page's meeting documents (Word 专报, PowerPoint; the Overview's PDF) of a place and "
                         "period, without a browser (for a timer)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files into (made if missing)")
    parser.add_argument("--db", type=Path, default=None, help=DB_HELP)
    parser.add_argument("--place", default="", help="code of a city or county (default or empty: every place)")
    parser.add_argument("--from", dest="month_from", default=None, help="first month, YYYY-MM (with --to)")
    parser.add_argument("--to", dest="month_to", default=None, help="last month, YYYY-MM (with --from)")
    parser.add_argument("--period", default="ytd",
                        help="without --from/--to, counted back from the latest month with data: "
                             "month, quarter, ytd (default), last12 or last_year")
    parser.add_argument("--page", default="overview",
                        help=f"the page whose documents to write: {', '.join(BRIEFING_PAGES)} (default overview; "
                             "county: the county profile of --place)")
    parser.add_argument("--format", dest="formats", default=None,
                        help="comma-separated: docx (Word 专报), pptx (PowerPoint), pdf (会议简报, the Overview's "
                             "only); default pdf on the Overview, docx,pptx on the other pages")
    parser.add_argument("--lang", default="zh", help="zh (default) or en")
    parser.set_defaults(run=_briefing, needs_database=True)


class Refused(Exception):
    """An argument of the briefing that cannot be used: said in one line, in Chinese first."""


def _formats(text: str | None, page: str) -> list[str]:
    if page not in BRIEFING_PAGES:
        raise Refused(f"不支持的页面 {page}：--page 可选 {'、'.join(BRIEFING_PAGES)} / "
                      f"unknown page {page}: choose from {','.join(BRIEFING_PAGES)}")
    text = text if text is not None else "pdf" if page == "overview" else "docx,pptx"
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in formats if part not in BRIEFING_FORMATS]
    if not formats or unknown:
        raise Refused(f"不支持的格式 {'、'.join(unknown) or '（空）'}：--format 可选 docx、pptx、pdf，用逗号分隔 / "
                      f"unknown format {','.join(unknown) or '(none)'}: choose from docx,pptx,pdf")
    if "pdf" in formats and page != "overview":
        raise Refused("会议简报 PDF 只有总览页提供，其他页面请用 --format docx,pptx / "
                      "the PDF briefing is the Overview's only: use --format docx,pptx")
    return list(dict.fromkeys(formats))


def _briefing_filters(args: argparse.Namespace, options: FilterOptions) -> Filters:
    """The selection the arguments name, checked against what the database holds."""
    from healthdash.core.filters import (
        RELATIVE_PERIODS,
        Filters,
        month_key,
        narrow,
        parse_month,
        preset_range,
    )

    if args.lang not in ("zh", "en"):
        raise Refused(f"不支持的语言 {args.lang}：--lang 可选 zh 或 en / unknown language {args.lang}: zh or en")
    if (args.month_from is None) != (args.month_to is None):
        raise Refused("--from 与 --to 须同时给出（如 --from 2024-01 --to 2024-06）/ give both --from and --to")
    if args.month_from is None:
        if args.period not in RELATIVE_PERIODS:
            raise Refused(f"不支持的期间 {args.period}：--period 可选 {'、'.join(RELATIVE_PERIODS)} / "
                          f"unknown period {args.period}")
        month_from, month_to = preset_range(args.period, options.last_month)
        filters = Filters(month_from=month_from, month_to=month_to, period=args.period)
    else:
        months = []
        for given in (args.month_from, args.month_to):
            month = parse_month(given) if len(given) == 7 else None
            if month is None:
                raise Refused(f"月份 {given} 无法识别，请写作 YYYY-MM（如 2024-01）/ {given} is not a month (YYYY-MM)")
            months.append(month)
        month_from, month_to = months
        if month_from > month_to:
            raise Refused(f"起始月 {args.month_from} 晚于结束月 {args.month_to} / --from is after --to")
        first, last = month_key(options.first_month), month_key(options.last_month)
        if month_from < options.first_month or month_to > options.last_month:
            raise Refused(f"数据库中只有 {first} 至 {last} 的数据，{args.month_from} 至 {args.month_to} 超出范围 / "
                          f"the database holds {first} to {last} only")
        filters = Filters(month_from=month_from, month_to=month_to, period="custom")
    if args.place:
        level = "city" if args.place in options.cities else "county" if args.place in options.counties else None
        narrowed = narrow(filters, options, level, args.place) if level else None
        if narrowed is None:
            raise Refused(f"没有代码为 {args.place} 的地市或区县 / no city or county has the code {args.place}")
        filters = narrowed
    if args.page == "county" and filters.county is None:
        raise Refused("区县画像须用 --place 指定一个区县代码 / the county profile needs --place with a county's code")
    return filters


def _briefing(args: argparse.Namespace) -> int:
    """The documents a page's buttons give (the Overview's by default), for the whole database or one city or
    county: what a commission's timer files each month once reports are due (deploy/healthdash-briefing.timer).
    The page runs without a browser or a server (Streamlit's script runner, as its AppTest drives it), so the
    files are the page's own, charts and all."""
    import logging
    import os

    os.environ["HEALTHDASH_DB"] = str(db_of(args))  # the pages' cached queries read the database it names
    os.environ["HEALTHDASH_AUTH"] = "off"  # the server's own task reads the whole database, like its administrator
    from streamlit.testing.v1 import AppTest

    from healthdash.access import audit
    from healthdash.access.audit import Action
    from healthdash.access.store import open_store
    from healthdash.core.filters import month_key
    from healthdash.core.paths import APP
    from healthdash.data import db
    from healthdash.ui import layout
    from healthdash.ui.navigation import app_pages
    from healthdash.ui.sidebar import filter_options

    db.read_within(db.EVERYTHING)
    try:
        formats = _formats(args.formats, args.page)
        filters = _briefing_filters(args, filter_options())
    except Refused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    # The page is set up and its files made outside its run, as a click makes them: Streamlit's warning is expected.
    for name in ("streamlit.runtime.state.session_state_proxy", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).disabled = True
    page = AppTest.from_file(str(APP), default_timeout=600)
    page.session_state["lang"] = args.lang
    page.query_params.update(filters.to_query())
    [script] = [nav.script for nav in app_pages() if nav.url_path == args.page]
    page.switch_page(script)
    with layout.keeping_documents() as kept:
        page.run()
    if page.exception or not kept:
        problem = page.exception[0].value if page.exception else "no documents offered"
        print(f"页面 {args.page} 未能生成文档：{problem} / the page {args.page} made no documents", file=sys.stderr)
        return 1
    offered = {document.file.file_name.rsplit(".", 1)[-1]: document for document in kept[-1]}
    args.out.mkdir(parents=True, exist_ok=True)
    store = open_store(db_of(args))
    for extension in formats:
        file = offered[extension].file
        path = args.out / file.file_name
        data = file.make()
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        audit.record(store, Action.BRIEFING, actor="定时简报 / scheduled", address=None, scope="province",
                     detail={"page": args.page, "place": args.place or "", "from": month_key(filters.month_from),
                             "to": month_key(filters.month_to), "file": path.name})
        print(f"已写入 / written: {path}")
    return 0


# Add a command: write add_<name>(commands) that sets `run`, and list it here.
COMMANDS: tuple[Callable[[Commands], None], ...] = (_add_build_demo, add_template, add_import, add_undo, add_users,
                                                    add_maintenance, add_briefing)


def run(argv: Sequence[str] | None, commands: Sequence[Callable[[Commands], None]], prog: str, description: str) -> int:
    """Parse `argv` for `commands` and run the one chosen; database and file-system errors in one line."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    chosen = parser.add_subparsers(dest="command", required=True)
    for add in commands:
        add(chosen)
    args = parser.parse_args(argv)
    quiet_streamlit()
    try:
        if getattr(args, "needs_database", False):
            from healthdash.data.db import check_database

            check_database(db_of(args))
        return args.run(args)
    except Exception as error:
        if not _said_in_one_line(error):
            raise
        print(str(error).strip().splitlines()[0], file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, COMMANDS, "python -m healthdash", "医联体运行监测看板 tools")


def _said_in_one_line(error: Exception) -> bool:
    """Errors of the database or the file system are the user's to fix: one line, no traceback."""
    from healthdash.data.db import DatabaseUnavailable

    return isinstance(error, DatabaseUnavailable | OSError) or type(error).__module__.split(".")[0] in (
        "duckdb", "_duckdb")



"""Load checked files into the database while the dashboard keeps serving it, and take loads back.

The dashboard holds read-only connections and DuckDB allows one writing process, so a load never writes
the live file: under an exclusive lock (fcntl, so two loads never interleave) it copies the database to a
file beside it, applies the load there in one transaction, rebuilds the rollups, checkpoints and swaps the
copy in with os.replace (atomic). A load killed at any point leaves the previous file untouched (the next
load removes its half-written copy); sessions notice the new file by its inode and mtime (db.py).

What a load replaces: a file is a set of monthly reports, one per facility (county for resident_care,
town for public_health, alliance member for alliance_activity and shared_service) and month — the table's
`scope` in columns.py. For every such unit whose rows differ from what is stored, the stored rows are
archived under the load's batch in import_archive_<table>, deleted, and the file's rows inserted; the
units a batch wrote are listed in import_scope_<table>, those it delivered unchanged in
import_same_<table>. Loading the same file again finds every unit unchanged and writes nothing but the
record of the attempt. Undoing a batch deletes what it wrote in those units and restores the archived rows
exactly (referral ids included); it is refused while a later batch delivered any of those units, changed
or not (that batch's report would silently lose its rows).

The SQL below names tables and columns from columns.py only (never from a file's headers); every value is
bound as a parameter.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from healthdash.data import boundaries
from healthdash.data.build import connect_for_writing, rebuild_rollups
from healthdash.data.columns import TABLES, Table
from healthdash.data.db import CATALOG, open_readonly
from healthdash.data.quality import receipts, rules
from healthdash.ingest import problems
from healthdash.ingest.jurisdiction import Allows, outside_rows
from healthdash.ingest.loadfile import Source, max_bytes, too_large
from healthdash.ingest.read_file import read_source
from healthdash.ingest.validate import Checked, Reference, check

COUNTS = ("added", "replaced", "unchanged", "removed")
T = TypeVar("T")
Progress = Callable[[float, str], None]


class LoadError(Exception):
    """A load or undo that must not happen, with the reason in Chinese and English."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.zh = problems.message(code, "zh", **params)
        self.en = problems.message(code, "en", **params)
        super().__init__(f"{self.zh} / {self.en}")


@dataclass
class LoadResult:
    checked: Checked
    # file name -> table -> {added, replaced, unchanged, removed}
    by_file: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    batches: list[int] = field(default_factory=list)
    applied: bool = False
    # Rows that break a validation rule (healthdash.data.quality.rules.FINDING_COLUMNS): warnings only.
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(rules.FINDING_COLUMNS)))

    @property
    def ok(self) -> bool:
        return self.checked.ok

    def totals(self) -> dict[str, dict[str, int]]:
        """table -> counts over every file, in the order of columns.py."""
        out: dict[str, dict[str, int]] = {}
        for table in TABLES:
            rows = [tables[table.name] for tables in self.by_file.values() if table.name in tables]
            if rows:
                out[table.name] = {count: sum(row[count] for row in rows) for count in COUNTS}
        return out


def _quiet(fraction: float, message: str) -> None:
    """Default progress callback: say nothing."""


# Reading and checking -------------------------------------------------------------------------------------


def read_paths(paths: list[Path], limit_mb: float | None = None) -> list[Source]:
    """Read files named on the command line; an oversized file is refused before it is read."""
    limit = max_bytes(limit_mb)
    sources = []
    for path in paths:
        name = str(path)
        if not path.is_file():
            sources.append(Source(name, 0, "", problems=[problems.one(name, "file_missing")]))
        elif path.stat().st_size > limit:
            sources.append(Source(name, path.stat().st_size, "", problems=[too_large(name, path.stat().st_size, limit)]))
        else:
            sources.append(read_source(name, path.read_bytes(), limit=limit))
    return sources


def read_uploads(files: list[tuple[str, bytes]], limit_mb: float | None = None) -> list[Source]:
    limit = max_bytes(limit_mb)
    return [read_source(name, data, limit=limit) for name, data in files]


def check_sources(db: Path, sources: list[Source], today: date | None = None,
                  allows: Allows | None = None) -> Checked:
    """Check the files; with `allows`, rows outside the loader's jurisdiction are problems too."""
    with open_readonly(db) as con:
        checked = check(sources, Reference.load(con), today)
    if allows is not None and checked.ok:
        checked.problems = outside_rows(checked, allows)
    return checked


def rule_warnings(con: duckdb.DuckDBPyConnection, checked: Checked) -> pd.DataFrame:
    """The rows of checked files that break a validation rule (data/validation_rules.csv), read against the
    database before the load: warnings shown beside the plan, which never stop a load."""
    if not checked.ok:
        return pd.DataFrame(columns=list(rules.FINDING_COLUMNS))
    return rules.check_frames(con, checked.tables, catalog=CATALOG)


def dry_run(db: Path, sources: list[Source], today: date | None = None, allows: Allows | None = None) -> LoadResult:
    """Check the files and say what loading them would add, replace and leave unchanged, and which rows
    break a validation rule (warnings); changes nothing."""
    checked = check_sources(db, sources, today, allows)
    with open_readonly(db) as con:
        result = LoadResult(checked)
        if checked.ok:
            batches = {position: position for position in range(len(sources))}
            result.by_file = _plan(con, checked, batches)
            result.warnings = rule_warnings(con, checked)
    return result


# The SQL of a load, built from the table specs ------------------------------------------------------------


def _scope_select(table: Table, alias: str) -> list[str]:
    return [f"{_month(table, alias)} as month" if name == "month" else f"{alias}.{name}" for name in table.scope]


def _month(table: Table, alias: str) -> str:
    if table.month_from == "month":
        return f"{alias}.month"
    return f"date_trunc('month', {alias}.{table.month_from})::date"


def _scope_match(table: Table, rows: str, scopes: str) -> str:
    return " and ".join(
        f"{_month(table, rows) if name == 'month' else f'{rows}.{name}'} = {scopes}.{name}" for name in table.scope)


def _hash(table: Table, alias: str) -> str:
    return f"hash({', '.join(f'{alias}.{name}' for name in table.names)})"


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and table_name = $table "
        "order by column_index", {"table": table}).fetchall()
    return dict(rows)


def _create(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], *, temp: bool) -> None:
    """Create a table with explicit column types. Never `create table ... as select ... limit 0`: in DuckDB
    2.0 rows inserted later in the same transaction into such a table are invisible to that transaction."""
    # Table and column names and types come from healthdash/data/columns.py and schema.sql (fixed lists, never
    # from a file being loaded): identifiers, which cannot be bound as parameters.
    body = ", ".join(f"{column} {kind}" for column, kind in columns.items())
    if temp:
        con.execute(f"create or replace temp table {name} ({body})")
    else:
        con.execute(f"create table if not exists {name} ({body})")


def _stage(con: duckdb.DuckDBPyConnection, table: Table, frame: pd.DataFrame) -> None:
    """The file's rows as temp table new_rows (typed like the target table) and, per reported unit,
    whether it is new, the same as stored, or changed (temp table scope_state)."""
    types = _column_types(con, table.name)
    con.register("staged", frame)
    try:
        _create(con, "new_rows", {"batch_id": "integer", **{name: types[name] for name in table.names}}, temp=True)
        con.execute("insert into new_rows by name select * from staged")
    finally:
        con.unregister("staged")
    scope_names = ", ".join(table.scope)
    con.execute(f"""
        create or replace temp table scope_state as
        with new_scopes as (
            select n.batch_id, {', '.join(_scope_select(table, 'n'))}, count(*) as n, sum({_hash(table, 'n')}) as h,
            from new_rows n
            group by all
        ),
        old_scopes as (
            select {', '.join(_scope_select(table, 't'))}, count(*) as old_n, sum({_hash(table, 't')}) as old_h,
            from {table.name} t
            semi join new_scopes s on {_scope_match(table, 't', 's')}
            group by all
        )
        select
            s.*,
            o.old_n,
            o.old_n is null as is_new,
            coalesce(o.old_n = s.n and o.old_h = s.h, false) as is_same,
        from new_scopes s
        left join old_scopes o using ({scope_names})
    """)


def _counts(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, int]]:
    """batch -> {added, replaced, unchanged, removed}, counted over the staged units: rows of a new unit
    are added, of a changed unit replaced, of an identical unit unchanged; a changed unit that now holds
    fewer rows (referral months) counts the difference as removed."""
    rows = con.execute("""
        select
            batch_id,
            coalesce(sum(n) filter (where is_new), 0) as added,
            coalesce(sum(n) filter (where not is_new and not is_same), 0) as replaced,
            coalesce(sum(n) filter (where is_same), 0) as unchanged,
            coalesce(sum(greatest(old_n - n, 0)) filter (where not is_new and not is_same), 0) as removed,
        from scope_state
        group by batch_id
    """).fetchall()
    return {int(batch): dict(zip(COUNTS, map(int, counts), strict=True)) for batch, *counts in rows}


def _staged_frames(checked: Checked, batches: dict[int, int]) -> Iterator[tuple[Table, pd.DataFrame]]:
    for table in TABLES:
        if table.name in checked.tables:
            frame = checked.tables[table.name]
            yield table, frame[list(table.names)].assign(batch_id=frame["source"].map(batches).astype("int32"))


def _plan(con: duckdb.DuckDBPyConnection, checked: Checked, batches: dict[int, int],
          write: Callable[[Table], None] | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """Stage every table and count; with `write`, also apply each table while it is staged."""
    names = {batch: file_labels(checked.sources)[position] for position, batch in batches.items()}
    by_file: dict[str, dict[str, dict[str, int]]] = {name: {} for name in names.values()}
    for table, frame in _staged_frames(checked, batches):
        _stage(con, table, frame)
        for batch, counts in _counts(con).items():
            by_file[names[batch]][table.name] = counts
        if write is not None:
            write(table)
    return by_file


def file_labels(sources: list[Source]) -> list[str]:
    """The files' names, numbered where two files of one load share a name."""
    labels: list[str] = []
    for source in sources:
        label, number = source.name, 1
        while label in labels:
            number += 1
            label = f"{source.name} #{number}"
        labels.append(label)
    return labels


def _ensure_history_tables(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    types = _column_types(con, table.name)
    _create(con, f"import_archive_{table.name}", {"batch_id": "integer", **types}, temp=False)
    scope = {name: "date" if name == "month" else types[name] for name in table.scope}
    _create(con, f"import_scope_{table.name}", {"batch_id": "integer", **scope}, temp=False)
    _create(con, f"import_same_{table.name}", {"batch_id": "integer", **scope}, temp=False)


def _write(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Replace the changed units of the staged table, archiving what they held."""
    _ensure_history_tables(con, table)
    changed = f"{_scope_match(table, 't', 's')} and not s.is_same"
    con.execute(f"insert into import_archive_{table.name} select s.batch_id, t.* "
                f"from {table.name} t join scope_state s on {changed}")
    con.execute(f"delete from {table.name} t using scope_state s where {changed}")
    columns = ", ".join(table.names)
    picked = f"from new_rows t semi join scope_state s on t.batch_id = s.batch_id and {changed}"
    if table.name == "referral":
        con.execute(f"insert into referral (referral_id, {columns}, import_batch) "
                    f"select (select coalesce(max(referral_id), 0) from referral) + row_number() over (), "
                    f"{', '.join(f't.{name}' for name in table.names)}, t.batch_id {picked}")
    else:
        con.execute(f"insert into {table.name} ({columns}) select {', '.join(f't.{n}' for n in table.names)} {picked}")
    con.execute(f"insert into import_scope_{table.name} select batch_id, {', '.join(table.scope)} "
                f"from scope_state where not is_same")
    con.execute(f"insert into import_same_{table.name} select batch_id, {', '.join(table.scope)} "
                f"from scope_state where is_same")


# Applying and undoing -------------------------------------------------------------------------------------


def apply(db: Path, sources: list[Source], loaded_by: str, progress: Progress | None = None,
          today: date | None = None, allows: Allows | None = None) -> LoadResult:
    """Check the files and, when nothing is wrong (nothing outside the jurisdiction `allows` covers, when
    given), load them (one batch per file) in one atomic swap."""
    report = progress or _quiet
    report(0.0, "校验文件")
    checked = check_sources(db, sources, today, allows)
    result = LoadResult(checked)
    if not checked.ok:
        return result
    with open_readonly(db) as con:
        result.warnings = rule_warnings(con, checked)  # reported, never a reason to stop

    since: list[date] = []

    def work(con: duckdb.DuckDBPyConnection) -> None:
        since.append(_first_changed_month(con, {table: _months(table, checked.tables[table.name])
                                               for table in TABLES if table.name in checked.tables}))
        first = con.execute("select coalesce(max(batch_id), 0) + 1 from import_batch").fetchall()[0][0]
        batches = {position: first + position for position in range(len(sources))}
        report(0.3, "写入数据")
        loaded_at = datetime.now().replace(microsecond=0)

        def write(table: Table) -> None:
            _write(con, table)
            receipts.record(con, table.name, loaded_at)  # data quality (issue 20): who reported when

        result.by_file = _plan(con, checked, batches, write=write)
        for position, batch in batches.items():
            source = sources[position]
            con.execute(
                "insert into import_batch values ($batch, $at, $file, $checksum, $rows, $by, 'applied')",
                {"batch": batch, "at": loaded_at, "file": source.name, "checksum": source.checksum,
                 "rows": json.dumps(result.by_file[file_labels(sources)[position]], ensure_ascii=False), "by": loaded_by},
            )
        _mark_loaded(con, loaded_at)
        result.batches = list(batches.values())
        report(0.6, "计算汇总表")

    _rewrite(db, work, report, rebuild=lambda con: rebuild_rollups(con, since[0]))
    result.applied = True
    report(1.0, "完成")
    return result


def _mark_loaded(con: duckdb.DuckDBPyConnection, when: datetime) -> None:
    """A load into a production database keeps (or makes) it 'production'. A load into the demo keeps the
    demo label: its other figures are still simulated, and hiding that would pass them off as real."""
    con.execute("""
        insert or replace into meta
        select 'dataset_kind', case when value = 'demo' then 'demo' else 'production' end
        from (select coalesce(max(value) filter (where key = 'dataset_kind'), 'production') as value from meta)
    """)
    con.execute("insert or replace into meta values ('last_load', $at)", {"at": when.isoformat(sep=" ")})


def undo(db: Path, batch: int, loaded_by: str, progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """Take batch `batch` back: what it wrote goes, what it replaced returns. Refused when the batch does
    not exist, is not an applied load, or a later load delivered the same reports (undo that one first).
    Returns table -> {removed, restored}."""
    report = progress or _quiet
    restored: dict[str, dict[str, int]] = {}
    since: list[date] = []

    def work(con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("select outcome, source_file, checksum from import_batch where batch_id = $b",
                          {"b": batch}).fetchall()
        if not row:
            raise LoadError("undo_unknown", batch=batch)
        outcome, source_file, checksum = row[0]
        if outcome != "applied":
            raise LoadError("undo_not_applied", batch=batch)
        tables = [table for table in TABLES if _has_table(con, f"import_scope_{table.name}")]
        later = sorted({
            int(found)
            for table in tables
            for (found,) in con.execute(
                f"select distinct l.batch_id from ({_delivered(con, table)}) l "
                f"join import_scope_{table.name} b on {' and '.join(f'l.{n} = b.{n}' for n in table.scope)} "
                f"where b.batch_id = $b and l.batch_id > $b", {"b": batch}).fetchall()
        } | set(boundaries.later_loads(con, batch)))
        if later:
            raise LoadError("undo_blocked", batch=batch, later="、".join(str(number) for number in later))
        since.append(_first_changed_month(con, {table: _batch_months(con, table, batch) for table in tables}))
        for table in tables:
            scopes = f"import_scope_{table.name}"
            archive = f"import_archive_{table.name}"
            removed = con.execute(
                f"select count(*) from {table.name} t semi join {scopes} s on {_scope_match(table, 't', 's')} "
                f"and s.batch_id = $b", {"b": batch}).fetchall()[0][0]
            back = con.execute(f"select count(*) from {archive} where batch_id = $b", {"b": batch}).fetchall()[0][0]
            if not removed and not back:
                continue
            con.execute(f"delete from {table.name} t using {scopes} s "
                        f"where s.batch_id = $b and {_scope_match(table, 't', 's')}", {"b": batch})
            con.execute(f"insert into {table.name} select * exclude (batch_id) from {archive} where batch_id = $b",
                        {"b": batch})
            con.execute(f"delete from {archive} where batch_id = $b", {"b": batch})
            con.execute(f"delete from {scopes} where batch_id = $b", {"b": batch})
            restored[table.name] = {"removed": int(removed), "restored": int(back)}
        outlines = boundaries.take_back(con, batch)  # a boundary load (ingest/boundaries.py)
        if outlines is not None:
            restored["region_boundary"] = outlines
        for table in tables:
            if _has_table(con, f"import_same_{table.name}"):
                con.execute(f"delete from import_same_{table.name} where batch_id = $b", {"b": batch})
        receipts.forget(con, batch)  # data quality (issue 20)
        con.execute("update import_batch set outcome = 'undone' where batch_id = $b", {"b": batch})
        now = datetime.now().replace(microsecond=0)
        con.execute(
            "insert into import_batch select coalesce(max(batch_id), 0) + 1, $at, $file, $checksum, $rows, $by, 'undo' "
            "from import_batch",
            {"at": now, "file": source_file, "checksum": checksum, "by": loaded_by,
             "rows": json.dumps({"undo_of": batch, "tables": restored}, ensure_ascii=False)},
        )
        _mark_loaded(con, now)

    def rebuild(con: duckdb.DuckDBPyConnection) -> None:
        if not restored or set(restored) != {"region_boundary"}:  # outlines are in no rollup
            rebuild_rollups(con, since[0])

    report(0.0, "撤销导入")
    _rewrite(db, work, report, rebuild)
    report(1.0, "完成")
    return restored


def _months(table: Table, frame: pd.DataFrame) -> list[date]:
    """The months a file's rows of `table` report."""
    return sorted({value.replace(day=1) for value in pd.to_datetime(frame[table.month_from]).dt.date})


def _batch_months(con: duckdb.DuckDBPyConnection, table: Table, batch: int) -> list[date]:
    """The months batch `batch` delivered of `table`, written or found unchanged (its receipts name both)."""
    months: set[date] = set()
    for kind in ("scope", "same"):
        if _has_table(con, f"import_{kind}_{table.name}"):
            months |= {month for (month,) in con.execute(
                f"select distinct month from import_{kind}_{table.name} where batch_id = $b", {"b": batch}).fetchall()}
    return sorted(months)


def _first_changed_month(con: duckdb.DuckDBPyConnection, months: dict[Table, list[date]]) -> date:
    """The first month whose rollups change when `months` of each table are loaded or taken back (read
    before the change): the first such month, or the month after a table's last if that comes first (the
    months between are then owed and missing); for the yearly staff-income report, its year's January
    (its newest report stands at every month of the year)."""
    firsts = []
    for table, table_months in months.items():
        if not table_months:
            continue
        # The table and column come from columns.py (a fixed list), never from a file: identifiers.
        last = con.execute(f"select max(date_trunc('month', {table.month_from}))::date from {table.name}").fetchall()[0][0]
        after_last = (pd.Timestamp(last) + pd.DateOffset(months=1)).date() if last is not None else table_months[0]
        first = min(table_months[0], after_last)
        firsts.append(first.replace(month=1) if table.name == "staff_income" else first)
    return min(firsts, default=date.today().replace(day=1))


def _delivered(con: duckdb.DuckDBPyConnection, table: Table) -> str:
    """SQL for the units every applied batch delivered: written, or found unchanged (databases loaded
    before import_same_<table> existed know only the first)."""
    written = f"select * from import_scope_{table.name}"
    if _has_table(con, f"import_same_{table.name}"):
        return f"{written} union all select * from import_same_{table.name}"
    return written


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where table_name = $name and not temporary",
                       {"name": name}).fetchall()[0][0] > 0


def history(db: Path) -> pd.DataFrame:
    """Every load and undo, newest first."""
    with open_readonly(db) as con:
        return con.execute("select * from import_batch order by batch_id desc").df()


# The atomic swap -----------------------------------------------------------------------------------------


def lock_path(db: Path) -> Path:
    return db.with_name(f"{db.name}.load-lock")


@contextmanager
def exclusive(db: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the database's load lock (waiting for another load to finish first)."""
    with open(lock_path(db), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _work_files(db: Path) -> list[Path]:
    """Copies left behind by loads that were killed (only ever called under the lock)."""
    return sorted(db.parent.glob(f"{db.name}.loading-*"))


def write(db: Path, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Data quality (issue 20): apply `work` (a data officer's follow-up marks or reporting exceptions,
    healthdash.data.quality) to the database by the same locked copy and atomic swap as a load; what it changes
    refreshes its own rollups, so the others are not rebuilt. Returns what `work` returns."""
    done: list[T] = []
    _rewrite(db, lambda con: done.append(work(con)), _quiet, rebuild=None)
    return done[0]


def _rewrite(db: Path, work: Callable[[duckdb.DuckDBPyConnection], None], report: Progress,
             rebuild: Callable[[duckdb.DuckDBPyConnection], None] | None = rebuild_rollups) -> None:
    db = Path(db)
    with exclusive(db, on_wait=lambda: report(0.1, "等待另一次导入完成")):
        for leftover in _work_files(db):
            leftover.unlink(missing_ok=True)
        work_file = db.with_name(f"{db.name}.loading-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            report(0.2, "复制数据库")
            shutil.copyfile(db, work_file)
            shutil.copymode(db, work_file)  # the swapped-in file keeps who may read it
            con = connect_for_writing(work_file)
            try:
                con.execute("begin")
                work(con)
                con.execute("commit")
                # Outside the load's transaction: the copy is not live until the swap, so a failure
                # here still leaves the database as it was.
                if rebuild is not None:
                    rebuild(con)
                report(0.8, "写入磁盘")
                con.execute("checkpoint")
            finally:
                con.close()
            _fsync(work_file)
            os.replace(work_file, db)
            _fsync(db.parent)
        except BaseException:
            work_file.unlink(missing_ok=True)
            Path(f"{work_file}.wal").unlink(missing_ok=True)
            raise


def _fsync(path: Path) -> None:
    """Data (or a directory entry) on disk before it counts: a power cut after the swap keeps the load."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


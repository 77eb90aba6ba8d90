"""Backup, restore and schema check of a served database (`python -m healthdash backup | restore | check`).

All three are safe while the dashboard serves, for the same reason loads are (healthdash.ingest.loader):
the live DuckDB file is only ever replaced whole, under the load lock, by a checkpointed copy. A backup
copies it under that lock (no load can swap it meanwhile, and the readers the dashboard holds do not
write); a restore and a migration write a copy beside it and swap it in atomically, and keep the file they
replace as a hard link (`health.duckdb.before-…`). The account store (SQLite, with the audit log) is
copied page by page with SQLite's online backup API, which the dashboard's own connections may keep using.
A PostgreSQL account store is the database administrator's to back up (pg_dump).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from healthdash.access.config import accounts_location
from healthdash.access.lockout import store_path as officer_logins_path
from healthdash.data import migrate
from healthdash.data.db import open_readonly
from healthdash.ingest import loader

MANIFEST = "MANIFEST.json"
DATABASE_FILE = "health.duckdb"
ACCOUNTS_FILE = "accounts.sqlite"
OFFICER_FILE = "officer-logins.json"


class MaintenanceError(Exception):
    """What is wrong, in Chinese and English, in one line; nothing was changed."""


@dataclass(frozen=True)
class Written:
    """One file a command wrote: where, and what it is (said in Chinese to the operator)."""

    path: Path
    what: str


def _sqlite_accounts(db: Path) -> Path | None:
    """The SQLite account store of `db`, or None when the accounts live in PostgreSQL."""
    location = accounts_location(db)
    return None if "://" in location else Path(location)


def _describe(db: Path) -> tuple[str, str]:
    """(schema version, dataset kind) of a database file, read-only; MaintenanceError if it is none."""
    try:
        with closing(open_readonly(db)) as con:
            meta = dict(con.execute("select key, value from meta").fetchall())
    except Exception as error:  # noqa: BLE001 (any duckdb error means the same here)
        raise MaintenanceError(f"{db} 不是可读的看板数据库（{str(error).splitlines()[0]}）/ {db} is no readable "
                               "dashboard database") from None
    return meta.get("schema_version", "0"), meta.get("dataset_kind", "?")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(source: Path, target: Path) -> int:
    """Copy an SQLite file with the online backup API; the number of accounts in it."""
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)
        try:
            return dst.execute("select count(*) from account").fetchone()[0]
        except sqlite3.DatabaseError:
            raise MaintenanceError(f"{source} 不是看板的账户库 / {source} is no account store") from None


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def backup(db: Path, out: Path) -> list[Written]:
    """Copy the database, the account store and the officer-login record of `db` into the folder `out`
    (created; refused if it already holds a backup), with a manifest of their checksums."""
    if not db.is_file():
        raise MaintenanceError(f"找不到数据库 {db} / no database at {db}")
    if (out / MANIFEST).exists():
        raise MaintenanceError(f"{out} 中已有一份备份，请换一个目录 / {out} already holds a backup")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    target = out / DATABASE_FILE
    with loader.exclusive(db):
        shutil.copyfile(db, target)
    version, kind = _describe(target)
    written.append(Written(target, f"数据库（{target.stat().st_size / 1e6:.0f} MB，架构版本 {version}，"
                                   f"{'模拟演示数据' if kind == 'demo' else '正式数据'}）"))
    accounts = _sqlite_accounts(db)
    if accounts is None:
        written.append(Written(Path(accounts_location(db).split("@")[-1]),
                               "账户库在 PostgreSQL 中，未备份：请由数据库管理员用 pg_dump 备份"))
    elif accounts.is_file():
        count = _sqlite_copy(accounts, out / ACCOUNTS_FILE)
        written.append(Written(out / ACCOUNTS_FILE, f"账户库（{count} 个账户，含会话与审计日志）"))
    officer = officer_logins_path(db)
    if officer.is_file():
        shutil.copyfile(officer, out / OFFICER_FILE)
        written.append(Written(out / OFFICER_FILE, "数据管理页的登录失败记录"))
    files = {item.path.name: _sha256(item.path) for item in written if item.path.parent == out}
    manifest = {"created": dt.datetime.now().isoformat(timespec="seconds"), "source": str(db),
                "schema_version": version, "dataset_kind": kind, "sha256": files}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(Written(out / MANIFEST, "清单（各文件的 SHA-256，恢复时核对）"))
    return written


def _checked_backup(source: Path) -> dict:
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise MaintenanceError(f"{source} 中没有 {MANIFEST}，不是本看板的备份 / {source} is no backup")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        if not (source / name).is_file() or _sha256(source / name) != digest:
            raise MaintenanceError(f"备份文件 {source / name} 缺失或已损坏（校验和不符），未做任何改动 / "
                                   f"{name} is missing or damaged; nothing was changed")
    _describe(source / DATABASE_FILE)
    return manifest


def _swap_in(db: Path, new_file: Path, keep_as: str) -> Path | None:
    """Replace `db` by `new_file` atomically (under the load lock), keeping the old file as a hard link."""
    kept = None
    with loader.exclusive(db):
        if db.exists():
            kept = db.with_name(f"{db.name}.{keep_as}")
            kept.unlink(missing_ok=True)
            os.link(db, kept)
        os.replace(new_file, db)
    return kept


def restore(db: Path, source: Path) -> list[Written]:
    """Put the backup in `source` back as `db`, its account store and officer-login record; the files
    replaced are kept beside them (…before-restore-<time>)."""
    manifest = _checked_backup(source)
    migrate.pending(manifest["schema_version"])  # a backup of a newer release is refused before any change
    stamp = _stamp()
    written: list[Written] = []
    db.parent.mkdir(parents=True, exist_ok=True)
    work = db.with_name(f"{db.name}.restoring-{os.getpid()}")
    try:
        shutil.copyfile(source / DATABASE_FILE, work)
        kept = _swap_in(db, work, f"before-restore-{stamp}")
    finally:
        work.unlink(missing_ok=True)
    written.append(Written(db, f"数据库（备份于 {manifest['created']}，架构版本 {manifest['schema_version']}）"))
    if kept:
        written.append(Written(kept, "恢复前的数据库（确认无误后可删除）"))
    accounts = _sqlite_accounts(db)
    if (source / ACCOUNTS_FILE).is_file():
        if accounts is None:
            written.append(Written(source / ACCOUNTS_FILE, "账户库在 PostgreSQL 中，未恢复备份中的 SQLite 账户库"))
        else:
            if accounts.is_file():
                previous = accounts.with_name(f"{accounts.name}.before-restore-{stamp}")
                _sqlite_copy(accounts, previous)
                written.append(Written(previous, "恢复前的账户库（确认无误后可删除）"))
            count = _sqlite_copy(source / ACCOUNTS_FILE, accounts)
            written.append(Written(accounts, f"账户库（{count} 个账户，含审计日志）"))
    if (source / OFFICER_FILE).is_file():
        officer = officer_logins_path(db)
        partial = officer.with_name(f"{officer.name}.restoring")
        shutil.copyfile(source / OFFICER_FILE, partial)
        os.replace(partial, officer)
        written.append(Written(officer, "数据管理页的登录失败记录"))
    if migrate.pending(manifest["schema_version"]):
        written.append(Written(db, f"该备份的架构版本较旧，请运行 python -m healthdash check 升级到 {migrate.CURRENT}"))
    return written


@dataclass(frozen=True)
class Checked:
    before: str
    after: str
    kind: str
    steps: list[migrate.Step]
    kept: Path | None


def check(db: Path, apply: bool = True) -> Checked:
    """The schema version of `db`; with `apply`, every pending step run on a copy that is then swapped in."""
    version, kind = _describe(db)
    steps = migrate.pending(version)
    if not steps or not apply:
        return Checked(version, version, kind, steps, None)
    kept = db.with_name(f"{db.name}.before-v{migrate.CURRENT}-{_stamp()}")
    os.link(db, kept)
    loader.write(db, migrate.migrate)
    after, _ = _describe(db)
    return Checked(version, after, kind, steps, kept)


def files_of(written: list[Written]) -> Iterator[str]:
    for item in written:
        yield f"  {item.path}  {item.what}"

"""`python -m healthdash users …` run as an administrator runs it, in a fresh process: accounts added,
listed, changed, disabled and reset, the audit log read and exported; bad input refused in one Chinese line
with exit status 1 and nothing changed."""

from __future__ import annotations

import csv
import getpass
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from healthdash.access import accounts, audit, signin
from healthdash.access.roles import Role
from healthdash.access.scope import Scope
from healthdash.access.store import Store
from tests.access.world import write_registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "health.duckdb")


def users(db: Path, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("HEALTHDASH_")}
    environ["HEALTHDASH_CONFIG"] = str(db.with_name("no-such-config.toml"))  # a developer's secrets stay out
    return subprocess.run([sys.executable, "-m", "healthdash", "users", *arguments, "--db", str(db)], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120, env=environ)


def refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1 and message in lines[0], (done.stdout, done.stderr)


def store_of(db: Path) -> Store:
    return Store(db.with_name("accounts.sqlite"))  # where the commands keep accounts by default


def test_an_administrator_manages_accounts_from_the_shell(db: Path) -> None:
    added = users(db, "add", "Zhang", "--role", "viewer", "--scope", "county:K1", "--password-stdin",
                  stdin="first-password\n")
    assert added.returncode == 0, added.stderr
    assert "已添加账户「zhang」（查看，区县 K1）" in added.stdout
    made = users(db, "add", "li", "--role", "分析", "--scope", "city:C1")
    printed = re.search(r"first password \(shown once\): (\S+)", made.stdout)
    assert made.returncode == 0 and printed, made.stdout

    store = store_of(db)
    first = signin.sign_in(store, "li", printed.group(1), None)
    assert first.ok and first.must_change
    assert signin.sign_in(store, "zhang", "first-password", None).must_change

    listed = users(db, "list")
    assert listed.returncode == 0
    assert re.search(r"^li\s+分析 analyst\s+city:C1\s+启用 enabled\s+是 yes$", listed.stdout, re.M), listed.stdout
    assert re.search(r"^zhang\s+查看 viewer\s+county:K1\s+启用 enabled", listed.stdout, re.M)

    changed = users(db, "set", "zhang", "--role", "officer", "--scope", "alliance:A1")
    assert changed.returncode == 0 and "数据上报" in changed.stdout
    assert (accounts.get_account(store, "zhang").role, accounts.get_account(store, "zhang").scope) == (
        Role.OFFICER, Scope("alliance", "A1"))

    assert users(db, "disable", "zhang").returncode == 0
    assert signin.sign_in(store, "zhang", "first-password", None).outcome == "disabled"
    assert users(db, "enable", "zhang").returncode == 0
    reset = users(db, "reset", "zhang", "--password-stdin", stdin="second-password\n")
    assert reset.returncode == 0 and "须修改" in reset.stdout
    assert signin.sign_in(store, "zhang", "second-password", None).ok

    log = users(db, "audit", "--since", "2000-01-01", "--action", "account_change")
    assert log.returncode == 0
    changes = [line for line in log.stdout.splitlines() if "账户变更" in line]
    assert len(changes) == 6 and all(line.split("  ")[1:3] == [getpass.getuser(), "cli"] for line in changes)
    assert '"change": "add", "role": "viewer", "scope": "county:K1"' in log.stdout

    exported = db.with_name("audit.csv")
    assert users(db, "audit", "--user", "ZHANG", "--csv", str(exported)).returncode == 0
    rows = list(csv.reader(io.StringIO(exported.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["时间", "账户", "地址", "操作", "管辖范围", "详情"]
    assert [row[3] for row in rows[1:]] == ["登录", "登录失败", "登录"]  # zhang's own sign-ins, newest first
    none = users(db, "audit", "--until", "2000-01-01")
    assert none.returncode == 0 and "没有符合条件的审计记录" in none.stdout


@pytest.mark.parametrize(("arguments", "stdin", "message"), [
    (("add", "wang", "--role", "viewer", "--scope", "county:K1", "--password-stdin"), "short\n", "密码至少需要 10 个字符"),
    (("add", "wang", "--role", "viewer", "--scope", "county:K1", "--password-stdin"), "", "没有从标准输入读到密码"),
    (("add", "wang", "--role", "boss", "--scope", "county:K1"), "", "未知角色「boss」"),
    (("add", "wang", "--role", "viewer", "--scope", "county:K9"), "", "管辖范围「county:K9」不存在"),
    (("add", "wang", "--role", "viewer", "--scope", "city:K1"), "", "请写 county:K1"),
    (("add", "wang", "--role", "viewer", "--scope", "town:T1"), "", "无法识别的管辖范围「town:T1」"),
    (("add", "zhang", "--role", "viewer", "--scope", "county:K1"), "", "账户「zhang」已存在"),
    (("set", "nobody", "--role", "viewer"), "", "没有名为「nobody」的账户"),
    (("set", "zhang"), "", "请给出 --role 或 --scope"),
    (("disable", "root"), "", "最后一个启用的全省管理员"),
    (("audit", "--since", "2026-02-30"), "", "日期「2026-02-30」无效"),
    (("audit", "--action", "login"), "", "未知操作类型「login」"),
])
def test_bad_input_gets_one_chinese_line_exit_1_and_changes_nothing(db: Path, arguments: tuple, stdin: str,
                                                                   message: str) -> None:
    store = store_of(db)
    accounts.add_account(store, "root", "admin", Scope("province"), "0123456789", by="setup")
    accounts.add_account(store, "zhang", "viewer", None, "0123456789", by="setup")
    before = accounts.list_accounts(store), audit.entries(store)
    refused(users(db, *arguments, stdin=stdin), message)
    assert (accounts.list_accounts(store), audit.entries(store)) == before


def test_a_scope_cannot_be_checked_without_the_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "health.duckdb"
    refused(users(missing, "add", "wang", "--role", "viewer", "--scope", "county:K1"), "找不到数据库文件")

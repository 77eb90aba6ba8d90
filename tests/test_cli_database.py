"""Every command that reads a database meets a missing or unreadable one with one clear line on stderr and
exit status 1, never a traceback: run as a data officer runs them, in a fresh `python -m healthdash` (the
product) or `python -m tools` (benchmark and load test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


TOOLS = {"bench-load", "loadtest"}


def commands(db: Path, tmp_path: Path) -> dict[str, list[str]]:
    report = tmp_path / "公共卫生.csv"
    report.write_text("乡镇/街道代码,月份,指标代码,分子(或数量),分母\nT1,2024-03,hpv_first_doses,5,\n", encoding="utf-8")
    return {
        "template": ["template", "--out", str(tmp_path / "out"), "--db", str(db)],
        "import": ["import", str(report), "--db", str(db)],
        "import --dry-run": ["import", str(report), "--dry-run", "--db", str(db)],
        "undo": ["undo", "1", "--db", str(db)],
        "bench-load": ["bench-load", "--rows", "10", "--db", str(db)],
        "loadtest": ["loadtest", "--users", "1", "--seconds", "1", "--db", str(db)],
    }


def run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    module = "tools" if arguments[0] in TOOLS else "healthdash"
    return subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def unreadable(tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    path.write_text("这不是数据库\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["missing", "not a database"])
def test_every_command_meets_a_bad_database_with_one_line_and_exit_1(kind: str, tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "health.duckdb" if kind == "missing" else unreadable(tmp_path)
    before = None if kind == "missing" else db.read_bytes()
    for name, arguments in commands(db, tmp_path).items():
        done = run(arguments)
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in done.stderr, (name, done.stderr)
        assert str(db) in lines[0], (name, lines[0])
        assert ("找不到数据库文件" if kind == "missing" else "无法读取数据库文件") in lines[0], (name, lines[0])
    assert (not db.exists()) if kind == "missing" else db.read_bytes() == before


def test_a_database_of_another_program_is_named_as_such(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table t (x integer)")
    done = run(["template", "--out", str(tmp_path / "out"), "--db", str(db)])
    assert done.returncode == 1 and "不是本看板的数据库" in done.stderr and "Traceback" not in done.stderr

"""Backup, restore and the schema check, as IT staff run them: `python -m healthdash backup | restore | check`
on a database the dashboard is reading (a read-only connection stays open throughout)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import duckdb
import pytest

from healthdash.access import accounts
from healthdash.access.roles import Role
from healthdash.access.store import open_store
from healthdash.cli import main
from healthdash.data import migrate
from healthdash.data.db import open_readonly
from healthdash.ingest import loader
from tests.support.signed import FAST, PASSWORD, with_accounts

# What a database written before the data-quality work (issue 20) lacks, derived tables first.
PRE_QUALITY_TABLES = ("report_count_alliance", "report_count", "report_status", "report_place", "quality_flag",
                      "quality_score", "quality_mark", "report_exception", "report_receipt", "facility_dates")


def meta(db: Path) -> dict[str, str]:
    with contextlib.closing(open_readonly(db)) as con:
        return dict(con.execute("select key, value from meta").fetchall())


def account_names(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db.with_name("accounts.sqlite"))) as con:
        return sorted(row[0] for row in con.execute("select name from account"))


def test_check_upgrades_a_database_of_the_previous_layout(demo_db: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "health.duckdb"
    db.write_bytes(demo_db.read_bytes())
    with contextlib.closing(duckdb.connect(str(db))) as con:
        con.execute("drop view quality_value")
        for table in PRE_QUALITY_TABLES:
            con.execute(f"drop table {table}")
        con.execute("drop table region_boundary")  # and before maps (version 3)
        con.execute("alter table region drop column adcode")
        con.execute("drop table appraisal_judgement")  # and before the appraisal (version 4)
        con.execute("drop table appraisal_target")
        con.execute("alter table resident_care drop column fund_primary")
        con.execute("delete from indicator where code = 'primary_fund_share'")
        con.execute("drop table staff_income")  # and before the staff-income report and schemes (version 5)
        con.execute("drop table appraisal_scheme")
        con.execute("drop table appraisal_scheme_choice")
        con.execute("delete from indicator where code = 'primary_income_ratio'")
        for table in ("poverty_monitoring", "serious_illness", "elderly_care"):  # and before issue 26 (version 6)
            con.execute(f"drop table {table}")
        con.execute("delete from indicator where code = 'eldercare_beds'")
        con.execute("drop table workforce_register")  # and before the registers and the pathogen network (6)
        con.execute("drop table pathogen_test")
        con.execute("delete from indicator where code in ('physicians_per_1000', 'pathogen_turnaround_hours')")
        con.execute("delete from meta where key = 'schema_version'")
    with contextlib.closing(open_readonly(db)) as con, pytest.raises(duckdb.CatalogException):
        con.execute("select count(*) from report_status").fetchone()

    assert main(["check", "--db", str(db), "--no-migrate"]) == 0
    assert "架构版本 / schema version: 0" in capsys.readouterr().out
    assert "schema_version" not in meta(db), "--no-migrate changes nothing"

    reader = open_readonly(db)  # the dashboard keeps reading the file it opened
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert all(f"→ {step.version}:" in out for step in migrate.STEPS) and f"已升级到 {migrate.CURRENT}" in out
    assert meta(db)["schema_version"] == migrate.CURRENT
    with contextlib.closing(open_readonly(db)) as con:
        assert con.execute("select count(*) from report_status").fetchone()[0] > 0
        assert con.execute("select count(*) from facility_dates").fetchone()[0] >= 0
        drawn = con.execute("select count(*) from region r join region_boundary b on b.adcode = r.adcode").fetchone()
        assert drawn[0] > 20, "the demo's counties get their codes and outlines back"
        assert con.execute("select count(*) from appraisal_target").fetchone()[0] == 0
        assert con.execute("select count(*) from indicator where code = 'primary_fund_share'").fetchone()[0] == 1
        assert con.execute("select count(*) from staff_income").fetchone()[0] == 0
        assert con.execute("select count(*) from appraisal_scheme_choice").fetchone()[0] == 0
        assert con.execute("select count(*) from indicator where code = 'primary_income_ratio'").fetchone()[0] == 1
    assert all(f"→ {step.version}:" in out for step in migrate.STEPS) and f"已升级到 {migrate.CURRENT}" in out
    assert reader.execute("select count(*) from meta").fetchone()[0] > 0
    reader.close()
    assert list(tmp_path.glob("health.duckdb.before-v*")), "the file before the upgrade is kept"

    inode = db.stat().st_ino
    assert main(["check", "--db", str(db)]) == 0
    assert "无需升级" in capsys.readouterr().out and db.stat().st_ino == inode


def test_check_stores_the_rollups_by_place_without_rebuilding(demo_db: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Versions 10 to 14 (issue 21): a database stored by place without the town grain gets it, summed from
    its facility rows, its referral flows get their home county and are summed per facility, its report
    states are stored by year, its towns get running totals; the rollups are not rebuilt (the outlier scores, a rebuild's product, stay
    the same rows)."""
    db = tmp_path / "health.duckdb"
    db.write_bytes(demo_db.read_bytes())
    with contextlib.closing(duckdb.connect(str(db))) as con:
        con.execute("drop table indicator_town_fact")
        con.execute("drop table indicator_town_running")
        con.execute("drop table referral_facility_monthly")
        con.execute("create or replace table report_status as select * from report_status "
                    "order by county_code, month, dataset, unit_code")
        con.execute("create or replace table indicator_fact as select * from indicator_fact "
                    "order by county_code, town_code, indicator_code, month")
        for table in ("referral_flow_monthly", "referral_disease_monthly"):
            con.execute(f"create or replace table {table} as select * exclude (home_county) from {table} "
                        "order by month, home_facility")
        con.execute("update meta set value = '9' where key = 'schema_version'")
        scores = con.execute("select count(*), sum(hash(rowid)) from quality_score").fetchone()
        facts = con.execute("select count(*), sum(numerator::decimal(38, 10)) from indicator_fact").fetchone()

    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert all(f"→ {version}:" in out for version in (10, 11, 12, 13, 14))
    with contextlib.closing(open_readonly(db)) as con:
        assert con.execute("select count(*), sum(hash(rowid)) from quality_score").fetchone() == scores
        assert con.execute("select count(*), sum(numerator::decimal(38, 10)) from indicator_fact").fetchone() == facts
        with contextlib.closing(duckdb.connect(str(demo_db), read_only=True)) as built:
            for table in ("indicator_town_fact", "indicator_town_running", "referral_flow_monthly",
                          "referral_disease_monthly", "referral_facility_monthly", "report_status"):
                fresh = built.execute(f"select * from {table} order by all").fetchall()
                assert con.execute(f"select * from {table} order by all").fetchall() == fresh, table
        for table in ("indicator_fact", "report_status"):
            changes = con.execute(f"select count(*) from (select year(month) <> lag(year(month)) over (order by rowid) "
                                  f"as changed from {table}) where changed").fetchone()[0]
            years = con.execute(f"select count(distinct year(month)) from {table}").fetchone()[0]
            assert changes == years - 1, f"{table} stored by year"
        towns = con.execute("select count(*) from place_facts(null, null, null, null, ['village'], 'province', "
                            "null, 'town') where town_code is not null").fetchone()[0]
        assert towns > 0


def test_a_schema_step_or_load_spills_to_disk_past_the_write_limit(demo_db: Path, tmp_path: Path) -> None:
    """A schema step, like a load, works on a copy through connect_for_writing: past 6 GB DuckDB spills to
    disk instead of growing towards its default, 80% of the machine (step 14 reached 7.97 GB on the
    province's file without it)."""
    db = tmp_path / "health.duckdb"
    db.write_bytes(demo_db.read_bytes())
    limit = loader.write(db, lambda con: con.execute("select current_setting('memory_limit')").fetchone()[0])
    assert limit == "5.5 GiB"


def test_a_database_of_a_newer_release_is_refused(demo_db: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "health.duckdb"
    db.write_bytes(demo_db.read_bytes())
    with contextlib.closing(duckdb.connect(str(db))) as con:
        con.execute("update meta set value = '99' where key = 'schema_version'")
    assert main(["check", "--db", str(db)]) == 1
    assert "本程序只支持到" in capsys.readouterr().err
    assert meta(db)["schema_version"] == "99"


def test_backup_then_restore_while_served_brings_back_data_and_accounts(
        demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = tmp_path / "live"
    live.mkdir()
    db = with_accounts(demo_db, live / "health.duckdb", [("county_viewer", Role.VIEWER, None)])
    reader = open_readonly(db)
    assert main(["backup", "--db", str(db), "--out", str(tmp_path / "backup")]) == 0
    said = capsys.readouterr().out
    assert "数据库" in said and "账户库（1 个账户" in said and "MANIFEST.json" in said

    # After the backup: a load changes the database, a second account is added.
    loader.write(db, lambda con: con.execute("insert into meta values ('after_backup', 'yes')"))
    store = open_store(db, iterations=FAST)
    accounts.add_account(store, "late_analyst", Role.ANALYST, None, PASSWORD, by="test", must_change=False)
    store.close()
    assert account_names(db) == ["county_viewer", "late_analyst"]

    assert main(["restore", "--db", str(db), "--from", str(tmp_path / "backup")]) == 0
    said = capsys.readouterr().out
    assert "恢复前的数据库" in said and "恢复前的账户库" in said
    assert "after_backup" not in meta(db)
    assert account_names(db) == ["county_viewer"]
    kept = list(live.glob("health.duckdb.before-restore-*"))
    assert len(kept) == 1 and "after_backup" in meta(kept[0]), "the replaced file is kept"
    assert reader.execute("select count(*) from meta").fetchone()[0] > 0, "an open reader is unharmed"
    reader.close()


def test_a_damaged_backup_is_refused_and_changes_nothing(demo_db: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "live" / "health.duckdb"
    db.parent.mkdir()
    db.write_bytes(demo_db.read_bytes())
    assert main(["backup", "--db", str(db), "--out", str(tmp_path / "backup")]) == 0
    assert main(["backup", "--db", str(db), "--out", str(tmp_path / "backup")]) == 1, "never overwrites a backup"
    copy = tmp_path / "backup" / "health.duckdb"
    with open(copy, "r+b") as file:
        file.seek(copy.stat().st_size // 2)
        file.write(b"\xff" * 16)
    inode = db.stat().st_ino
    capsys.readouterr()
    assert main(["restore", "--db", str(db), "--from", str(tmp_path / "backup")]) == 1
    assert "已损坏" in capsys.readouterr().err
    assert db.stat().st_ino == inode and not list(db.parent.glob("*.before-restore-*"))

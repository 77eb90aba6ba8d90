"""Loading files: replace instead of double, record every batch, undo exactly, keep the demo label,
never interleave two loads, and clean up after a killed one. On the tiny world of tests/support/load_world.py."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from healthdash.cli import main
from healthdash.data.build import rebuild_rollups
from healthdash.ingest import loader
from healthdash.ingest.template import write_template
from tests.support.load_world import FEB, JAN, MAR, REFERRALS, build_tiny, csv_bytes, sha256, table


@pytest.fixture(scope="module")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-master") / "health.duckdb")


@pytest.fixture
def db(tiny_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(tiny_master, path)
    return path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def load(db: Path, *paths: Path, by: str = "tester") -> loader.LoadResult:
    result = loader.apply(db, loader.read_paths(list(paths)), by)
    assert result.ok, result.checked.problems.to_dict("records")
    return result


def volume(db: Path, facility: str, month: object) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select outpatient_visits from service_volume where facility_code = $f and month = $m",
                           {"f": facility, "m": month}).fetchall()[0][0]


def test_loading_a_month_again_replaces_it_and_never_doubles(db: Path, tmp_path: Path) -> None:
    rows = [{"facility_code": "HK1", "month": "2024-02", "outpatient_visits": 12345, "inpatient_discharges": 600,
             "critical_cases": 20, "inpatient_spending": 99.5},
            {"facility_code": "HT2", "month": "2024-02", "outpatient_visits": 800, "inpatient_discharges": 10,
             "critical_cases": 0, "inpatient_spending": 5}]
    report = write(tmp_path / "门急诊与住院服务量.csv", csv_bytes("service_volume", rows))
    before = len(table(db, "service_volume"))

    first = load(db, report)
    assert first.totals()["service_volume"] == {"added": 1, "replaced": 1, "unchanged": 0, "removed": 0}
    assert volume(db, "HK1", FEB) == 12345
    assert len(table(db, "service_volume")) == before + 1

    snapshot = table(db, "service_volume")
    second = load(db, report)
    assert second.totals()["service_volume"] == {"added": 0, "replaced": 0, "unchanged": 2, "removed": 0}
    pd.testing.assert_frame_equal(table(db, "service_volume"), snapshot)


def test_every_load_is_recorded_with_the_files_checksum(db: Path, tmp_path: Path) -> None:
    report = write(tmp_path / "公共卫生.csv", csv_bytes("public_health", [
        {"town_code": "T1", "month": "2024-02", "indicator_code": "fd_coverage", "numerator": 520, "denominator": 1000}]))
    result = load(db, report, by="王科长")
    history = loader.history(db)
    assert list(history["batch_id"]) == result.batches == [1]
    row = history.iloc[0]
    assert row["checksum"] == hashlib.sha256(report.read_bytes()).hexdigest()
    assert row["source_file"] == str(report) and row["loaded_by"] == "王科长" and row["outcome"] == "applied"
    assert json.loads(row["rows_by_table"]) == {"public_health": {"added": 1, "replaced": 0, "unchanged": 0,
                                                                 "removed": 0}}


def test_referrals_replace_the_sending_facilitys_month_and_undo_restores_ids(db: Path, tmp_path: Path) -> None:
    before = table(db, "referral")
    kept = before[~((before["from_facility"] == "HK1") & (pd.to_datetime(before["referral_date"]).dt.month == 1))]
    rows = [{"from_facility": "HK1", "to_facility": "HT1", "referral_date": "2024-01-20", "direction": "下转",
             "disease_chapter": "IX", "green_channel": "否", "status": "已完成"}] * 3
    report = write(tmp_path / "双向转诊.csv", csv_bytes("referral", rows, "gbk"))
    stored = int(((REFERRALS["from_facility"] == "HK1") & (REFERRALS["referral_date"] < FEB)).sum())

    result = load(db, report)
    assert result.totals()["referral"] == {"added": 0, "replaced": 3, "unchanged": 0, "removed": stored - 3}
    after = table(db, "referral")
    january = after[(after["from_facility"] == "HK1") & (pd.to_datetime(after["referral_date"]).dt.month == 1)]
    assert len(january) == 3 and set(january["direction"]) == {"down"} and set(january["import_batch"]) == {1}
    assert after["referral_id"].is_unique
    other = after[~after["referral_id"].isin(january["referral_id"])].drop(columns="import_batch")
    pd.testing.assert_frame_equal(other.reset_index(drop=True), kept.drop(columns="import_batch").reset_index(drop=True))

    loader.undo(db, result.batches[0], "tester")
    pd.testing.assert_frame_equal(table(db, "referral"), before)


def test_undo_restores_the_previous_values_exactly(db: Path, tmp_path: Path) -> None:
    before = {name: table(db, name) for name in ("service_volume", "public_health", "referral")}
    first = write(tmp_path / "a.csv", csv_bytes("service_volume", [
        {"facility_code": "HT1", "month": "2024-03", "outpatient_visits": 1, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1}]))
    second = write(tmp_path / "b.csv", csv_bytes("public_health", [
        {"town_code": "T2", "month": "2024-01", "indicator_code": "fd_coverage", "numerator": 1, "denominator": 2},
        {"town_code": "T2", "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 7}]))
    result = load(db, first, second)
    assert result.batches == [1, 2]
    assert volume(db, "HT1", MAR) == 1

    loader.undo(db, 2, "tester")
    loader.undo(db, 1, "tester")
    for name, frame in before.items():
        pd.testing.assert_frame_equal(table(db, name), frame)
    outcomes = loader.history(db).set_index("batch_id")["outcome"].to_dict()
    assert outcomes == {1: "undone", 2: "undone", 3: "undo", 4: "undo"}


def test_undo_refuses_when_a_later_load_changed_the_same_data(db: Path, tmp_path: Path) -> None:
    def report(visits: int) -> Path:
        return write(tmp_path / f"v{visits}.csv", csv_bytes("service_volume", [
            {"facility_code": "HK1", "month": "2024-01", "outpatient_visits": visits, "inpatient_discharges": 1,
             "critical_cases": 0, "inpatient_spending": 1}]))

    original = volume(db, "HK1", JAN)
    load(db, report(111))
    load(db, report(222))
    unchanged = sha256(db)
    with pytest.raises(loader.LoadError) as refused:
        loader.undo(db, 1, "tester")
    assert refused.value.code == "undo_blocked" and "2" in refused.value.zh
    assert sha256(db) == unchanged
    loader.undo(db, 2, "tester")
    assert volume(db, "HK1", JAN) == 111
    loader.undo(db, 1, "tester")
    assert volume(db, "HK1", JAN) == original
    with pytest.raises(loader.LoadError) as again:
        loader.undo(db, 1, "tester")
    assert again.value.code == "undo_not_applied"
    with pytest.raises(loader.LoadError) as unknown:
        loader.undo(db, 99, "tester")
    assert unknown.value.code == "undo_unknown"


def test_rollups_are_rebuilt_from_the_loaded_rows(db: Path, tmp_path: Path) -> None:
    rows = [{"from_facility": "HT1", "to_facility": "HK1", "referral_date": "2024-03-05", "direction": "上转",
             "disease_chapter": "II", "green_channel": "是", "status": "已完成"}] * 4
    load(db, write(tmp_path / "双向转诊.csv", csv_bytes("referral", rows)))
    with duckdb.connect(str(db), read_only=True) as con:
        flows = con.execute("select referrals, green_referrals from referral_flow_monthly "
                            "where month = '2024-03-01' and from_facility = 'HT1'").fetchall()
        stored = con.execute("select count(*) from referral").fetchall()[0][0]
        meta = dict(con.execute("select key, value from meta").fetchall())
    assert flows == [(4, 4)]
    assert meta["referral_events"] == str(stored)
    # The stored rollups are what a fresh rebuild gives.
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(db, copy)
    with duckdb.connect(str(copy)) as con:
        rebuild_rollups(con)
    for name in ("indicator_fact", "referral_flow_monthly", "referral_disease_monthly"):
        pd.testing.assert_frame_equal(table(db, name), table(copy, name))


def test_a_load_keeps_the_demo_label_and_marks_other_databases_production(tmp_path: Path) -> None:
    rows = [{"town_code": "T1", "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 3}]
    report = write(tmp_path / "公共卫生.csv", csv_bytes("public_health", rows))
    for kind, expected in (("demo", "demo"), ("production", "production")):
        path = build_tiny(tmp_path / f"{kind}.duckdb", kind=kind)
        load(path, report)
        with duckdb.connect(str(path), read_only=True) as con:
            meta = dict(con.execute("select key, value from meta").fetchall())
        assert meta["dataset_kind"] == expected
        assert meta["last_load"]


def test_encodings_excel_writes_are_all_read_alike(db: Path, tmp_path: Path) -> None:
    rows = [{"town_code": "T1", "month": "2024年3月", "indicator_code": "hpv_first_doses", "numerator": 9}]
    results = []
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"):
        report = write(tmp_path / f"公共卫生_{encoding}.csv", csv_bytes("public_health", rows, encoding))
        result = loader.dry_run(db, loader.read_paths([report]))
        assert result.ok, (encoding, result.checked.problems.to_dict("records"))
        results.append(result.checked.tables["public_health"].drop(columns=["source"]))
    for frame in results[1:]:
        pd.testing.assert_frame_equal(frame, results[0])


def test_a_filled_template_loads_and_an_untouched_one_is_empty(db: Path, tmp_path: Path) -> None:
    template = write_template(db, tmp_path / "template")
    untouched = loader.dry_run(db, loader.read_paths([template]))
    assert list(untouched.checked.problems["code"]) == ["no_data"]

    book = openpyxl.load_workbook(template)
    for sheet in book.worksheets:
        first = sheet["A2"].value
        if isinstance(first, str) and first.startswith("示例 "):
            sheet["A2"] = first.removeprefix("示例 ")
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    result = loader.dry_run(db, loader.read_paths([filled]))
    assert result.ok, result.checked.problems.to_dict("records")
    assert set(result.totals()) == {"service_volume", "resident_care", "referral", "alliance_activity",
                                    "shared_service", "public_health", "staff_income", "poverty_monitoring",
                                    "serious_illness", "elderly_care", "workforce_register",
                                    "pathogen_test"}


def test_the_poverty_and_elderly_care_sheets_load_into_their_indicators(db: Path, tmp_path: Path) -> None:
    # One workbook as a town's data officer fills it: the three monthly sheets, Chinese headers and labels.
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        "防止因病返贫监测": [["乡镇/街道代码", "月份", "脱贫户及监测户数(月末)", "脱贫人口及监测对象人数(月末)",
                      "其中：家庭医生签约人数", "本月脱贫(消除风险)户数", "本月脱贫(消除风险)人数", "住院医疗总费用(元)",
                      "其中：个人自付(元)", "村卫生室数(月末)", "其中：标准化达标村卫生室数"],
                     ["T1", "2024-03", 40, 100, 90, 0, 0, 20000, 2000, 4, 3]],
        "大病专项救治": [["乡镇/街道代码", "月份", "病种", "本年累计应救治人数(月末)", "其中：已救治人数"],
                   ["T1", "2024-03", "尘肺病", 4, 3]],
        "医养结合": [["乡镇/街道代码", "月份", "机构类型", "医养结合床位数(月末)", "在住老人数(月末)", "本月新入住人数"],
                 ["T1", "2024-03", "敬老院/养老机构", 30, 24, 2]],
    }
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "乡镇月报.xlsx")
    result = load(db, tmp_path / "乡镇月报.xlsx")
    assert {name: counts["added"] for name, counts in result.totals().items()} == {
        "poverty_monitoring": 1, "serious_illness": 1, "elderly_care": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        facts = dict(con.execute("select indicator_code, numerator / coalesce(denominator, 1) from indicator_fact "
                                 "where town_code = 'T1' and month = '2024-03-01' and indicator_code in "
                                 "('poverty_fd_coverage', 'serious_illness_treatment_rate', 'eldercare_occupancy')"
                                 ).fetchall())
        disease = con.execute("select disease from serious_illness").fetchall()
    assert facts == pytest.approx({"poverty_fd_coverage": 0.9, "serious_illness_treatment_rate": 0.75,
                                   "eldercare_occupancy": 0.8})
    assert disease == [("pneumoconiosis",)]


def test_two_loads_at_once_never_interleave(db: Path, tmp_path: Path) -> None:
    reports = [write(tmp_path / f"{town}.csv", csv_bytes("public_health", [
        {"town_code": town, "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 5}]))
        for town in ("T1", "T2")]
    errors: list[BaseException] = []

    def run(report: Path) -> None:
        try:
            load(db, report)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(report,)) for report in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(loader.history(db)["batch_id"]) == [1, 2]
    stored = table(db, "public_health")
    towns = stored[stored["indicator_code"].eq("hpv_first_doses") & stored["month"].eq(pd.Timestamp(MAR))]
    assert sorted(towns["town_code"]) == ["T1", "T2"], "each load saw the other's result"


def test_a_killed_loads_leftover_copy_is_removed_by_the_next_load(db: Path, tmp_path: Path) -> None:
    leftover = db.with_name(f"{db.name}.loading-99999-deadbeef")
    leftover.write_bytes(b"half a database")
    load(db, write(tmp_path / "公共卫生.csv", csv_bytes("public_health", [
        {"town_code": "T1", "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 5}])))
    assert not leftover.exists()
    assert not list(db.parent.glob("*.loading-*"))


def test_command_line_import_dry_run_and_undo(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    report = write(tmp_path / "公共卫生.csv", csv_bytes("public_health", [
        {"town_code": "T1", "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 5}]))
    untouched = sha256(db)
    assert main(["import", str(report), "--db", str(db), "--dry-run"]) == 0
    assert "公共卫生" in capsys.readouterr().out
    assert sha256(db) == untouched

    assert main(["import", str(report), "--db", str(db), "--by", "tester"]) == 0
    out = capsys.readouterr().out
    assert "批次号 1" in out and "新增" in out
    assert main(["undo", "1", "--db", str(db)]) == 0
    assert main(["undo", "1", "--db", str(db)]) == 1
    assert "第 1 批" in capsys.readouterr().err

    assert main(["template", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "医联体监测数据上报模板.xlsx").stat().st_size > 10_000


def test_the_swapped_in_file_keeps_its_permissions_and_is_a_new_file(db: Path, tmp_path: Path) -> None:
    db.chmod(0o640)
    inode = db.stat().st_ino
    load(db, write(tmp_path / "公共卫生.csv", csv_bytes("public_health", [
        {"town_code": "T1", "month": "2024-03", "indicator_code": "hpv_first_doses", "numerator": 5}])))
    assert db.stat().st_mode & 0o777 == 0o640
    assert db.stat().st_ino != inode, "readers tell the new database by its inode (db.database_id)"


def test_undo_refuses_a_batch_whose_reports_a_later_batch_delivered_unchanged(db: Path, tmp_path: Path) -> None:
    report = write(tmp_path / "门急诊与住院服务量.csv", csv_bytes("service_volume", [
        {"facility_code": "HK1", "month": "2024-01", "outpatient_visits": 333, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1}]))
    original = volume(db, "HK1", JAN)
    load(db, report)
    again = load(db, report)
    assert again.totals()["service_volume"]["unchanged"] == 1
    unchanged = sha256(db)
    with pytest.raises(loader.LoadError) as refused:
        loader.undo(db, 1, "tester")
    assert refused.value.code == "undo_blocked"
    assert "之后的第 2 批" in refused.value.zh and "请先撤销" in refused.value.zh
    assert sha256(db) == unchanged and volume(db, "HK1", JAN) == 333
    loader.undo(db, 2, "tester")
    assert volume(db, "HK1", JAN) == 333, "undoing the batch that changed nothing changes nothing"
    loader.undo(db, 1, "tester")
    assert volume(db, "HK1", JAN) == original

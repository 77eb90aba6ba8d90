"""The data page (数据管理) as a data officer sees it, driven through AppTest on the tiny world.

Secrets are set on the AppTest (never read from a real secrets.toml): none, a PBKDF2 hash, an unusable one.
Password attempts and their lockout are tested in test_officer_lockout.py.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from healthdash.ui.officer import MIN_ITERATIONS, hash_password, verify
from tests.ingest.test_load_boundaries import shapefile_zip, square
from tests.support.app import open_data_page
from tests.support.load_world import FEB, build_tiny, csv_bytes, table
from tests.support.officer import HASH, PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("page-master") / "health.duckdb", kind="demo")


@pytest.fixture
def db(tiny_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(tiny_master, path)
    return path


def unlocked(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = open_data_page(db, monkeypatch, {"password_pbkdf2": HASH})
    at.text_input(key="data_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The table on the page that has `column` (AppTest does not keep a dataframe's key)."""
    return next(element.value for element in at.dataframe if column in element.value.columns)


def texts(at: AppTest) -> str:
    return "\n".join(element.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
                     for element in getattr(at, kind))


def test_without_a_password_hash_the_page_explains_and_stays_locked(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_data_page(db, monkeypatch)
    assert "尚未设置数据管理员密码" in at.warning[0].value
    assert any("hash_password" in block.value for block in at.code)
    assert any("[data_officer]" in block.value for block in at.code)
    assert not at.file_uploader and not at.text_input


@pytest.mark.parametrize("secrets", [
    {"password_sha256": hashlib.sha256(PASSWORD.encode()).hexdigest()},
    {"password_pbkdf2": hash_password(PASSWORD, iterations=1_000)},
])
def test_an_unsalted_or_weak_hash_keeps_the_page_locked_and_says_why(db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    secrets: dict) -> None:
    at = open_data_page(db, monkeypatch, secrets)
    assert "不可用" in at.warning[0].value and "password_sha256" in at.warning[0].value
    assert any("hash_password" in block.value for block in at.code)
    assert not at.text_input and not at.file_uploader


def test_a_wrong_password_stays_locked(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_data_page(db, monkeypatch, {"password_pbkdf2": HASH})
    at.text_input(key="data_password").set_value("guess")
    at.button[0].click().run()
    assert "密码不正确" in at.error[0].value
    assert not at.file_uploader


def test_the_right_password_opens_the_page_without_the_monitoring_filters(db: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_data_page(db, monkeypatch, {"password_pbkdf2": HASH})
    at.text_input(key="data_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert [header.value for header in at.subheader] == ["下载上报模板", "上传与校验", "导入边界（地图）", "导入记录"]
    assert [uploader.key for uploader in at.file_uploader] == ["data_files_0", "boundary_file_0"]
    assert not [box for box in at.sidebar.selectbox if str(box.key).startswith("flt_")], "no shared filters here"
    assert "还没有导入记录" in texts(at)
    assert "模拟演示数据库" in texts(at), "a demo database says what loading into it means"


def test_a_dry_run_lists_every_problem_and_shows_file_names_as_text(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = unlocked(db, monkeypatch)
    name = "<script>alert(1)</script>.csv"
    bad = csv_bytes("service_volume", [
        {"facility_code": "HK1", "month": "2024-02", "outpatient_visits": -3, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1},
        {"facility_code": "NOPE", "month": "2024-02", "outpatient_visits": 3, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1}])
    before = table(db, "service_volume")
    at.file_uploader[0].set_value([(name, bad, "text/csv")]).run()
    assert not at.exception
    assert "发现 2 个问题" in at.error[0].value
    details = frame(at, "值")
    assert list(details.columns) == ["文件", "工作表", "行", "列", "值", "问题"]
    assert list(details["文件"]) == [name, name]
    assert list(details["行"]) == ["2", "3"] and list(details["值"]) == ["-3", "NOPE"]
    assert "不能为负数" in details["问题"].iloc[0]
    assert "<script>" not in texts(at), "uploaded names never reach Markdown unescaped"
    assert "data_apply" not in [button.key for button in at.button], "nothing to load while problems remain"
    pd.testing.assert_frame_equal(table(db, "service_volume"), before)


def test_load_then_undo_from_the_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = unlocked(db, monkeypatch)
    before = table(db, "service_volume")
    report = csv_bytes("service_volume", [
        {"facility_code": "HK1", "month": "2024-02", "outpatient_visits": 777, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1}])
    at.file_uploader[0].set_value([("门急诊与住院服务量.csv", report, "text/csv")]).run()
    assert "校验通过" in at.success[0].value
    plan = frame(at, "新增")
    assert plan.iloc[0].to_dict() == {"数据表": "门急诊与住院服务量", "新增": "0", "替换": "1", "未变": "0", "删除": "0"}

    at.text_input(key="data_operator").set_value("李明")
    at.button(key="data_apply").click().run()
    assert not at.exception
    assert "已导入 1 个文件" in at.success[0].value
    stored = table(db, "service_volume")
    assert stored.loc[(stored["facility_code"] == "HK1") & (stored["month"] == pd.Timestamp(FEB)),
                      "outpatient_visits"].item() == 777
    history = frame(at, "批次")
    assert history.iloc[0][["批次", "文件", "状态", "经办人"]].tolist() == [1, "门急诊与住院服务量.csv", "已导入", "李明"]
    assert "替换 1" in history.iloc[0]["内容"]
    assert not at.file_uploader[0].value, "the uploader is cleared after a load"

    assert at.button(key="data_undo").disabled, "undo needs the confirmation first"
    at.checkbox(key="data_undo_sure").check().run()
    at.button(key="data_undo").click().run()
    assert not at.exception
    assert "已撤销第 1 批" in at.success[0].value
    pd.testing.assert_frame_equal(table(db, "service_volume"), before)
    statuses = frame(at, "批次")["状态"].tolist()
    assert statuses == ["撤销操作", "已撤销"]


def workbook(*sheets: tuple[str, list[list[object]]], change=None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if change:
        change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VOLUME_ROWS = [["机构代码", "月份", "门急诊人次", "出院人次", "急危重症救治例数", "住院医疗费用(元)"],
               ["HK1", "2024-02", 777, 1, 0, 1]]


def test_a_workbook_with_a_note_sheet_passes_and_the_sheet_is_named(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = unlocked(db, monkeypatch)
    data = workbook(("门急诊与住院服务量", VOLUME_ROWS), ("备注", [["本月由信息科汇总"]]))
    at.file_uploader[0].set_value([("二月.xlsx", data, XLSX)]).run()
    assert not at.exception
    assert "校验通过" in at.success[0].value
    assert "已忽略工作表：备注（" in texts(at)


def test_a_workbook_bomb_is_refused_on_the_page_and_nothing_changes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = unlocked(db, monkeypatch)
    before = table(db, "service_volume")
    data = workbook(("门急诊与住院服务量", VOLUME_ROWS), change=lambda book: book.active.cell(1048576, 1, " "))
    at.file_uploader[0].set_value([("二月.xlsx", data, XLSX)]).run()
    assert not at.exception
    assert "发现 1 个问题" in at.error[0].value
    problem = frame(at, "值")["问题"].iloc[0]
    assert problem.startswith("无法读取") and "A1048576" in problem
    assert "data_apply" not in [button.key for button in at.button]
    pd.testing.assert_frame_equal(table(db, "service_volume"), before)


def test_the_page_in_english(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = unlocked(db, monkeypatch)
    # The language widget's state: AppTest's switch_page runs do not pass ?lang to app.py's first lines.
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert [header.value for header in at.subheader] == ["Report template", "Upload and check", "Load boundaries (maps)", "Load history"]


@pytest.mark.parametrize(
    ("settings", "password", "expected"),
    [
        ({"password_pbkdf2": hash_password("s3cret", iterations=MIN_ITERATIONS)}, "s3cret", True),
        ({"password_pbkdf2": hash_password("s3cret", iterations=MIN_ITERATIONS)}, "S3cret", False),
        ({"password_pbkdf2": hash_password("s3cret", iterations=MIN_ITERATIONS - 1)}, "s3cret", False),
        ({"password_pbkdf2": f"pbkdf2_sha256${MIN_ITERATIONS}$zz$00"}, "s3cret", False),
        ({"password_pbkdf2": f"pbkdf2_sha256${MIN_ITERATIONS}$$00"}, "s3cret", False),
        ({"password_pbkdf2": f"md5${MIN_ITERATIONS}$00$00"}, "s3cret", False),
        ({"password_sha256": hashlib.sha256(b"s3cret").hexdigest()}, "s3cret", False),
        ({}, "", False),
    ],
)
def test_password_check(settings: dict, password: str, expected: bool) -> None:
    assert verify(password, settings) is expected


def test_a_zipped_shapefile_loads_and_is_undone_from_the_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer uploads a county's outline as a zipped shapefile, loads it, sees it in the history and
    undoes it with the same control as a report load: the outline is gone again."""
    with duckdb.connect(str(db)) as con:
        con.execute("update region set adcode = '510321' where code = 'K1'")
    at = unlocked(db, monkeypatch)
    raw = shapefile_zip([("510321", square(104.3, 29.3, 0.2))])
    at.file_uploader(key="boundary_file_0").set_value(("乙县.zip", raw, "application/zip")).run()
    assert not at.exception and "乙县" in at.success[0].value
    at.button(key="boundary_apply").click().run()
    assert not at.exception and "第 1 批" in at.success[0].value
    outlines = "select count(*) from region_boundary where adcode = '510321'"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(outlines).fetchone()[0] == 1
    history = frame(at, "批次")
    assert history.iloc[0][["文件", "状态", "内容"]].tolist() == ["乙县.zip", "已导入", "边界：新增 1 · 替换 0"]

    at.checkbox(key="data_undo_sure").check().run()
    at.button(key="data_undo").click().run()
    assert not at.exception and "已撤销第 1 批" in at.success[0].value
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(outlines).fetchone()[0] == 0
    assert frame(at, "批次")["状态"].tolist() == ["撤销操作", "已撤销"]

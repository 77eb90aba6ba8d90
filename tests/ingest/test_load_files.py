"""A corpus of bad files, each refused with the right message while the database stays byte-for-byte the
same. The files are written by the tests from the database's own codes (the template's example rows, on
the tiny world of tests/support/load_world.py), each with one thing wrong."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from healthdash.cli import main
from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.db import open_readonly
from healthdash.ingest import loader
from healthdash.ingest.template import example_rows
from healthdash.ingest.validate import Reference
from tests.support.load_world import build_tiny, csv_bytes, sha256
from tests.support.refusals import assert_refused_with

TODAY = date.today()
NEXT_MONTH = (TODAY.replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("corpus") / "health.duckdb")


@dataclass
class World:
    """Valid rows and codes of the database, to build files with exactly one thing wrong."""

    rows: dict[str, dict[str, object]]
    same_town_villages: tuple[str, str]
    outsider: str          # a facility that is not a member of the example alliance

    def row(self, table: str, **changes: object) -> dict[str, object]:
        return {**self.rows[table], **changes}


@pytest.fixture(scope="module")
def world(db: Path) -> World:
    with open_readonly(db) as con:
        reference = Reference.load(con)
        rows = example_rows(reference, TODAY)
    villages = reference.facilities[reference.facilities["tier"].eq("village")]
    town = villages["town_code"].value_counts().index[0]
    pair = villages.loc[villages["town_code"].eq(town), "code"].head(2).tolist()
    alliance = rows["alliance_activity"]["alliance_code"]
    members = set(reference.members.loc[reference.members["alliance_code"].eq(alliance), "facility_code"])
    outsider = next(code for code in reference.facilities.loc[reference.facilities["in_scope"], "code"]
                    if code not in members)
    return World(rows, (pair[0], pair[1]), outsider)


def workbook(sheet: str, rows: list[list[object]], change: Callable | None = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if change:
        change(ws)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def volume_sheet(world: World) -> list[list[object]]:
    spec = TABLES_BY_NAME["service_volume"]
    row = world.rows["service_volume"]
    return [[column.zh for column in spec.columns], [row[name] for name in spec.names]]


def csv_of(table: str, *rows: dict[str, object], encoding: str = "utf-8") -> bytes:
    return csv_bytes(table, list(rows), encoding)


@dataclass
class Case:
    name: str                         # file name
    build: Callable[[World], bytes]
    code: str                         # the problem it must raise
    phrase: str                       # words of the Chinese message
    row: int | None = None
    column: str | None = None
    limit_mb: float | None = None


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


CASES = [
    Case("empty.csv", lambda w: b"", "empty_file", "文件是空的"),
    Case("blank.xlsx", lambda w: b"   \n", "empty_file", "文件是空的"),
    Case("门急诊与住院服务量_空.csv", lambda w: "机构代码,月份,门急诊人次,出院人次,急危重症救治例数,住院医疗费用(元)\n".encode(),
         "no_data", "没有数据行"),
    Case("template_examples_only.xlsx", lambda w: workbook("门急诊与住院服务量", [
        volume_sheet(w)[0], [f"示例 {w.rows['service_volume']['facility_code']}", *volume_sheet(w)[1][1:]]]),
         "no_data", "没有数据行"),
    Case("big.csv", lambda w: csv_of("service_volume", *[w.row("service_volume")] * 200), "too_large", "超过上限",
         limit_mb=0.001),
    Case("text_renamed.xlsx", lambda w: csv_of("service_volume", w.row("service_volume")), "not_workbook_content",
         "内容不是 Excel"),
    Case("zip_renamed.xlsx", lambda w: _zip_without_workbook(), "not_workbook_content", "内容不是 Excel"),
    Case("workbook_renamed.csv", lambda w: workbook("门急诊与住院服务量", volume_sheet(w)), "csv_is_workbook", "文件内容是 Excel 工作簿"),
    Case("picture.csv", lambda w: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "csv_binary", "不是文本"),
    Case("damaged.xls", lambda w: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "not_workbook", "无法读取"),
    Case("report.pdf", lambda w: b"%PDF-1.4\n", "unsupported_type", "不支持的文件类型"),
    Case("bad_bytes.csv", lambda w: csv_of("service_volume", w.row("service_volume")) + b"\xff\xfe\xff\n",
         "csv_encoding", "无法识别文件的文字编码"),
    Case("big5.csv", lambda w: "機構代碼,月份,門急診人次,出院人次,急危重症救治例數,住院醫療費用(元)\nH1,2024-01,1,1,1,1\n".encode(
        "big5"), "csv_encoding_hint", "编码"),
    Case("formula_without_result.xlsx", lambda w: workbook("门急诊与住院服务量", volume_sheet(w),
                                                           lambda ws: ws.__setitem__("C2", "=1000*42")),
         "formula_no_result", "没有保存它的计算结果", row=2),
    Case("merged_header.xlsx", lambda w: workbook("门急诊与住院服务量", [["2024年6月门急诊报表"], *volume_sheet(w)],
                                                  lambda ws: ws.merge_cells("A1:F1")),
         "merged_header", "表头有合并单元格", row=1),
    Case("merged_cells.xlsx", lambda w: workbook("门急诊与住院服务量", [*volume_sheet(w), volume_sheet(w)[1]],
                                                 lambda ws: ws.merge_cells("A2:A3")),
         "merged_cells", "合并单元格", row=2),
    Case("missing_month.csv", lambda w: csv_of("service_volume", {k: v for k, v in w.row("service_volume").items()
                                                                   if k != "month"}),
         "missing_column", "缺少必填列「月份」"),
    Case("two_month_columns.csv", lambda w: csv_bytes("service_volume", [w.row("service_volume")], headers=[
        "机构代码", "月份", "门急诊人次", "出院人次", "急危重症救治例数", "month"]), "duplicate_column", "只保留一列"),
    Case("whatever.csv", lambda w: b"name,age\nx,1\n", "unknown_table", "无法识别是哪张表"),
    Case("双向转诊.csv", lambda w: csv_of("service_volume", w.row("service_volume")), "table_mismatch", "放错了表"),
    Case("ragged.csv", lambda w: csv_of("service_volume", w.row("service_volume")) + b"H1,2024-01,1\n",
         "csv_columns", "与表头的 6 列不一致", row=3),
    Case("negative.csv", lambda w: csv_of("service_volume", w.row("service_volume"),
                                          w.row("service_volume", outpatient_visits=-5, facility_code="x")),
         "negative", "不能为负数", row=3, column="门急诊人次"),
    Case("fraction.csv", lambda w: csv_of("service_volume", w.row("service_volume", critical_cases="2.5")),
         "not_integer", "非负整数", row=2, column="急危重症救治例数"),
    Case("text_amount.csv", lambda w: csv_of("service_volume", w.row("service_volume", inpatient_spending="约一百万")),
         "not_number", "应为数字", row=2, column="住院医疗费用(元)"),
    Case("huge.csv", lambda w: csv_of("service_volume", w.row("service_volume", outpatient_visits="3000000000")),
         "too_big", "数值过大", row=2, column="门急诊人次"),
    Case("blank_cell.csv", lambda w: csv_of("service_volume", w.row("service_volume", inpatient_discharges="")),
         "required", "必填", row=2, column="出院人次"),
    Case("bad_month.csv", lambda w: csv_of("service_volume", w.row("service_volume", month="2024-13")),
         "bad_month", "不是有效的月份", row=2, column="月份"),
    Case("future_month.csv", lambda w: csv_of("service_volume", w.row("service_volume", month=NEXT_MONTH)),
         "future_month", "晚于当前月份", row=2, column="月份"),
    Case("unknown_facility.csv", lambda w: csv_of("service_volume", w.row("service_volume", facility_code="H000")),
         "unknown_facility", "机构代码不存在", row=2, column="机构代码"),
    Case("duplicate.csv", lambda w: csv_of("service_volume", w.row("service_volume"), w.row("service_volume")),
         "duplicate_key", "与第 2 行重复", row=3),
    Case("unknown_county.csv", lambda w: csv_of("resident_care", w.row("resident_care", county_code="999999")),
         "unknown_county", "区县代码", row=2, column="区县代码"),
    Case("income_in_wan.csv", lambda w: csv_of("staff_income", w.row("staff_income", lead_avg_income="14800000")),
         "too_big", "数值过大", row=2, column="牵头医院人员平均收入(元/人·年)"),
    Case("bad_setting.csv", lambda w: csv_of("resident_care", w.row("resident_care", setting="急诊")),
         "bad_choice", "不是可选值", row=2, column="就诊类型"),
    Case("future_date.csv", lambda w: csv_of("referral", w.row("referral", referral_date=TOMORROW)),
         "future_date", "晚于今天", row=2, column="转诊日期"),
    Case("month_for_date.csv", lambda w: csv_of("referral", w.row("referral", referral_date="2024-06")),
         "bad_date", "完整日期", row=2, column="转诊日期"),
    Case("same_facility.csv", lambda w: csv_of("referral", w.row("referral", to_facility=w.rows["referral"]["from_facility"])),
         "same_facility", "相同", row=2),
    Case("wrong_direction.csv", lambda w: csv_of("referral", w.row("referral", direction="下转")),
         "direction_mismatch", "应为「上转」", row=2, column="转诊方向"),
    Case("same_tier.csv", lambda w: csv_of("referral", w.row("referral", from_facility=w.same_town_villages[0],
                                                               to_facility=w.same_town_villages[1])),
         "referral_not_allowed", "不能登记转诊", row=2),
    Case("bad_flag.csv", lambda w: csv_of("referral", w.row("referral", green_channel="也许")),
         "bad_flag", "是", row=2, column="绿色通道"),
    Case("unknown_alliance.csv", lambda w: csv_of("alliance_activity", w.row("alliance_activity", alliance_code="A999")),
         "unknown_alliance", "医联体代码不存在", row=2, column="医联体代码"),
    Case("not_member.csv", lambda w: csv_of("alliance_activity", w.row("alliance_activity", facility_code=w.outsider)),
         "not_member", "不是所填医联体的成员", row=2),
    Case("concordance.csv", lambda w: csv_of("shared_service", w.row("shared_service", concordant=41)),
         "numerator_exceeds", "不能大于", row=2, column="诊断符合例数"),
    Case("licensed_above_in_post.csv", lambda w: csv_of("workforce_register", w.row(
        "workforce_register", village_doctors=2, village_doctors_licensed=3)),
         "numerator_exceeds", "不能大于", row=2, column="其中：持有效执业注册的乡村医生数"),
    Case("physicians_negative.csv", lambda w: csv_of("workforce_register", w.row("workforce_register", physicians=-1)),
         "negative", "不能为负数", row=2, column="执业（助理）医师数"),
    Case("identified_above_sent.csv", lambda w: csv_of("pathogen_test", w.row("pathogen_test", cases_identified=47)),
         "numerator_exceeds", "不能大于", row=2, column="鉴定完成例数"),
    Case("pathogen_not_member.csv", lambda w: csv_of("pathogen_test", w.row("pathogen_test", facility_code=w.outsider)),
         "not_member", "不是所填医联体的成员", row=2),
    Case("unknown_town.csv", lambda w: csv_of("public_health", w.row("public_health", town_code="999999999")),
         "unknown_town", "乡镇/街道代码", row=2, column="乡镇/街道代码"),
    Case("unknown_indicator.csv", lambda w: csv_of("public_health", w.row("public_health", indicator_code="bmi")),
         "unknown_indicator", "指标代码", row=2, column="指标代码"),
    Case("rate_over_100.csv", lambda w: csv_of("public_health", w.row("public_health", numerator=2001)),
         "numerator_exceeds", "不能大于", row=2, column="分子(或数量)"),
    Case("rate_without_denominator.csv", lambda w: csv_of("public_health", w.row("public_health", denominator="")),
         "denominator_required", "必须填写分母", row=2, column="分母"),
    Case("out_of_pocket_over_bills.csv", lambda w: csv_of("poverty_monitoring", w.row("poverty_monitoring",
                                                                                     out_of_pocket=300000)),
         "numerator_exceeds", "不能大于", row=2, column="其中：个人自付(元)"),
    Case("unknown_disease.csv", lambda w: csv_of("serious_illness", w.row("serious_illness", disease="感冒")),
         "bad_choice", "不是可选值", row=2, column="病种"),
    Case("residents_over_beds.csv", lambda w: csv_of("elderly_care", w.row("elderly_care", residents=21)),
         "numerator_exceeds", "不能大于", row=2, column="在住老人数(月末)"),
    Case("count_with_denominator.csv", lambda w: csv_of("public_health", w.row("public_health",
                                                                               indicator_code="hpv_first_doses")),
         "denominator_for_count", "不填分母", row=2, column="分母"),
]


def test_the_corpus_covers_at_least_25_kinds_of_bad_file() -> None:
    assert len(CASES) >= 25
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_file_is_refused_with_its_problem_and_the_database_is_unchanged(
    case: Case, world: World, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.build(world))
    before = sha256(db)
    result = loader.apply(db, loader.read_paths([path], case.limit_mb), "tester")
    assert not result.applied
    assert sha256(db) == before
    found = result.checked.problems
    assert_refused_with(found, path, case.code, case.phrase, case.row, case.column)


def test_every_problem_of_a_file_is_listed_not_only_the_first(world: World, db: Path, tmp_path: Path) -> None:
    rows = [world.row("service_volume", outpatient_visits=-1),
            world.row("service_volume", facility_code="H000", month="2024-02"),
            world.row("service_volume", month="June", critical_cases="x")]
    path = tmp_path / "several.csv"
    path.write_bytes(csv_of("service_volume", *rows))
    found = loader.dry_run(db, loader.read_paths([path])).checked.problems
    assert sorted(zip(found["row"], found["code"], strict=True)) == [
        (2, "negative"), (3, "unknown_facility"), (4, "bad_month"), (4, "not_integer")]


def test_a_bad_file_spoils_the_whole_load(world: World, db: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_of("public_health", world.row("public_health")))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of("service_volume", world.row("service_volume", outpatient_visits=-1)))
    before = sha256(db)
    result = loader.apply(db, loader.read_paths([good, bad]), "tester")
    assert not result.applied and set(result.checked.problems["file"]) == {str(bad)}
    assert sha256(db) == before


def test_the_same_facility_month_in_two_files_is_refused(world: World, db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(csv_of("service_volume", world.row("service_volume")))
    second.write_bytes(csv_of("service_volume", world.row("service_volume", outpatient_visits=1)))
    found = loader.dry_run(db, loader.read_paths([first, second])).checked.problems
    assert list(found["code"]) == ["scope_in_two_files"]
    assert found["file"].iloc[0] == str(second) and str(first) in found["message_zh"].iloc[0]


def test_the_command_line_lists_problems_and_exits_1(world: World, db: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_of("service_volume", world.row("service_volume", outpatient_visits=-7)))
    before = sha256(db)
    report = tmp_path / "problems.csv"
    assert main(["import", str(path), "--db", str(db), "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "第2行" in err and "门急诊人次" in err and "'-7'" in err and "不能为负数" in err and "negative" in err
    assert sha256(db) == before
    listed = pd.read_csv(report, encoding="utf-8-sig")
    assert list(listed["code"]) == ["negative"]

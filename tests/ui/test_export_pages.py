"""Every file a page offers stands alone: opened from the pages as a user opens them (AppTest on the demo), each
download is made as a click would make it and read back — the title block (view, place, period, comparison,
数据截至, 模拟演示数据), numbers as numbers in number formats, pass/fail as words, file names with place and
period, in Chinese and English. Then hostile values: a problem list, a load report and a template with
names that spreadsheets would take for formulas read back without a formula.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager

from healthdash.cli import main
from healthdash.core import exports
from healthdash.core.fmt import fmt_month
from healthdash.ui.officer import MIN_ITERATIONS, hash_password
from tests.support import load_world
from tests.support.app import open_data_page, open_page
from tests.support.load_world import build_tiny
from tests.support.load_world import csv_bytes as report_csv
from tests.support.places import region_code
from tests.support.reading import execute

HOSTILE = ['=HYPERLINK("http://x","点击")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-1+2", "\t=1"]
H1_2024 = {"period": "custom", "from": "2024-01", "to": "2024-06"}
STEM = "雅安市名山区_2024年1-6月"

Files = dict[str, Callable[[], bytes | str]]


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> Files:
    """Every file the pages offer, by file name: what a click on its download button fetches."""
    offered: Files = {}
    deferred, eager = MediaFileManager.add_deferred, MediaFileManager.add

    def add_deferred(self: MediaFileManager, data: Callable, mimetype: str | None, coordinates: str,
                     file_name: str | None = None, **kwargs: object) -> str:
        offered[str(file_name)] = data
        return deferred(self, data, mimetype, coordinates, file_name, **kwargs)

    def add(self: MediaFileManager, data: bytes | str, mimetype: str, coordinates: str, file_name: str | None = None,
            is_for_static_download: bool = False) -> str:
        if file_name:
            offered[file_name] = lambda: data
        return eager(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add)
    return offered


def county(db: Path, name: str) -> dict[str, str]:
    return {"county": region_code(db, name)}


def as_of(db: Path, lang: str = "zh") -> str:
    """The latest month with data, as the title block names it."""
    with duckdb.connect(str(db), read_only=True) as con:
        return fmt_month(execute(con, "data_months")["last_month"].iloc[0], lang=lang)


def one(files: Files, suffix: str, prefix: str = "") -> tuple[str, bytes | str]:
    """The one offered file whose name starts with `prefix` and ends with `suffix`, made."""
    names = [name for name in files if name.startswith(prefix) and name.endswith(suffix)]
    assert len(names) == 1, (suffix, sorted(files))
    return names[0], files[names[0]]()


def title_rows(sheet: Worksheet) -> tuple[list[str], int]:
    """The title block's lines above the frozen header, and the header's row number."""
    header = int(sheet.freeze_panes[1:]) - 1
    lines = [sheet.cell(row, 1).value for row in range(1, header)]
    assert lines[-1] is None, "a blank row between the title block and the header"
    return lines[:-1], header


def zh_block(db: Path, view: str) -> list[str]:
    return [view, "地区：雅安市 · 名山区", "时间：2024年1–6月", "对比：同比（对比期 2023年1–6月）",
            f"数据截至：{as_of(db)}",
            "模拟演示数据：本文件的数字为按种子报告校准生成的模拟数据，仅供演示，不代表任何地区的真实统计。"]


def csv_rows(data: bytes | str) -> list[list[str]]:
    assert isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# ------------------------------------------------------------------------------------------ the pages


def test_overview_ranking_and_attention_files_stand_alone(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                          files: Files) -> None:
    open_page(demo_db, monkeypatch, "pages/overview.py", county(demo_db, "名山区") | H1_2024)

    name, data = one(files, f"排名_{STEM}.xlsx")
    view = name.split("_")[0]
    sheet = load_workbook(io.BytesIO(data)).active
    lines, header = title_rows(sheet)
    assert lines == zh_block(demo_db, view)
    headers = [cell.value for cell in sheet[header]]
    assert headers[0] == "乡镇/街道" and headers[2:] == ["目标（≥）", "达标情况"]
    assert all(cell.font.b for cell in sheet[header])
    values = [sheet.cell(row, 2) for row in range(header + 1, sheet.max_row + 1)]
    assert len(values) == 13, "名山区's 13 towns and streets"
    assert all(cell.data_type == "n" and cell.number_format == "0.0%" and 0 < cell.value <= 1 for cell in values)
    targets = {sheet.cell(row, 3).value for row in range(header + 1, sheet.max_row + 1)}
    assert len(targets) == 1 and isinstance(targets.pop(), float), "the target is a number, not 目标 ≥65%"
    words = {sheet.cell(row, 4).value for row in range(header + 1, sheet.max_row + 1)}
    assert words <= {"达标", "未达标"} and words

    rows = csv_rows(one(files, f"{view}_{STEM}.csv")[1])
    assert [row[0] for row in rows[:6]] == zh_block(demo_db, view) and rows[6] == []
    assert rows[7][1].endswith("（%）") and rows[7][2] == "目标（≥，%）"
    assert all(0 < float(row[1]) <= 100 for row in rows[8:]), "percentages as numbers"

    svg = one(files, f"{view}_{STEM}.svg")[1]
    assert isinstance(svg, str)
    ET.fromstring(svg)
    for text in (view, "雅安市 · 名山区", "2024年1–6月 · 同比（对比期 2023年1–6月）", f"数据截至 {as_of(demo_db)} · 模拟演示数据"):
        assert text in svg
    png = Image.open(io.BytesIO(one(files, f"{view}_{STEM}.png")[1]))
    assert png.format == "PNG" and png.size[0] == 2400

    attention = load_workbook(io.BytesIO(one(files, f"需要关注_{STEM}.xlsx")[1])).active
    lines, header = title_rows(attention)
    assert lines == zh_block(demo_db, "需要关注")
    assert [cell.value for cell in attention[header]] == ["单位", "指标", "计量单位", "当前值", "目标", "差距"]
    for row in range(header + 1, attention.max_row + 1):
        unit, value, gap = (attention.cell(row, column) for column in (3, 4, 6))
        assert value.data_type == "n" and gap.data_type == "n"
        if unit.value == "%":
            assert (value.number_format, gap.number_format) == ("0.0%", '0.0"个百分点"')
    assert f"医联体运行监测简报_{STEM}.pdf" in files


def test_english_csv_has_the_target_in_its_target_column(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                         files: Files) -> None:
    open_page(demo_db, monkeypatch, "pages/overview.py", county(demo_db, "名山区") | H1_2024, lang="en")
    _, data = one(files, "_雅安市-名山区_Jan-Jun-2024.csv", prefix="Ranking-by-")
    rows = csv_rows(data)
    assert rows[1:5] == [["Place: 雅安市 · 名山区"], ["Period: Jan–Jun 2024"],
                         ["Comparison: Year on year (base period Jan–Jun 2023)"], [f"Data as of: {as_of(demo_db, 'en')}"]]
    assert rows[5][0].startswith("Simulated demo data")
    header = rows[7]
    assert header[2:] == ["Target (≥, %)", "Status"]
    assert {float(row[2]) for row in rows[8:]} in ({65.0}, {75.0}, {90.0}, {70.0}), "the target, not Met/Not met"
    assert {row[3] for row in rows[8:]} <= {"Met", "Not met"}


def test_public_health_scorecard_and_towns_below_target(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                        files: Files) -> None:
    open_page(demo_db, monkeypatch, "pages/public_health.py", county(demo_db, "名山区") | H1_2024)

    book = load_workbook(io.BytesIO(one(files, f"公共卫生记分卡_{STEM}.xlsx")[1]))
    sheet = book.worksheets[0]
    lines, header = title_rows(sheet)
    assert lines == zh_block(demo_db, "公共卫生记分卡")
    headers = [cell.value for cell in sheet[header]]
    coverage = headers.index("家庭医生签约率（%，目标 ≥75%）") + 1
    assert headers[coverage] == "签约率达标情况"
    for row in range(header + 1, sheet.max_row + 1):
        value, word = sheet.cell(row, coverage), sheet.cell(row, coverage + 1)
        assert value.data_type == "n" and value.number_format == "0.0%"
        assert word.value == ("达标" if value.value >= 0.75 else "未达标（差距大）" if value.value < 0.65 else "未达标")
        assert word.fill.start_color.rgb == value.fill.start_color.rgb, "the word carries its band's colour"

    name, data = one(files, f"未达标乡镇_家庭医生签约率_{STEM}.csv")
    rows = csv_rows(data)
    assert rows[7] == ["乡镇/街道", "当前值（%）", "目标（%）", "差距（个百分点）", "还需新增签约（人）", "达标情况"]
    for row in rows[8:]:
        value, target, gap, people = float(row[1]), float(row[2]), float(row[3]), int(row[4])
        assert target == 75.0 and value < target and gap == pytest.approx(target - value, abs=0.02) and people > 0
        assert row[5] in ("未达标", "未达标（差距大）")


def test_whatif_files_carry_the_levers_and_numbers(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                   files: Files) -> None:
    open_page(demo_db, monkeypatch, "pages/whatif.py", county(demo_db, "名山区") | H1_2024 | {"back": "20"})
    sheet = load_workbook(io.BytesIO(one(files, f"推演前后对比_{STEM}.xlsx")[1])).active
    lines, header = title_rows(sheet)
    assert lines[:5] == zh_block(demo_db, "推演前后对比")[:5]
    assert lines[5] == "政策杠杆：县外住院和转诊回流县内 20%；县级医院门诊下沉基层 0%；下转人次增加 0%"
    assert lines[-1].startswith("模拟演示数据")
    headers = [cell.value for cell in sheet[header]]
    assert headers == ["指标", "计量单位", "推演前", "推演后", "变化", "目标方向", "目标", "推演前达标", "推演后达标"]
    rows = {sheet.cell(row, 1).value: [sheet.cell(row, column) for column in range(1, 10)]
            for row in range(header + 1, sheet.max_row + 1)}
    retention = rows["县域内就诊率"]
    assert [cell.number_format for cell in retention[2:5]] == ["0.0%", "0.0%", '0.0"个百分点"']
    assert retention[3].value > retention[2].value and retention[4].value > 0
    assert (retention[5].value, retention[6].value) == ("≥", 0.9)
    assert retention[8].value in ("达标", "未达标")
    referrals = rows["县外转诊人次"]
    assert referrals[2].number_format == "#,##0" and referrals[4].number_format == "+0.0%;-0.0%;0.0%"
    assert referrals[4].value < 0, "bringing patients back lowers out-of-county referrals: a negative number"
    assert f"区县排名_县域内就诊率_{STEM}.svg" in files


def test_referral_table_keeps_counts_and_rates_as_numbers(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                          files: Files) -> None:
    open_page(demo_db, monkeypatch, "pages/referrals.py", county(demo_db, "名山区") | H1_2024)
    sheet = load_workbook(io.BytesIO(one(files, f"机构转诊明细_{STEM}.xlsx")[1])).active
    lines, header = title_rows(sheet)
    assert lines == zh_block(demo_db, "机构转诊明细")
    headers = [cell.value for cell in sheet[header]]
    first = header + 1
    assert sheet.cell(first, headers.index("上转") + 1).number_format == "#,##0"
    rate = sheet.cell(first, headers.index("县外转诊率（%）") + 1)
    assert rate.number_format == "0.0%" and (rate.value is None or 0 <= rate.value <= 1)
    rows = csv_rows(one(files, f"机构转诊明细_{STEM}.csv")[1])
    assert rows[7] == headers
    rates = [float(row[headers.index("县外转诊率（%）")]) for row in rows[8:] if row[headers.index("县外转诊率（%）")]]
    assert rates and max(rates) > 1, "the CSV writes rates in percent, as its header says"


# ------------------------------------------------------------------------------------------ hostile values


def no_formula_in_csv(rows: list[list[str]]) -> None:
    assert not [cell for row in rows for cell in row if exports.is_formula_like(cell)]


def test_the_problem_list_of_the_data_page_repeats_hostile_values_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: Files
) -> None:
    db = build_tiny(tmp_path / "health.duckdb", kind="demo")
    at = open_data_page(db, monkeypatch, {"password_pbkdf2": hash_password("pw", iterations=MIN_ITERATIONS)})
    at.text_input(key="data_password").set_value("pw")
    at.button[0].click().run()
    rows = [{"facility_code": code, "month": "2024-02", "outpatient_visits": 1, "inpatient_discharges": 1,
             "critical_cases": 0, "inpatient_spending": 1} for code in HOSTILE]
    rows.append({"facility_code": "HK1", "month": "2024-02", "outpatient_visits": -3, "inpatient_discharges": 1,
                 "critical_cases": 0, "inpatient_spending": 1})
    at.file_uploader[0].set_value([("@SUM(A1).csv", report_csv("service_volume", rows), "text/csv")]).run()
    assert not at.exception and "问题" in at.error[0].value
    rows = csv_rows(one(files, "导入问题清单.csv")[1])
    no_formula_in_csv(rows)
    values = [row[rows[0].index("value")] for row in rows[1:]]
    assert "'" + HOSTILE[0] in values and "'" + HOSTILE[1] in values
    assert "-3" in values, "a negative count is repeated as the number it is"
    assert {row[0] for row in rows[1:]} == {"'@SUM(A1).csv"}


def test_the_load_report_repeats_hostile_values_as_text(tmp_path: Path) -> None:
    db = build_tiny(tmp_path / "health.duckdb")
    source = tmp_path / "门急诊与住院服务量.csv"
    source.write_bytes(report_csv("service_volume", [
        {"facility_code": code, "month": "2024-02", "outpatient_visits": 1, "inpatient_discharges": 1,
         "critical_cases": 0, "inpatient_spending": 1} for code in HOSTILE]))
    report = tmp_path / "问题.csv"
    assert main(["import", str(source), "--db", str(db), "--report", str(report)]) == 1
    rows = csv_rows(report.read_bytes())
    no_formula_in_csv(rows)
    assert "'" + HOSTILE[0] in [row[rows[0].index("value")] for row in rows[1:]]


def test_a_template_with_hostile_names_has_no_formula_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = HOSTILE + list(load_world.FACILITIES["name"][len(HOSTILE):])
    monkeypatch.setattr(load_world, "FACILITIES", load_world.FACILITIES.assign(name=names))
    db = build_tiny(tmp_path / "health.duckdb")
    assert main(["template", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    book = load_workbook(next((tmp_path / "out").glob("*.xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
    names = [cell.value for cell in cells if cell.quotePrefix]
    assert set(HOSTILE) <= set(names), "every hostile name is there, as text"

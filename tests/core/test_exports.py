"""Table downloads: CSV that Excel on Chinese Windows opens correctly, XLSX with Chinese headers and real
numbers; and the ICD-10 chapter names they carry."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from healthdash.core import exports
from healthdash.core.icd10 import CHAPTERS, chapter_name

TABLE = pd.DataFrame({
    "机构": ["鹿寨县人民医院", "鹿寨县中渡镇卫生院"],
    "上转": [1234, 56],
    "县外转诊率（%）": [12.5, float("nan")],
})


def test_csv_starts_with_a_byte_order_mark_and_reads_back() -> None:
    data = exports.csv_bytes(TABLE)
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "机构,上转,县外转诊率（%）"
    assert "\r\n" in text
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(TABLE.columns)
    assert back["上转"].tolist() == [1234, 56]


def test_xlsx_keeps_chinese_headers_numbers_and_empty_cells() -> None:
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(TABLE, "机构转诊明细")))
    sheet = book.active
    assert sheet.title == "机构转诊明细"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("机构", "上转", "县外转诊率（%）")
    assert rows[1] == ("鹿寨县人民医院", 1234, 12.5)
    assert rows[2][2] is None, "a missing rate is an empty cell, not 'nan'"
    assert isinstance(rows[1][1], int)
    assert sheet.freeze_panes == "A2"
    # Chinese characters are two cells wide: the name column is wide enough to read.
    assert sheet.column_dimensions["A"].width >= 2 * len("鹿寨县中渡镇卫生院")


def test_xlsx_sheet_names_excel_rejects_are_made_safe() -> None:
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(TABLE, "转诊/上转:下转?" + "很长" * 20)))
    title = book.active.title
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_every_icd10_chapter_has_a_chinese_and_an_english_name() -> None:
    assert len(CHAPTERS) == 22
    assert chapter_name("IX") == "循环系统疾病"
    assert chapter_name("II") == "肿瘤"
    assert chapter_name("IX", lang="en") == "Diseases of the circulatory system"
    assert chapter_name("XXIII") == "XXIII", "an unknown code is shown, not hidden"
    assert all(chapter.zh and chapter.en for chapter in CHAPTERS.values())


# ------------------------------------------------------------------------------------------ title block

BLOCK = exports.TitleBlock(
    view="县域内就诊率排名", places=("雅安市", "名山区"), scope=(), period="2024年1–6月", comparison="同比",
    base_period="2023年1–6月", as_of="2024年6月", demo=True,
)
RANKING = pd.DataFrame({"乡镇/街道": ["蒙阳街道", "百丈镇"], "基层就诊占比": [0.972, 0.6],
                        "目标（≥）": [0.65, 0.65], "诊疗人次": [12_345, 0], "达标情况": ["达标", "未达标"]})
KINDS = {"基层就诊占比": exports.PERCENT, "目标（≥）": exports.PERCENT, "诊疗人次": exports.COUNT}


def test_a_title_block_names_view_place_period_comparison_data_date_and_demo() -> None:
    assert BLOCK.lines() == [
        "县域内就诊率排名", "地区：雅安市 · 名山区", "时间：2024年1–6月", "对比：同比（对比期 2023年1–6月）",
        "数据截至：2024年6月",
        "模拟演示数据：本文件的数字为按种子报告校准生成的模拟数据，仅供演示，不代表任何地区的真实统计。",
    ]
    production = replace(BLOCK, demo=False)
    assert not any("模拟" in line for line in production.lines() + production.subtitle())
    english = replace(BLOCK, view="Ranking by primary-care share", comparison="Year on year",
                      period="Jan–Jun 2024", base_period="Jan–Jun 2023", as_of="Jun 2024", lang="en")
    assert english.lines()[1:5] == ["Place: 雅安市 · 名山区", "Period: Jan–Jun 2024",
                                    "Comparison: Year on year (base period Jan–Jun 2023)", "Data as of: Jun 2024"]
    assert english.lines()[5].startswith("Simulated demo data")


@pytest.mark.parametrize(
    ("block", "extension", "expected"),
    [
        (BLOCK, "xlsx", "县域内就诊率排名_雅安市名山区_2024年1-6月.xlsx"),
        (replace(BLOCK, places=("全部地市",), period="2024年"), "csv", "县域内就诊率排名_全部地市_2024年.csv"),
        (replace(BLOCK, view="下转/上转比排名", places=("自贡市", "自流井区", "A:B*C?"),
                 period="2023年11月–2024年2月"), "png", "下转-上转比排名_自贡市自流井区A-B-C_2023年11月-2024年2月.png"),
        (replace(BLOCK, view="Ranking by down/up ratio", places=("雅安市", "名山区"), period="Jan–Jun 2024",
                 lang="en"), "svg", "Ranking-by-down-up-ratio_雅安市-名山区_Jan-Jun-2024.svg"),
        (replace(BLOCK, view='..\\..\\"<>|', places=("\t=x",)), "csv", "x_2024年1-6月.csv"),
    ],
)
def test_file_names_name_view_place_and_period_in_safe_characters(
    block: exports.TitleBlock, extension: str, expected: str
) -> None:
    assert block.file_name(extension) == expected
    assert not set(expected) & set('\\/:*?"<>| \t')


def test_csv_starts_with_the_title_block_then_the_table_with_percentages_in_percent() -> None:
    lines = exports.csv_bytes(RANKING, BLOCK, KINDS).decode("utf-8-sig").split("\r\n")
    assert lines[:6] == BLOCK.lines()
    assert lines[6] == "", "a blank line between the title block and the table"
    rows = list(csv.reader(lines[7:]))
    assert rows[0] == ["乡镇/街道", "基层就诊占比（%）", "目标（≥，%）", "诊疗人次", "达标情况"]
    assert rows[1] == ["蒙阳街道", "97.2", "65.0", "12345", "达标"]
    assert rows[2][1:3] == ["60.0", "65.0"]


def test_xlsx_has_title_rows_a_frozen_bold_header_and_numbers_in_number_formats() -> None:
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(RANKING, BLOCK.view, BLOCK, KINDS))).active
    assert [sheet.cell(row, 1).value for row in range(1, 7)] == BLOCK.lines()
    assert sheet["A1"].font.b
    assert sheet.cell(7, 1).value is None
    assert [cell.value for cell in sheet[8]] == list(RANKING.columns)
    assert all(cell.font.b for cell in sheet[8])
    assert sheet.freeze_panes == "A9", "the header stays in view when scrolling"
    share, target, visits, status = sheet["B9"], sheet["C9"], sheet["D9"], sheet["E9"]
    assert (share.value, share.data_type, share.number_format) == (0.972, "n", "0.0%")
    assert (target.value, target.number_format) == (0.65, "0.0%")
    assert (visits.value, visits.number_format) == (12_345, "#,##0")
    assert status.value == "达标"


def test_rows_that_mix_units_get_a_number_format_per_cell() -> None:
    table = pd.DataFrame({"指标": ["县域内就诊率", "下转/上转比", "县外转诊人次"], "计量单位": ["%", "比值", "人次"],
                          "当前值": [0.9, 1.5, 1834.0], "差距": [2.5, 0.2, 100.0]})
    kinds = {"当前值": [exports.PERCENT, exports.RATIO, exports.COUNT],
             "差距": [exports.PP, exports.RATIO, exports.COUNT]}
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(table, "x", kinds=kinds))).active
    assert [sheet.cell(row, 3).number_format for row in (2, 3, 4)] == ["0.0%", "0.00", "#,##0"]
    assert sheet["D2"].number_format == '0.0"个百分点"'
    rows = list(csv.reader(exports.csv_bytes(table, kinds=kinds).decode("utf-8-sig").splitlines()))
    assert rows[0][2] == "当前值", "a column of mixed units keeps its header; the unit column names them"
    assert [row[2] for row in rows[1:]] == ["90.0", "1.5", "1834"]


# ------------------------------------------------------------------------------------------ formula guard

HOSTILE = ['=HYPERLINK("http://x","点击")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-1+2", "\t=1", "\r=1"]


def test_hostile_text_is_never_a_formula_and_negative_numbers_stay_numbers() -> None:
    table = pd.DataFrame({"机构": HOSTILE, "上转": [-5, 1, 2, 3, 4, 5], "说明": ["-3", "正常", "", None, "a=b", "@"]})
    block = replace(BLOCK, view=HOSTILE[0], places=(HOSTILE[1],))
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(table, block).decode("utf-8-sig"))))
    assert rows[0] == ["'" + HOSTILE[0]], "the view's line too"
    assert rows[1][0] == "地区：" + HOSTILE[1], "a label before the value: nothing to guard"
    data = rows[rows.index(["机构", "上转", "说明"]) + 1:]
    assert [row[0] for row in data] == ["'" + value for value in HOSTILE]
    assert [row[1] for row in data][:1] == ["-5"]
    assert [row[2] for row in data] == ["-3", "正常", "", "", "a=b", "'@"], "a plain number is no formula"

    book = load_workbook(io.BytesIO(exports.xlsx_bytes(table, HOSTILE[0], block)))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    guarded = [cell.value for cell in cells if cell.quotePrefix and cell.data_type == "s"]
    # The view's title row, then every hostile name as text. A carriage return comes back as a newline from
    # the standard library's XML parser and as itself from lxml (which python-docx brings): either is text.
    assert sorted(value.replace("\r", "\n") for value in guarded) == \
        sorted([HOSTILE[0], "@", *(value.replace("\r", "\n") for value in HOSTILE)])
    negative = next(cell for cell in cells if cell.value == -5)
    assert negative.data_type == "n", "a real negative number stays a number"

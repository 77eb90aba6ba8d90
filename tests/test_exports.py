"""Table downloads: CSV that Excel on Chinese Windows opens correctly, XLSX with Chinese headers and real
numbers; and the ICD-10 chapter names they carry."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from healthdash import exports
from healthdash.icd10 import CHAPTERS, chapter_name

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

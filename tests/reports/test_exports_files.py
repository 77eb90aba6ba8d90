"""Every export opens: chart PNG (right size, Chinese drawn) and SVG (Chinese title), table CSV and XLSX with
Chinese headers, the briefing PDF with its Chinese text and an embedded font."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from healthdash.core import exports
from healthdash.core.filters import Filters
from healthdash.ui import chart_export, charts

TITLE = "县域内就诊率排名"


def ranking() -> object:
    frame = pd.DataFrame({"place": ["鹿寨县", "名山区", "荣县"], "value": [0.95, 0.88, 0.91],
                          "text": ["95.0% ✓", "88.0% ✗", "91.0% ✓"], "status": ["达标", "未达标", "达标"]})
    return charts.ranking_bar(frame, label="place", value="value", text="text", status="status",
                              status_labels=("达标", "未达标", "未设目标"), target=0.9, axis_format=".0%",
                              value_title="县域内就诊率")


def test_png_has_the_size_asked_for_and_draws_the_chinese_title() -> None:
    png = chart_export.chart_png(ranking(), TITLE, width=800, height=400, scale=2)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (1600, 800)
    # The title band is not empty: dark pixels where the Chinese characters are drawn (tofu boxes would be
    # thin outlines; no font at all would leave it white).
    title_band = image.convert("L").crop((0, 0, 800, 90))
    dark = sum(1 for pixel in title_band.get_flattened_data() if pixel < 100)
    assert dark > 2_000


def test_svg_parses_and_carries_the_chinese_title() -> None:
    svg = chart_export.chart_svg(ranking(), TITLE)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert TITLE in svg and "鹿寨县" in svg


BLOCK = exports.TitleBlock(view=TITLE, places=("柳州市",), scope=(), period="2018年", comparison="同比",
                           base_period="2017年", as_of="2024年6月", demo=True)


def test_a_title_block_is_the_charts_title_and_subtitle() -> None:
    spec = chart_export.export_spec(ranking(), BLOCK)
    assert spec["title"]["text"] == TITLE
    assert spec["title"]["subtitle"] == ["柳州市", "2018年 · 同比（对比期 2017年）", "数据截至 2024年6月 · 模拟演示数据"]
    svg = chart_export.chart_svg(ranking(), BLOCK)
    for line in spec["title"]["subtitle"]:
        assert line in svg
    # The block takes room of its own: the image grows by its lines instead of squeezing the bars.
    plain = Image.open(io.BytesIO(chart_export.chart_png(ranking(), TITLE, scale=1)))
    titled = Image.open(io.BytesIO(chart_export.chart_png(ranking(), BLOCK, scale=1)))
    assert titled.size[1] - plain.size[1] == 3 * 19


def test_csv_and_xlsx_read_back_with_chinese_headers() -> None:
    table = pd.DataFrame({"区县": ["鹿寨县", "=1+1"], "县域内就诊率": ["95.0%", "88.0%"], "名次": [1, 2]})
    text = exports.csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines()[0] == "区县,县域内就诊率,名次"
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(table, TITLE)))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == ["区县", "县域内就诊率", "名次"]
    assert sheet["A2"].value == "鹿寨县" and sheet["C3"].value == 2


def test_briefing_pdf_has_the_chinese_text_and_embeds_its_font(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    from healthdash.reports import briefing

    filters = Filters(month_from=date(2025, 1, 1), month_to=date(2025, 6, 1), period="custom")
    pdf = briefing.briefing_pdf(filters, "zh")
    reader = PdfReader(io.BytesIO(pdf))
    # pypdf puts a NUL before each character of fpdf2's CFF subset (poppler's pdftotext reads it clean).
    text = "".join("".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)
    for expected in ("医联体运行监测简报", "核心指标", "县域内就诊率", "家庭医生签约率", "模拟演示数据", "数据截至："):
        assert expected in text
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    descendants = [f["/DescendantFonts"][0].get_object() for f in fonts if "/DescendantFonts" in f]
    assert any("NotoSansCJK" in str(d["/BaseFont"]) for d in descendants)
    assert all(any(key in d["/FontDescriptor"] for key in ("/FontFile2", "/FontFile3")) for d in descendants), \
        "every font is embedded, so any reader shows the Chinese text"
    assert len(reader.pages) >= 1

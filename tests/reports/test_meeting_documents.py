"""The meeting documents of a page, as a user gets them: the referrals page of 名山区, 2024年1–6月, opened as a
user would; its Word 专报 and slides read back (python-docx, python-pptx) and opened by LibreOffice.

The page is opened once per language (module fixtures); the documents are made from what that run drew,
exactly as the buttons make them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pptx import Presentation
from pptx.util import Emu, Inches
from pypdf import PdfReader

from healthdash.core.filters import Filters
from healthdash.reports import documents, meeting, slide_deck, word_document
from healthdash.ui.capture import Capture
from tests.support.app import ROOT, open_page
from tests.support.places import region_code

WHEN = datetime(2024, 7, 5, 9, 0)
# What must never reach a reader: an indicator code, a catalog key, a missing value spelled by Python.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bmeeting\.|\bnan\b|\bNone\b|\bNaT\b|<NA>")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _page_documents(demo_db: Path, lang: str) -> tuple[meeting.Content, bytes, bytes, list[str]]:
    """Open the referrals page for 名山区, 2024-01..06 in `lang`; the content, the .docx and .pptx its buttons
    make, and the labels of the page's download buttons."""
    seen: dict[str, tuple[str, Filters, Capture]] = {}
    offer = documents.offer

    def spy(page: str, filters: Filters):  # noqa: ANN202 — the page's own callable, wrapped
        documents = offer(page, filters)

        def noted(drawn: Capture) -> list:
            seen["page"] = (page, filters, drawn)
            return documents(drawn)

        return noted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "offer", spy)
        query = {"county": region_code(demo_db, "名山区"), "period": "custom", "from": "2024-01", "to": "2024-06"}
        at = open_page(demo_db, patch, "pages/referrals.py", query, lang=lang)
        labels = [element.proto.label for element in at.get("download_button")]
        page, filters, drawn = seen["page"]
        content = meeting.content(page, filters, drawn, lang, when=WHEN)
        return content, word_document.docx(content), slide_deck.pptx(content), labels


@pytest.fixture(scope="module")
def chinese(demo_db: Path) -> Iterator[tuple[meeting.Content, bytes, bytes, list[str]]]:
    yield _page_documents(demo_db, "zh")


@pytest.fixture(scope="module")
def english(demo_db: Path) -> Iterator[tuple[meeting.Content, bytes, bytes, list[str]]]:
    yield _page_documents(demo_db, "en")


def _docx_texts(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def _charts(content: meeting.Content) -> int:
    return sum(figure.chart is not None for section in content.sections for figure in section.figures)


def test_the_page_offers_both_documents(chinese: tuple) -> None:
    *_, labels = chinese
    assert {"Word 专报", "PowerPoint"} <= set(labels)


def test_word_report_has_the_title_block_summary_table_and_charts(chinese: tuple) -> None:
    content, data, _, _ = chinese
    paragraphs, tables = _docx_texts(data)
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "医联体运行监测专报"
    assert "（双向转诊）" in paragraphs[1] and "名山区" in paragraphs[2] and "2024年1–6月" in paragraphs[2]
    assert "医联体运行监测看板\t2024年7月5日" in text  # the issuing line: issuer, then the date at the right
    assert "模拟演示数据" in text
    # The sections, numbered as a report numbers them: summary, headline table, then the page's own.
    headings = [p for p in paragraphs if re.match(r"^[一二三四五六七八九十]+、", p)]
    assert headings[:2] == ["一、运行简报", "二、核心指标"]
    # The out-of-county patients' diseases are a section (and a slide) of their own since the slides were
    # made to fit a projector.
    assert "三、排名" in headings and any("病种构成" in h for h in headings)
    assert "2024年1–6月，名山区" in text  # the 运行简报's opening sentence
    # The headline table: the briefing's own frame, cell for cell.
    expected = content.headline
    headline_table = tables[0]
    assert headline_table[0] == [str(c) for c in expected.columns]
    assert [row[0] for row in headline_table[1:]] == list(expected.iloc[:, 0])
    assert any(row[0] == "县域内就诊率" and row[1].endswith("%") for row in headline_table)
    # One image per chart the page drew, and the page's tables after the headline one.
    document = Document(BytesIO(data))
    assert _charts(content) >= 5
    assert len(document.inline_shapes) == _charts(content)
    assert len(tables) >= 3
    # The Sankey has no offline image: its flows are a table, tiers and directions in words.
    flows = next(table for table in tables if table[0][0] == "转出层级")
    assert flows[1][2] in {"上转", "下转", "县外转诊", "转回"} and flows[1][3].replace(",", "").isdigit()
    cells = " ".join(cell for table in tables for row in table for cell in row)
    assert not RAW.search(text + cells), RAW.search(text + cells)


def test_word_report_is_a4_with_official_fonts(chinese: tuple) -> None:
    _, data, _, _ = chinese
    document = Document(BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = document.paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"
    headings = [p for p in document.paragraphs if p.text.startswith("一、")]
    assert headings[0].runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    # Where 仿宋_GB2312 is missing, Word and WPS take the font table's alternative.
    font_table = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable").blob.decode()
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"', font_table)


def test_slides_are_16_9_one_chart_each_with_title_and_source(chinese: tuple) -> None:
    content, _, data, _ = chinese
    deck = Presentation(BytesIO(data))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(deck.slides)
    first = " ".join(shape.text_frame.text for shape in slides[0].shapes if shape.has_text_frame)
    assert "医联体运行监测专报" in first and "名山区" in first and "2024年1–6月" in first and "模拟演示数据" in first
    pictured = [slide for slide in slides if any(shape.shape_type == 13 for shape in slide.shapes)]
    assert len(pictured) == _charts(content)
    for slide in pictured:
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert len(pictures) == 1
        assert texts[0] and texts[-1].startswith("数据来源：医联体运行监测看板")
        assert "2024年1–6月" in texts[-1]
        assert slide.notes_slide.notes_text_frame.text
        # The picture stays on the slide, between the title and the source line.
        picture = pictures[0]
        assert picture.top >= Inches(1.1) and picture.top + picture.height <= deck.slide_height - Inches(0.5)
        assert Emu(picture.left + picture.width) <= deck.slide_width
    tables = [shape.table for slide in slides for shape in slide.shapes if shape.has_table]
    assert tables and tables[0].cell(1, 0).text == content.headline.iloc[0, 0]
    words = " ".join(shape.text_frame.text for slide in slides for shape in slide.shapes if shape.has_text_frame)
    assert "2024年1–6月，名山区" in words
    assert not RAW.search(words)
    faces = {element.get("typeface") for element in deck.slides[1].shapes[0]._element.iter(qn("a:ea"))}
    assert faces == {"黑体"}


def test_english_documents_are_english(english: tuple) -> None:
    content, word, slides, labels = english
    assert {"Word report", "PowerPoint"} <= set(labels)
    paragraphs, tables = _docx_texts(word)
    assert paragraphs[0] == "Medical Alliance Monitoring Report"
    headings = [p for p in paragraphs if re.match(r"^\d+\. ", p)]
    assert headings[:2] == ["1. Run summary", "2. Headline indicators"]
    assert "Simulated demo data" in "\n".join(paragraphs)
    # Headings and table headers are English; only place and facility names are Chinese.
    for text in [*headings, *(cell for table in tables for cell in table[0])]:
        assert not CJK.search(text), text
    assert "Jan–Jun 2024" in content.selection
    deck = Presentation(BytesIO(slides))
    sources = [shape.text_frame.text for slide in list(deck.slides)[1:] for shape in slide.shapes
               if shape.has_text_frame and shape.text_frame.text.startswith("Source: ")]
    assert len(sources) == len(deck.slides) - 1


def test_libreoffice_opens_both_without_repair(chinese: tuple, tmp_path: Path) -> None:
    """LibreOffice (Debian's, as Word and WPS stand-in) converts both to PDF; the pages are rendered to PNG,
    and kept in artifacts/screenshots when CI keeps screenshots, to be looked at."""
    soffice = shutil.which("soffice")
    assert soffice, "apt-get install libreoffice-writer libreoffice-impress"
    _, word, slides, _ = chinese
    (tmp_path / "专报.docx").write_bytes(word)
    (tmp_path / "slides.pptx").write_bytes(slides)
    profile = (tmp_path / "profile").as_uri()
    for name in ("专报.docx", "slides.pptx"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path / "pdf"), str(tmp_path / name)],
                       check=True, capture_output=True, timeout=240)
    report = PdfReader(tmp_path / "pdf" / "专报.pdf")
    deck = PdfReader(tmp_path / "pdf" / "slides.pdf")
    assert len(report.pages) >= 3
    assert "医联体运行监测专报" in report.pages[0].extract_text()
    assert len(deck.pages) == len(Presentation(BytesIO(slides)).slides)
    width, height = deck.pages[0].mediabox.width, deck.pages[0].mediabox.height
    assert abs(float(width) / float(height) - 16 / 9) < 0.01
    pdftoppm = shutil.which("pdftoppm")
    kept = ROOT / "artifacts" / "screenshots"
    if pdftoppm:
        for stem in ("专报", "slides"):
            subprocess.run([pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "3", str(tmp_path / "pdf" / f"{stem}.pdf"),
                            str(tmp_path / stem)], check=True, timeout=120)
        images = sorted(tmp_path.glob("*.png"))
        assert len(images) == 6
        if kept.is_dir():
            for image in images:
                shutil.copy(image, kept / f"meeting-{image.name}")


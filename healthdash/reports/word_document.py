"""The Word 专报 of a page: A4, laid out as a commission's report (GB/T 9704 margins and fonts).

Title in 方正小标宋简体 (黑体 where it is missing), section headings in 黑体, body in 仿宋_GB2312 (仿宋), set
as East Asian font names (w:eastAsia) so that Word and WPS use them for Chinese; the font table names the
fallbacks (w:altName), and a machine with neither falls back to its own CJK fonts. English documents use
Times New Roman and Arial. Tables are plain w:tbl with a header row, which Word, WPS and LibreOffice open
without repair.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from healthdash.reports.meeting import Content, Figure, column_shares, png

# Rows and columns of a page's table printed in the report: the whole table is the dashboard's export.
MAX_ROWS = 15
MAX_COLUMNS = 7
CHINESE_NUMERALS = "一二三四五六七八九十"
RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_WIDTH = Cm(21 - 2.8 - 2.6)


class Fonts:
    """East Asian and Latin font names of one kind of text."""

    def __init__(self, east: str, latin: str) -> None:
        self.east = east
        self.latin = latin


ZH = {"title": Fonts("方正小标宋简体", "Times New Roman"), "heading": Fonts("黑体", "Times New Roman"),
      "sub": Fonts("楷体_GB2312", "Times New Roman"), "body": Fonts("仿宋_GB2312", "Times New Roman"),
      "table": Fonts("仿宋_GB2312", "Times New Roman"), "page": Fonts("宋体", "Times New Roman")}
EN = {"title": Fonts("黑体", "Arial"), "heading": Fonts("黑体", "Arial"), "sub": Fonts("宋体", "Times New Roman"),
      "body": Fonts("宋体", "Times New Roman"), "table": Fonts("宋体", "Arial"), "page": Fonts("宋体", "Times New Roman")}
# Where a named font is missing, Word and WPS take its w:altName; the machine's CJK fonts come after.
ALTERNATES = {"方正小标宋简体": "黑体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
# Sizes in points: 二号 title, 三号 body and headings (GB/T 9704), 五号 tables, 四号 page numbers.
ZH_SIZES = {"title": 22, "heading": 16, "sub": 16, "body": 16, "table": 10.5, "caption": 12, "page": 14}
EN_SIZES = {"title": 20, "heading": 14, "sub": 12, "body": 12, "table": 9.5, "caption": 10.5, "page": 10}


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十: the numbering of a report's sections."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones - 1]
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def set_fonts(element: object, fonts: Fonts) -> None:
    """Name `fonts` on a run's or a style's w:rFonts: Latin for ASCII, East Asian for Chinese."""
    r_pr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        r_fonts.set(qn(attribute), fonts.latin)
    r_fonts.set(qn("w:eastAsia"), fonts.east)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)


class Writer:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.zh = content.lang != "en"
        self.fonts = ZH if self.zh else EN
        self.sizes = ZH_SIZES if self.zh else EN_SIZES
        self.doc = Document()
        self.figures = 0
        self.tables = 0
        self._page_setup()
        self._styles()
        self._font_table()

    # -------------------------------------------------------------------------------------- setup
    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(footer, "— " if self.zh else "", "page", self.sizes["page"])
        self._page_field(footer)
        self._run(footer, " —" if self.zh else "", "page", self.sizes["page"])
        if self.content.block.demo:
            header = section.header.paragraphs[0]
            header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = self._run(header, self.content.text("meeting.demo_mark"), "heading", 10.5)
            run.font.color.rgb = RED

    def _page_field(self, paragraph: Paragraph) -> None:
        run = self._run(paragraph, "", "page", self.sizes["page"])
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == "PAGE":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = " PAGE "
                run._r.append(instr)
            else:
                shown = OxmlElement("w:t")
                shown.text = text
                run._r.append(shown)

    def _styles(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(self.sizes["body"])
        set_fonts(normal.element, self.fonts["body"])
        r_pr = normal.element.get_or_add_rPr()
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        layout = normal.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        if self.zh:
            layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            layout.line_spacing = Pt(28)
        else:
            layout.line_spacing = 1.2
            layout.space_after = Pt(6)

    def _font_table(self) -> None:
        """Name each official font's fallback in word/fontTable.xml (python-docx keeps that part as bytes)."""
        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        named = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
        for name, alternate in ALTERNATES.items():
            if name in named:
                continue
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            for tag, value in (("w:altName", alternate), ("w:charset", "86"), ("w:family", "modern")):
                etree.SubElement(font, qn(tag)).set(qn("w:val"), value)  # charset 86: GB2312
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # -------------------------------------------------------------------------------------- text
    def _run(self, paragraph: Paragraph, text: str, kind: str, size: float, bold: bool = False) -> object:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        set_fonts(run._r, self.fonts[kind])
        return run

    def paragraph(self, text: str, kind: str = "body", size: float | None = None, *, bold: bool = False,
                  align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False, keep: bool = False) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(self.sizes["body"] * 2) if self.zh else Cm(0)
        if keep:
            paragraph.paragraph_format.keep_with_next = True
        self._run(paragraph, text, kind, size or self.sizes.get(kind, self.sizes["body"]), bold)
        return paragraph

    def heading(self, number: int, text: str) -> None:
        label = f"{chinese_number(number)}、{text}" if self.zh else f"{number}. {text}"
        paragraph = self.paragraph(label, "heading", bold=not self.zh, keep=True)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.first_line_indent = Pt(self.sizes["body"] * 2) if self.zh else None
        self._outline(paragraph, 0)

    def _outline(self, paragraph: Paragraph, level: int) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level))
        p_pr.append(outline)

    def _red_rule(self, paragraph: Paragraph) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        p_pr.append(borders)

    # -------------------------------------------------------------------------------------- parts
    def title_block(self) -> None:
        content = self.content
        title = self.paragraph(content.title, "title", bold=not self.zh, align=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.space_before = Pt(12)
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        title.paragraph_format.space_after = Pt(6)
        self._outline(title, 0)
        self.paragraph(content.text("meeting.subtitle", page=content.page), "sub", align=WD_ALIGN_PARAGRAPH.CENTER)
        self.paragraph(content.selection, "sub", self.sizes["caption"] + 2, align=WD_ALIGN_PARAGRAPH.CENTER)
        for note in content.notes:
            self.paragraph(note, "sub", self.sizes["caption"], align=WD_ALIGN_PARAGRAPH.CENTER)
        issuing = self.doc.add_paragraph()
        width = self.doc.sections[0].page_width - self.doc.sections[0].left_margin - self.doc.sections[0].right_margin
        issuing.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        issuing.paragraph_format.space_before = Pt(12)
        self._run(issuing, content.text("meeting.issuer", app=content.text("app.title")), "sub",
                  self.sizes["caption"] + 2)
        self._run(issuing, "\t" + content.issued, "sub", self.sizes["caption"] + 2)
        self._red_rule(issuing)
        if content.block.demo:
            demo = self.paragraph(content.text("export.line_demo"), "body", self.sizes["caption"],
                                  bold=True)
            demo.runs[0].font.color.rgb = RED
            demo.paragraph_format.space_before = Pt(6)
            demo.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self.paragraph(content.text("export.line_as_of", month=content.block.as_of), "sub", self.sizes["caption"])

    def caption(self, text: str) -> None:
        paragraph = self.paragraph(text, "heading" if self.zh else "sub", self.sizes["caption"],
                                   align=WD_ALIGN_PARAGRAPH.CENTER, bold=not self.zh)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.space_after = Pt(8)

    def note(self, text: str) -> None:
        paragraph = self.paragraph(text, "sub", self.sizes["caption"])
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.space_after = Pt(8)

    def table(self, title: str, figure: Figure) -> None:
        self.tables += 1
        label = self.content.text("meeting.table", n=self.tables, title=title)
        self.paragraph(label, "heading" if self.zh else "sub", self.sizes["caption"], bold=not self.zh,
                       align=WD_ALIGN_PARAGRAPH.CENTER, keep=True).paragraph_format.line_spacing_rule = \
            WD_LINE_SPACING.SINGLE
        texts = figure.rows(MAX_ROWS, MAX_COLUMNS, self.content.lang)
        frame = figure.table
        assert frame is not None
        table = self.doc.add_table(rows=len(texts), cols=len(texts[0]))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [int(TEXT_WIDTH * share) for share in column_shares(texts)]
        for index, (row, values) in enumerate(zip(table.rows, texts, strict=True)):
            self._row(row.cells, values, header=index == 0)
            for target, width in zip(row.cells, widths, strict=True):
                target.width = width
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
        if len(frame) > MAX_ROWS or len(frame.columns) > MAX_COLUMNS:
            self.note(self.content.text("meeting.table_more", shown=len(texts) - 1, total=len(frame)))
        else:
            self.doc.add_paragraph().paragraph_format.line_spacing = Pt(8)

    def _row(self, cells: Iterable[object], texts: list[str], header: bool = False) -> None:
        for target, text in zip(cells, texts, strict=True):
            paragraph = target.paragraphs[0]  # type: ignore[attr-defined]
            layout = paragraph.paragraph_format
            layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
            layout.first_line_indent = None
            layout.space_before = layout.space_after = Pt(1)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if header else None
            self._run(paragraph, text, "heading" if header and self.zh else "table", self.sizes["table"],
                      bold=header and not self.zh)
            if header:
                shade = OxmlElement("w:shd")
                for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "E7E6E6")):
                    shade.set(qn(key), value)
                target._tc.get_or_add_tcPr().append(shade)  # type: ignore[attr-defined]

    def figure(self, figure: Figure) -> None:
        if figure.table is not None:
            self.table(figure.title, figure)
            return
        self.figures += 1
        image = png(figure.chart) if figure.chart is not None else None
        if image is None:
            self.note(self.content.text("meeting.chart_failed"))
        else:
            picture = self.doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            picture.paragraph_format.keep_with_next = True
            picture.add_run().add_picture(io.BytesIO(image), width=Cm(15.6))
        self.caption(self.content.text("meeting.figure", n=self.figures, title=figure.title))

    def build(self) -> bytes:
        content = self.content
        self.title_block()
        number = 0
        if content.paragraphs:
            number += 1
            self.heading(number, content.text("meeting.summary"))
            for text in content.paragraphs:
                self.paragraph(text, indent=True)
        if not content.headline.empty:
            number += 1
            self.heading(number, content.text("meeting.headline"))
            self.table(content.text("meeting.headline"), Figure(content.text("meeting.headline"), table=content.headline))
        for section in content.sections:
            number += 1
            self.heading(number, section.title)
            for figure in section.figures:
                self.figure(figure)
        properties = self.doc.core_properties
        properties.title = f"{content.title} {content.text('meeting.subtitle', page=content.page)}"
        properties.subject = content.selection
        properties.author = content.text("app.title")
        properties.language = "en-US" if content.lang == "en" else "zh-CN"
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def docx(content: Content) -> bytes:
    """The Word 专报 of `content` as .docx bytes."""
    return Writer(content).build()

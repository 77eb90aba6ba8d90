"""The PowerPoint of a page: 16:9, a title slide with the selection, the 运行简报 and the headline table,
then one chart per slide under its title with the source line beneath.

Every word is an editable text box or a table (never part of an image); the speaker notes carry the
slide's title and the selection. Chinese text is set in 黑体/微软雅黑 style fonts through a:ea, so
PowerPoint and WPS use them for Chinese; a machine without them uses its own CJK fonts.
"""

from __future__ import annotations

import io
import struct

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from healthdash.reports.meeting import Content, Figure, column_shares, png

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_HEIGHT = Inches(0.35), Inches(0.8)
SOURCE_HEIGHT = Inches(0.4)
MAX_ROWS = 8
HEADLINE_ROWS = 10  # the Overview's headline cards, all of them
CHART_PIXELS = 1200
MAX_COLUMNS = 7
DARK = RGBColor(0x1F, 0x1F, 0x1F)
GRAY = RGBColor(0x40, 0x40, 0x40)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
RED = RGBColor(0xC0, 0x00, 0x00)
EAST = {"zh": ("黑体", "微软雅黑"), "en": ("黑体", "Arial")}


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


class Deck:
    def __init__(self, content: Content) -> None:
        self.content = content
        self.east, self.latin = EAST["en" if content.lang == "en" else "zh"]
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    def _fonts(self, run: object) -> None:
        r_pr = run._r.get_or_add_rPr()  # type: ignore[attr-defined]
        for tag, face in (("a:latin", self.latin), ("a:ea", self.east), ("a:cs", self.latin)):
            element = r_pr.find(qn(tag))
            if element is None:
                element = r_pr.makeelement(qn(tag), {})
                r_pr.append(element)
            element.set("typeface", face)

    def text(self, slide: Slide, text: str, left: int, top: int, width: int, height: int, size: float, *,
             bold: bool = False, color: RGBColor = DARK, align: PP_ALIGN = PP_ALIGN.LEFT,
             anchor: MSO_ANCHOR = MSO_ANCHOR.TOP, paragraphs: list[str] | None = None) -> None:
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = anchor
        for index, line in enumerate(paragraphs if paragraphs is not None else [text]):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = align
            if index:
                paragraph.space_before = Pt(size * 0.6)
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = color
            self._fonts(run)

    def slide(self, title: str, notes: str | None = None) -> Slide:
        slide = self.prs.slides.add_slide(self.blank)
        self.text(slide, title, MARGIN, TITLE_TOP, WIDTH - 2 * MARGIN, TITLE_HEIGHT, 28, bold=True, color=ACCENT,
                  anchor=MSO_ANCHOR.MIDDLE)
        line = slide.shapes.add_connector(1, MARGIN, TITLE_TOP + TITLE_HEIGHT, WIDTH - MARGIN, TITLE_TOP + TITLE_HEIGHT)
        line.line.color.rgb = ACCENT
        line.line.width = Pt(1.5)
        source = self.content.source
        if self.content.block.demo:
            source += "　" + self.content.text("meeting.demo_mark") if self.content.lang != "en" \
                else " · " + self.content.text("meeting.demo_mark")
        self.text(slide, source, MARGIN, HEIGHT - SOURCE_HEIGHT - Inches(0.15), WIDTH - 2 * MARGIN, SOURCE_HEIGHT,
                  12, color=GRAY, anchor=MSO_ANCHOR.BOTTOM)
        slide.notes_slide.notes_text_frame.text = notes or self.content.text(
            "meeting.notes", title=title, selection=self.content.selection)
        return slide

    @property
    def body(self) -> tuple[int, int, int, int]:
        top = TITLE_TOP + TITLE_HEIGHT + Inches(0.2)
        bottom = HEIGHT - SOURCE_HEIGHT - Inches(0.25)
        return MARGIN, top, WIDTH - 2 * MARGIN, bottom - top

    def title_slide(self) -> None:
        content = self.content
        slide = self.prs.slides.add_slide(self.blank)
        band = slide.shapes.add_shape(1, 0, Inches(2.2), WIDTH, Inches(1.6))
        band.fill.solid()
        band.fill.fore_color.rgb = ACCENT
        band.line.fill.background()
        self.text(slide, content.title, MARGIN, Inches(2.25), WIDTH - 2 * MARGIN, Inches(0.9), 40, bold=True,
                  color=RGBColor(0xFF, 0xFF, 0xFF), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        self.text(slide, content.text("meeting.subtitle", page=content.page), MARGIN, Inches(3.1),
                  WIDTH - 2 * MARGIN, Inches(0.6), 24, color=RGBColor(0xFF, 0xFF, 0xFF), align=PP_ALIGN.CENTER)
        self.text(slide, content.selection, MARGIN, Inches(4.2), WIDTH - 2 * MARGIN, Inches(0.6), 22,
                  align=PP_ALIGN.CENTER)
        below = Inches(4.8)
        if content.notes:  # the what-if levers: the figures mean nothing without them
            self.text(slide, "", MARGIN, below, WIDTH - 2 * MARGIN, Inches(0.8), 15, color=GRAY, align=PP_ALIGN.CENTER,
                      paragraphs=list(content.notes))
            below += Inches(0.9)
        self.text(slide, f"{content.text('meeting.issuer', app=content.text('app.title'))}　{content.issued}",
                  MARGIN, below, WIDTH - 2 * MARGIN, Inches(0.5), 18, color=GRAY, align=PP_ALIGN.CENTER)
        if content.block.demo:
            self.text(slide, content.text("export.line_demo"), Inches(1.2), below + Inches(0.8), WIDTH - Inches(2.4),
                      Inches(0.9), 14, bold=True, color=RED, align=PP_ALIGN.CENTER)
        slide.notes_slide.notes_text_frame.text = f"{content.title} {content.selection}"

    def summary_slide(self) -> None:
        left, top, width, height = self.body
        slide = self.slide(self.content.text("meeting.summary"))
        size = 18 if sum(len(text) for text in self.content.paragraphs) < 650 else 16
        self.text(slide, "", left, top, width, height, size, paragraphs=list(self.content.paragraphs))

    def table_slide(self, figure: Figure, max_rows: int = MAX_ROWS) -> None:
        left, top, width, height = self.body
        slide = self.slide(figure.title)
        frame = figure.table
        assert frame is not None
        texts = figure.rows(max_rows, MAX_COLUMNS, self.content.lang)
        rows = len(texts)
        row_height = min(Inches(0.5), int(height / rows))
        shape = slide.shapes.add_table(rows, len(texts[0]), left, top, width, row_height * rows)
        size = 16 if rows <= 7 else 14
        for column, share in zip(shape.table.columns, column_shares(texts), strict=True):
            column.width = int(width * share)
        for r, values in enumerate(texts):
            for c, value in enumerate(values):
                target = shape.table.cell(r, c)
                target.text = value
                for paragraph in target.text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
                        run.font.bold = r == 0
                        self._fonts(run)
        if len(frame) > max_rows or len(frame.columns) > MAX_COLUMNS:
            note = self.content.text("meeting.table_more", shown=rows - 1, total=len(frame))
            self.text(slide, note, left, top + row_height * rows + Inches(0.1), width, Inches(0.4), 12, color=GRAY)

    def chart_slide(self, section: str, figure: Figure) -> None:
        left, top, width, height = self.body
        title = figure.title if figure.title == section else f"{section} · {figure.title}"
        slide = self.slide(title)
        # Drawn in the box's own proportions, so a tall ranking fills the slide instead of a strip of it.
        image = png(figure.chart, CHART_PIXELS, int(CHART_PIXELS * height / width)) if figure.chart is not None else None
        if image is None:
            self.text(slide, self.content.text("meeting.chart_failed"), left, top, width, height, 20, color=GRAY)
            return
        pixels_w, pixels_h = png_size(image)
        scale = min(width / pixels_w, height / pixels_h)
        shown_w, shown_h = int(pixels_w * scale), int(pixels_h * scale)
        slide.shapes.add_picture(io.BytesIO(image), Emu(left + (width - shown_w) // 2), Emu(top),
                                 Emu(shown_w), Emu(shown_h))

    def build(self) -> bytes:
        content = self.content
        self.title_slide()
        if content.paragraphs:
            self.summary_slide()
        if not content.headline.empty:
            self.table_slide(Figure(content.text("meeting.headline"), table=content.headline), HEADLINE_ROWS)
        for section in content.sections:
            for figure in section.figures:
                if figure.table is not None:
                    self.table_slide(figure)
                else:
                    self.chart_slide(section.title, figure)
        properties = self.prs.core_properties
        properties.title = f"{content.title} {content.text('meeting.subtitle', page=content.page)}"
        properties.subject = content.selection
        properties.author = content.text("app.title")
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def pptx(content: Content) -> bytes:
    """The slides of `content` as .pptx bytes."""
    return Deck(content).build()

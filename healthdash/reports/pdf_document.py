"""The briefing's PDF document (healthdash.reports.briefing): A4 pages in Noto Sans CJK SC with a footer, section
headings and tables. A module of its own so that fpdf is imported when a briefing is made, not at start.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from healthdash.core.fmt import MET_MARK, NOT_MET_MARK
from healthdash.core.linebreak import break_lines
from healthdash.core.paths import FONT_DIR

# (file, index of the Simplified Chinese face in the collection); Debian's fonts-noto-cjk first.
FONT_CANDIDATES: tuple[tuple[Path, Path, int], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
     Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 2),
    (Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
     Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc"), 2),
    # The offline bundle's copy, for a server without fonts-noto-cjk.
    (FONT_DIR / "NotoSansCJK-Regular.ttc", FONT_DIR / "NotoSansCJK-Bold.ttc", 2),
)
FONT = "NotoSansSC"
SYMBOL_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BLUE = (31, 78, 156)
ORANGE = (217, 115, 13)
GRAY = (110, 115, 125)


class BriefingError(RuntimeError):
    """The briefing cannot be made here (no CJK font installed)."""


def font_files() -> tuple[Path, Path, int]:
    for regular, bold, index in FONT_CANDIDATES:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular, index
    raise BriefingError(f"no Noto Sans CJK font: apt-get install fonts-noto-cjk, or put it in {FONT_DIR}")


class BriefingDocument(FPDF):
    """An A4 page set in Noto Sans CJK, `footer_text` and the page number (`page_label`, with {n}) at the foot."""

    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text
        self._page_label = page_label
        regular, bold, index = font_files()
        self.add_font(FONT, "", str(regular), collection_font_number=index)
        self.add_font(FONT, "B", str(bold), collection_font_number=index)
        # Noto CJK lacks a few marks (✗); DejaVu, when installed, draws them.
        if SYMBOL_FONT.is_file():
            self.add_font("symbols", "", str(SYMBOL_FONT))
            self.set_fallback_fonts(["symbols"], exact_match=False)
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GRAY)
        self.cell(0, 5, self._footer_text, align="L")
        self.set_x(-40)
        self.cell(24, 5, self._page_label.format(n=self.page_no()), align="R")

    def wrapped(self, text: str, width: float) -> str:
        """`text` broken into lines that fit `width` mm in the current font by Chinese rules (fpdf's own
        wrapping splits numbers from units and starts lines with ）or ，)."""
        room = width - 2 * self.c_margin - 0.01
        return "\n".join(break_lines(text, room, self.get_string_width))

    def paragraph(self, text: str, line_height: float) -> None:
        self.multi_cell(0, line_height, self.wrapped(text, self.epw), align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, room_after: float = 30) -> None:
        """A section heading, on a new page when fewer than `room_after` mm would follow it on this one."""
        if self.get_y() + 14 + room_after > self.page_break_trigger:
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", 13)
        self.set_text_color(20, 20, 20)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*BLUE)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.l_margin + 24, self.get_y())
        self.ln(2)


def table(pdf: BriefingDocument, frame: pd.DataFrame, widths: tuple[int, ...], status_column: int | None = None,
          font_size: float = 9.5, line_height: float = 6.5) -> None:
    pdf.set_font(FONT, size=font_size)
    pdf.set_text_color(20, 20, 20)
    pdf.set_draw_color(200, 204, 210)
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="BOLD", fill_color=(220, 230, 245))
    scale = pdf.epw / sum(widths)
    with pdf.table(col_widths=widths, headings_style=heading, line_height=line_height, text_align="LEFT",
                   first_row_as_headings=True) as table:
        pdf.set_font(FONT, "B", font_size)
        table.row([pdf.wrapped(str(column), width * scale) for column, width in zip(frame.columns, widths, strict=True)])
        pdf.set_font(FONT, size=font_size)
        for values in frame.itertuples(index=False):
            row = table.row()
            for index, value in enumerate(values):
                text = pdf.wrapped(str(value), widths[index] * scale)
                style = None
                if index == status_column and text.startswith((MET_MARK, NOT_MET_MARK)):
                    style = FontFace(color=BLUE if text.startswith(MET_MARK) else ORANGE)
                row.cell(text, style=style)


def image_height(png: bytes, width_mm: float) -> float:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return width_mm * image.height / image.width

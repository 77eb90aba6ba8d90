"""Run by test_offline_bundle.py with an installed bundle's own .venv, from the bundle's folder, with no network
and the system's fonts hidden: a chart as PNG, the briefing as PDF drawn with the bundle's Noto CJK, and a
Word 专报 and slides holding that chart. Prints one JSON line."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pandas as pd  # noqa: E402
from PIL import Image  # noqa: E402

from healthdash.core.filters import Filters  # noqa: E402
from healthdash.data import db  # noqa: E402
from healthdash.reports import briefing, meeting, pdf_document, slide_deck, word_document  # noqa: E402
from healthdash.ui import chart_export, charts  # noqa: E402
from healthdash.ui.capture import Capture  # noqa: E402


def main() -> dict:
    db.read_within(db.EVERYTHING)
    frame = pd.DataFrame({"place": ["鹿寨县", "名山区"], "value": [0.95, 0.88], "text": ["95%", "88%"],
                          "status": ["达标", "未达标"]})
    chart = charts.ranking_bar(frame, label="place", value="value", text="text", status="status",
                               status_labels=("达标", "未达标", "未设目标"), target=0.9, axis_format=".0%",
                               value_title="县域内就诊率")
    image = Image.open(io.BytesIO(chart_export.chart_png(chart, "县域内就诊率排名", width=800, height=400, scale=1)))
    band = image.convert("L").crop((0, 0, 400, 45))
    filters = Filters(month_from=date(2025, 1, 1), month_to=date(2025, 6, 1), period="custom")
    pdf = briefing.briefing_pdf(filters, "zh")
    drawn = Capture()
    drawn.section("县域内就诊率排名")
    drawn.parts[-1].charts.append(chart)
    content = meeting.content("总览", filters, drawn, "zh")
    docx, pptx = word_document.docx(content), slide_deck.pptx(content)
    return {"png_title_dark_pixels": sum(1 for pixel in band.get_flattened_data() if pixel < 100),
            "pdf_bytes": len(pdf), "pdf_starts": pdf[:5].decode(), "pdf_font": str(pdf_document.font_files()[0]),
            "docx_starts": docx[:2].decode(), "docx_bytes": len(docx),
            "pptx_starts": pptx[:2].decode(), "pptx_bytes": len(pptx)}


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))

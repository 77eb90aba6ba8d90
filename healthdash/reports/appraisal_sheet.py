"""监测与考核: one printable A4 page per county and year (PDF): the 14 monitoring items with this year, last
year, target and its level of origin, whether it is met, and the points and rank under the scheme shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from healthdash.core.exports import TitleBlock
from healthdash.core.i18n import t
from healthdash.core.monitoring import ITEMS
from healthdash.domains.appraisal import data as appraisal
from healthdash.domains.appraisal.scoring import Scheme, subtotals

_TZ = ZoneInfo("Asia/Shanghai")
# Millimetres across A4's 178 mm between margins: 序号, item, this year, last year, target (origin), met, points.
WIDTHS = (9, 63, 21, 21, 33, 16, 15)
WIDTHS_UNSCORED = (9, 72, 24, 24, 33, 16)


@dataclass(frozen=True)
class SheetRows:
    table: pd.DataFrame
    total: float | None       # None when the scheme does not score
    rank: int | None
    of: int
    dimensions: dict[str, float]


def sheet_rows(scheme: Scheme, fig: appraisal.Figures, county: str, lang: str) -> SheetRows:
    """The page's table and totals, from the same figures as the 监测与考核 page."""
    report = appraisal.report_table(fig, county, lang)
    no, _, item, value, last, change, _, target, origin, status = report.columns
    # The report asks for the growth beside the value of some items (cost per admission).
    values = [f"{v} ({c})" if it.with_growth and c not in ("", "—") else v
              for it, v, c in zip(ITEMS, report[value], report[change], strict=True)]
    frame = pd.DataFrame({
        no: report[no], item: report[item], value: values, last: report[last],
        t("appraisal.col.target", lang=lang): [(f"{v}（{o}）" if lang == "zh" else f"{v} ({o})") if o and v != "—" else v
                                               for v, o in zip(report[target], report[origin], strict=True)],
        status: report[status],
    })
    if not scheme.scored:
        return SheetRows(frame, None, None, len(fig.counties), {})
    points = {p.indicator: p for p in appraisal.county_points(scheme, fig, county)}
    frame[t("appraisal.col.points", lang=lang)] = [
        "—" if it.code not in points or points[it.code].points is None
        else f"{round(points[it.code].points, 1):g}/{points[it.code].weight:g}" for it in ITEMS]
    ranking = appraisal.ranking(scheme, fig, lang)
    row = ranking[ranking["county_code"] == county]
    total = float(row["total"].iloc[0]) if len(row) else None
    rank = int(row["rank"].iloc[0]) if len(row) else None
    return SheetRows(frame, total, rank, len(ranking), subtotals(list(points.values())))


def sheet_pdf(scheme: Scheme, fig: appraisal.Figures, county: str, block: TitleBlock, lang: str) -> bytes:
    """The county's one-page sheet as PDF bytes."""
    # fpdf takes a third of a second to import: only a click pays for it.
    from healthdash.reports.pdf_document import BLUE, FONT, GRAY, ORANGE, BriefingDocument, table

    name = str(fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0])
    rows = sheet_rows(scheme, fig, county, lang)
    title = t("appraisal.sheet_pdf.title", lang=lang, county=name, year=fig.year)
    pdf = BriefingDocument(t("appraisal.sheet_pdf.footnote", lang=lang), t("briefing.page", lang=lang))
    pdf.set_title(title)
    pdf.set_author(t("app.title", lang=lang))
    pdf.set_creator(t("app.title", lang=lang))
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(20, 20, 20)
    pdf.multi_cell(0, 9, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*GRAY)
    when = datetime.now(_TZ).strftime("%Y-%m-%d %H:%M")
    pdf.multi_cell(0, 5, t("appraisal.sheet_pdf.scheme", lang=lang, scheme=scheme.label(lang)), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, t("appraisal.sheet_pdf.meta", lang=lang, last=fig.year - 1, month=block.as_of, when=when),
                   align="L", new_x="LMARGIN", new_y="NEXT")
    if block.demo or scheme.sample:
        pdf.set_text_color(*ORANGE)
        notes = [t("briefing.demo", lang=lang)] if block.demo else []
        notes += [t("appraisal.page.sample_scheme", lang=lang)] if scheme.sample else []
        pdf.multi_cell(0, 5, " ".join(notes), align="L", new_x="LMARGIN", new_y="NEXT")
    if rows.total is not None:
        pdf.ln(2)
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*BLUE)
        key = "appraisal.sheet_pdf.score_rank" if rows.rank is not None and rows.of > 1 else "appraisal.sheet_pdf.score"
        pdf.cell(0, 7, t(key, lang=lang, score=f"{round(rows.total, 1):g}", rank=rows.rank, of=rows.of),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9.5)
        pdf.set_text_color(20, 20, 20)
        parts = [f"{scheme.dimension_label(dimension, lang)} {round(points, 1):g}"
                 for dimension, points in rows.dimensions.items()]
        pdf.multi_cell(0, 5, t("appraisal.sheet_pdf.dimensions", lang=lang, parts="；".join(parts) if lang == "zh"
                               else "; ".join(parts)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=9)
    table(pdf, rows.table, WIDTHS if rows.total is not None else WIDTHS_UNSCORED, font_size=9.5, line_height=6)
    # Room for the county's stamp and signature: the sheet is what a county hands in.
    pdf.ln(10)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(20, 20, 20)
    pdf.cell(0, 7, t("appraisal.sheet_pdf.sign", lang=lang), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

"""会议简报 Meeting briefing: the selection's headline indicators against targets and its main charts as one
PDF in the reader's language, made on the server without the internet.

fpdf2 embeds a subset of Noto Sans CJK SC (Debian's fonts-noto-cjk, an OpenType/CFF collection), so the
file shows Chinese on any reader, with the glyphs' Unicode mapping so the text can be searched and
copied. Charts are vl-convert PNGs (healthdash.ui.chart_export); the written summary paragraph is
healthdash.reports.summary.summary_text(filters, lang).
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from healthdash.core.filters import Filters
from healthdash.core.fmt import MISSING, fmt_value
from healthdash.core.i18n import current_lang, speaking, t
from healthdash.core.wording import delta_text, status_label, target_bound
from healthdash.data.kpi import Kpi, applicable, headline, indicator_catalog
from healthdash.domains.overview.data import HEADLINE
from healthdash.reports.summary import summary_text
from healthdash.ui import chart_export, widgets

# Rankings printed, first those with a target the commission is measured on.
RANKED = ["county_retention_rate", "primary_visit_share", "fd_coverage"]
MAX_RANKINGS = 2
PDF_MIME = "application/pdf"
_TZ = ZoneInfo("Asia/Shanghai")


def _change_text(kpi: Kpi, compare: str, lang: str) -> str:
    return delta_text(kpi.indicator, kpi.value, kpi.base, compare, lang) or MISSING


def headline_frame(kpis: list[Kpi], compare: str, lang: str) -> pd.DataFrame:
    """The headline table as printed: indicator, value, target, met, change (Chinese headers)."""
    rows = []
    for kpi in kpis:
        indicator = kpi.indicator
        status = MISSING if kpi.meets is None else status_label(kpi.meets, lang)
        rows.append({
            t("briefing.col_indicator", lang=lang): indicator.name(lang),
            t("briefing.col_value", lang=lang): fmt_value(kpi.value, indicator.unit, lang=lang, compact=False),
            t("briefing.col_target", lang=lang): target_bound(indicator, lang),
            t("briefing.col_status", lang=lang): status,
            t("briefing.col_change", lang=lang, compare=t(f"compare.{compare}", lang=lang)): _change_text(kpi, compare, lang),
        })
    return pd.DataFrame(rows)


def briefing_pdf(filters: Filters, lang: str | None = None) -> bytes:
    """The briefing for `filters` as PDF bytes, every word of it (charts and tables too) in `lang`."""
    lang = lang or current_lang()
    with speaking(lang):
        return _briefing_pdf(filters, lang)


def _briefing_pdf(filters: Filters, lang: str) -> bytes:
    # fpdf takes a third of a second to import: only a click on the button pays for it, not every start.
    from healthdash.reports.pdf_document import FONT, GRAY, ORANGE, BriefingDocument, image_height, table

    demo = widgets.dataset_kind() == "demo"
    selection = widgets.selection_title(filters, lang)
    block = widgets.title_block(t("briefing.title", lang=lang), filters, lang)
    pdf = BriefingDocument(t("briefing.footnote", lang=lang), t("briefing.page", lang=lang))
    pdf.set_title(f"{t('briefing.title', lang=lang)} · {selection}")
    pdf.set_author(t("app.title", lang=lang))
    pdf.set_creator(t("app.title", lang=lang))
    pdf.add_page()

    pdf.set_font(FONT, "B", 20)
    pdf.set_text_color(20, 20, 20)
    pdf.cell(0, 11, t("briefing.title", lang=lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.paragraph(selection, 7)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*GRAY)
    when = datetime.now(_TZ).strftime("%Y-%m-%d %H:%M")
    pdf.cell(0, 6, t("briefing.generated", lang=lang, when=when), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, t("export.line_as_of", lang=lang, month=block.as_of), new_x="LMARGIN", new_y="NEXT")
    if demo:
        pdf.set_text_color(*ORANGE)
        pdf.paragraph(t("briefing.demo", lang=lang), 5)

    text = summary_text(filters, lang)
    if text:
        pdf.heading(t("briefing.summary", lang=lang))
        pdf.set_font(FONT, size=10.5)
        pdf.set_text_color(20, 20, 20)
        pdf.paragraph(text, 6.2)

    pdf.heading(t("briefing.headline", lang=lang))
    codes, _ = applicable(filters, HEADLINE)
    kpis = headline(filters, codes)
    table(pdf, headline_frame(kpis, filters.compare, lang), (62, 30, 26, 28, 32), status_column=3)

    catalog = indicator_catalog()
    figures = []
    for code in (code for code in RANKED if code in codes):
        figure = widgets.ranking_figure(filters, catalog[code])
        if figure is not None:
            figures.append((catalog[code], figure[0]))
        if len(figures) == MAX_RANKINGS:
            break
    if figures:
        pdf.heading(t("briefing.rankings", lang=lang), room_after=90)
        for indicator, chart in figures:
            png = chart_export.chart_png(chart, t("export.ranking_title", lang=lang, indicator=indicator.name(lang)),
                                         width=1000, scale=2)
            height_mm = image_height(png, pdf.epw)
            if pdf.get_y() + height_mm > pdf.page_break_trigger:
                pdf.add_page()
            pdf.image(io.BytesIO(png), x=pdf.l_margin, w=pdf.epw)
            pdf.ln(3)

    pdf.heading(t("briefing.attention", lang=lang))
    attention = widgets.attention_frame(filters, codes, limit=10)
    if attention.empty:
        pdf.set_font(FONT, size=10)
        key = "briefing.attention_none" if widgets.attention_comparable(filters, codes) else "briefing.attention_no_children"
        pdf.cell(0, 6, t(key, lang=lang), new_x="LMARGIN", new_y="NEXT")
    else:
        table(pdf, attention, (40, 62, 26, 24, 26))
    return bytes(pdf.output())


def file_name(filters: Filters, lang: str | None = None) -> str:
    """`医联体运行监测简报_雅安市名山区_2024年1-6月.pdf`: the briefing, its place and period."""
    lang = lang or current_lang()
    return widgets.title_block(t("briefing.title", lang=lang), filters, lang).file_name("pdf")

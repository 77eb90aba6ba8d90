"""Meeting documents of any page: the content both files share (the selection, the 运行简报, the headline
table, the page's charts and tables section by section), gathered once per click.

The Word 专报 is healthdash.reports.word_document, the slides healthdash.reports.slide_deck (the buttons:
healthdash.reports.documents); both take a `Content` and return bytes, in the interface language, with nothing fetched from anywhere (charts are
vl-convert PNGs, healthdash.ui.chart_export).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from healthdash.core import exports
from healthdash.core.exports import Kinds, TitleBlock, column_kinds
from healthdash.core.filters import Filters
from healthdash.core.i18n import current_lang, t
from healthdash.data.kpi import applicable, headline
from healthdash.domains.overview.data import HEADLINE
from healthdash.reports import summary
from healthdash.reports import summary_rules as rules
from healthdash.reports.briefing import headline_frame
from healthdash.ui import chart_export, widgets
from healthdash.ui.capture import Capture
from healthdash.ui.chart_cache import ChartSpec

# Charts drawn for a page of A4 or a 16:9 slide: wide enough for their labels, sharp when projected.
CHART_WIDTH = 1100
CHART_SCALE = 2.0
_TZ = ZoneInfo("Asia/Shanghai")
# Sentences of the 运行简报 per paragraph: a page of short paragraphs reads as a list, one long one as a wall.
_SENTENCES_PER_PARAGRAPH = 2


@dataclass(frozen=True)
class Figure:
    """A chart or a table, under its title."""

    title: str
    chart: ChartSpec | None = None
    table: pd.DataFrame | None = None
    kinds: Kinds | None = None

    def rows(self, max_rows: int, max_columns: int, lang: str) -> list[list[str]]:
        """The table as printed: the header, then at most `max_rows` rows of `max_columns` cells, each
        formatted by its column's kind (97.2%, +7.0%, 2.3个百分点, 1,234)."""
        assert self.table is not None
        shown = self.table.iloc[:max_rows, :max_columns]
        kinds = column_kinds(self.table, self.kinds)  # per row kinds are given for the whole table
        columns = [[cell(value, kind, lang) for value, kind in zip(shown.iloc[:, i], kinds[i], strict=False)]
                   for i in range(len(shown.columns))]
        return [[str(column) for column in shown.columns], *(list(row) for row in zip(*columns, strict=True))]


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Content:
    """What a meeting document of one page says, every word already in `lang`."""

    page: str
    block: TitleBlock
    selection: str
    notes: tuple[str, ...]  # what the figures rest on besides the selection: the what-if levers
    issued: str
    paragraphs: tuple[str, ...]
    headline: pd.DataFrame
    sections: tuple[Section, ...]
    lang: str

    def text(self, key: str, **values: object) -> str:
        return t(key, lang=self.lang, **values)

    @property
    def title(self) -> str:
        return self.text("meeting.title")

    @property
    def source(self) -> str:
        return self.text("meeting.source", app=self.text("app.title"), place=self.block.place,
                         period=self.block.period, as_of=self.block.as_of)


def issued_on(when: datetime, lang: str) -> str:
    """The issuing date as a commission writes it: 2024年7月5日, or 5 July 2024."""
    if lang == "en":
        return f"{when.day} {calendar.month_name[when.month]} {when.year}"
    return f"{when.year}年{when.month}月{when.day}日"


def paragraphs(sentences: list[str], lang: str) -> tuple[str, ...]:
    groups = [sentences[i:i + _SENTENCES_PER_PARAGRAPH] for i in range(0, len(sentences), _SENTENCES_PER_PARAGRAPH)]
    return tuple(rules.join(group, lang) for group in groups if group)


def png(chart: ChartSpec, width: int = CHART_WIDTH, height: int | None = None) -> bytes | None:
    """The chart as a PNG `width` × `height` pixels (its own height by default) at CHART_SCALE; None when
    vl-convert cannot draw it."""
    try:
        return chart_export.chart_png(chart, None, width=width, height=height, scale=CHART_SCALE)
    except Exception:  # noqa: BLE001 — one chart vl-convert cannot draw leaves a note, not a failed document
        return None


def _chart_title(chart: ChartSpec, fallback: str) -> str:
    title = chart.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return title if isinstance(title, str) and title.strip() else fallback


def content(page: str, filters: Filters, drawn: Capture, lang: str | None = None,
            when: datetime | None = None) -> Content:
    """The document's content for the page titled `page`: what `drawn` noted while the page ran."""
    lang = lang or current_lang()
    codes, _ = applicable(filters, HEADLINE)
    sections = []
    for part in drawn.filled():
        figures = [Figure(_chart_title(chart, part.title), chart=chart) for chart in part.charts]
        figures += [Figure(title, table=frame, kinds=kinds) for title, frame, kinds in part.tables]
        sections.append(Section(part.title, tuple(figures)))
    return Content(
        page=page,
        block=widgets.title_block(page, filters, lang),
        selection=widgets.selection_title(filters, lang),
        notes=drawn.notes(),
        issued=issued_on(when or datetime.now(_TZ), lang),
        paragraphs=paragraphs(rules.sentences(summary.gather(filters, lang=lang), lang), lang),
        headline=headline_frame(headline(filters, codes), filters.compare, lang),
        sections=tuple(sections),
        lang=lang,
    )


def cell(value: object, kind: str | None = None, lang: str = "zh") -> str:
    """A table cell as printed: no NaN, no 12345.678901, thousands grouped, fractions as percentages."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and kind is not None:
        number = float(value)
        if kind == exports.PERCENT:
            return f"{number * 100:.1f}%"
        if kind == exports.GROWTH:
            return f"{number * 100:+.1f}%"
        if kind == exports.PP:
            return f"{number:.1f} pp" if lang == "en" else f"{number:.1f}个百分点"
        if kind == exports.RATIO:
            return f"{number:.2f}"
        if kind in (exports.COUNT, exports.MONEY):
            return f"{number:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    return str(value)


def _text_width(text: str) -> int:
    """Columns a text takes: a Chinese character two, anything else one."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def column_shares(rows: list[list[str]], widest: int = 28, narrowest: int = 8) -> list[float]:
    """Each column's share of a table's width, by its longest text (the header's included), within bounds
    so that a long name wraps instead of squeezing every figure beside it."""
    needs = [min(widest, max(narrowest, *(_text_width(row[i]) for row in rows))) for i in range(len(rows[0]))]
    return [need / sum(needs) for need in needs]

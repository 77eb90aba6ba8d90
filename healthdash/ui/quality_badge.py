"""The badge under every page header: 数据截至 YYYY年M月 · 上报率 x% for the selection, linking to the
数据质量 page with the same selection, and "* 3家机构未上报" when reports are missing (issue 20).
One cached query (report_rate_totals) per selection."""

from __future__ import annotations

import streamlit as st

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_month
from healthdash.core.i18n import current_lang, t
from healthdash.domains.quality import data as quality
from healthdash.ui import account

QUALITY_SCRIPT = "pages/quality.py"
QUALITY_PATH = "quality"


def badge_text(filters: Filters, short: bool = False) -> str | None:
    """The badge's words for the selection; None when it owes no report at all. `short`: for presenter
    mode's one title line, "数据截至2025年12月 · 上报率99.9%＊" (＊: some reports are missing)."""
    account.viewer()  # sets the jurisdiction the figures are read within
    cover = quality.coverage(filters)
    if cover.reporting_rate is None:
        return None
    lang = current_lang()
    month = fmt_month(cover.last_month, lang=lang) if cover.last_month else "—"
    rate = quality.rate_text(cover.reporting_rate)
    if short:
        return t("quality.badge.short", month=month, rate=rate) + ("" if cover.complete else t("quality.gap.mark"))
    text = t("quality.badge.text", month=month, rate=rate)
    if not cover.complete:
        text += "  " + t("quality.badge.missing", units=cover.units_missing)
    return text


def quality_badge(filters: Filters) -> None:
    """The badge as a link to the quality page (a plain caption for a viewer who may not open it)."""
    text = badge_text(filters)
    who = account.viewer()
    if text is None:
        return
    if account.may_open(who, QUALITY_PATH):
        st.page_link(QUALITY_SCRIPT, label=text, icon=":material/fact_check:", help=t("quality.badge.help"),
                     query_params=filters.to_query())
    else:
        st.caption(text)

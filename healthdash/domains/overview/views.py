"""总览 Overview page sections: headline indicators against targets, a ranking one level down, what needs
attention. `sections(filters)` returns them in screen order for layout.render_page."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from healthdash.core.applicability import Excluded
from healthdash.core.filters import Filters
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.kpi import Kpi, applicable, headline, indicator_catalog
from healthdash.domains.overview.data import HEADLINE
from healthdash.reports import summary
from healthdash.reports import summary_rules as rules
from healthdash.ui import maps, urlstate, widgets
from healthdash.ui.layout import Section

# The copyable full text sits in a text box (select all, copy: that works on a plain-HTTP intranet, where
# browsers refuse a page's copy button the clipboard, and it spares every first visit the half second the
# browser spends loading st.code's syntax highlighter). It reads like the text above it: airy lines.
_STYLE = """
<style>
.st-key-run_summary textarea { line-height: 1.75 !important; }
</style>
"""


def run_summary(filters: Filters, codes: Sequence[str]) -> None:
    """A compact box: the first sentences readable at a glance, the whole text one click away to copy."""
    lang = current_lang()
    parts = rules.sentences(summary.gather(filters, codes), lang)
    lead = rules.join(parts[:2], lang)
    st.html(_STYLE)
    with st.container(border=True, key="run_summary"):
        st.markdown(f"**{t('summary.title')}**{'：' if lang != 'en' else ': '}{inert(lead)}")
        if len(parts) > 2:
            with st.expander(t("summary.full"), icon=":material/content_copy:"):
                st.text_area(t("summary.copy_help"), rules.join(parts, lang), height=220)


def rank_by(code: str) -> None:
    """A KPI card's link down: the ranking below shows the places one level down by that indicator."""
    st.session_state["rank"] = code


def kpis(filters: Filters, cards: list[Kpi], excluded: list[Excluded]) -> None:
    widgets.kpi_grid(cards, filters, drill=rank_by)
    widgets.not_applicable_note(excluded)


def ranking(filters: Filters, ranked: list[str]) -> None:
    catalog = indicator_catalog()
    # "rank" is the user's choice, kept in the URL at every level; where it has nothing to rank, the
    # select shows the first indicator that has, and the choice comes back one level up.
    urlstate.choice("rank", HEADLINE, HEADLINE[0])
    wanted = st.session_state["rank"]
    st.session_state["rank_shown"] = wanted if wanted in ranked else ranked[0]
    st.selectbox(
        t("overview.ranking_indicator"), ranked, key="rank_shown",
        format_func=lambda code: catalog[code].name(current_lang()),
        on_change=lambda: st.session_state.update(rank=st.session_state["rank_shown"]),
    )
    urlstate.write_choice("rank", HEADLINE[0])
    widgets.ranking_chart(filters, catalog[st.session_state["rank_shown"]], downloads=True)


def sections(filters: Filters) -> list[Section]:
    """The run summary first (drawn now, before the empty check, as always); with no headline figure at all
    the empty state and the run stops."""
    shown, excluded = applicable(filters, HEADLINE)
    run_summary(filters, shown)
    cards = headline(filters, shown)
    if all(card.value is None for card in cards):
        widgets.empty_state()
        st.stop()
    # Only indicators with places one level down (a county has no counties to rank by 县域内就诊率).
    ranked = widgets.rankable(filters, shown)
    # One below the other: beside the ranking, the attention table's five columns did not fit a 1280-wide screen.
    return [
        Section(t("overview.headline"), lambda: kpis(filters, cards, excluded), heading=False),
        *([Section(t("overview.ranking"), lambda: ranking(filters, ranked))] if ranked else []),
        Section(t("overview.attention"), lambda: widgets.attention_table(filters, shown, downloads=True)),
        *([Section(t("maps.title"), lambda: maps.indicator_map(filters, ranked))] if ranked else []),
    ]

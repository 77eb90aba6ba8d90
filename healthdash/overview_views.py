"""总览 Overview page sections: headline indicators against targets, a ranking one level down, what needs
attention. `sections(filters)` returns them in screen order for layout.render_page."""

from __future__ import annotations

import streamlit as st

from healthdash import briefing, summary, ui, urlstate
from healthdash.applicability import Excluded
from healthdash.filters import Filters
from healthdash.i18n import current_lang, t
from healthdash.kpi import Kpi, applicable, headline, indicator_catalog
from healthdash.layout import Section
from healthdash.overview import HEADLINE


def rank_by(code: str) -> None:
    """A KPI card's link down: the ranking below shows the places one level down by that indicator."""
    st.session_state["rank"] = code


def kpis(filters: Filters, cards: list[Kpi], excluded: list[Excluded]) -> None:
    ui.kpi_grid(cards, filters, drill=rank_by)
    ui.not_applicable_note(excluded)


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
    ui.ranking_chart(filters, catalog[st.session_state["rank_shown"]], downloads=True)


def sections(filters: Filters) -> list[Section]:
    """The run summary first (drawn now, before the empty check, as always); with no headline figure at all
    the empty state and the run stops."""
    shown, excluded = applicable(filters, HEADLINE)
    summary.render_summary(filters, shown)
    cards = headline(filters, shown)
    if all(card.value is None for card in cards):
        ui.empty_state()
        st.stop()
    # Only indicators with places one level down (a county has no counties to rank by 县域内就诊率).
    ranked = ui.rankable(filters, shown)
    # Side by side when there is a ranking; the attention table alone takes the width.
    return [
        Section(t("overview.headline"), lambda: kpis(filters, cards, excluded), heading=False),
        Section(t("briefing.button"), lambda: briefing.download_button(filters), heading=False, slide=False),
        *([Section(t("overview.ranking"), lambda: ranking(filters, ranked), width=3)] if ranked else []),
        Section(t("overview.attention"), lambda: ui.attention_table(filters, shown, downloads=True),
                width=2 if ranked else None),
    ]

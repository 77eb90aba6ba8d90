"""总览 Overview: headline indicators against targets, a ranking one level down, what needs attention."""

import streamlit as st

from healthdash import briefing, presenter, summary, ui, urlstate
from healthdash.i18n import current_lang, t
from healthdash.kpi import applicable, headline, indicator_catalog
from healthdash.overview import HEADLINE
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("overview.title"), filters)
SHOWN, EXCLUDED = applicable(filters, HEADLINE)
summary.render_summary(filters, SHOWN)

kpis = headline(filters, SHOWN)
if all(kpi.value is None for kpi in kpis):
    ui.empty_state()
    st.stop()
catalog = indicator_catalog()
# Only indicators with places one level down (a county has no counties to rank by 县域内就诊率).
RANKED = ui.rankable(filters, SHOWN)


def rank_by(code: str) -> None:
    """A KPI card's link down: the ranking below shows the places one level down by that indicator."""
    st.session_state["rank"] = code


def show_kpis() -> None:
    ui.kpi_grid(kpis, filters, drill=rank_by)
    ui.not_applicable_note(EXCLUDED)


def show_ranking() -> None:
    # "rank" is the user's choice, kept in the URL at every level; where it has nothing to rank, the
    # select shows the first indicator that has, and the choice comes back one level up.
    urlstate.choice("rank", HEADLINE, HEADLINE[0])
    wanted = st.session_state["rank"]
    st.session_state["rank_shown"] = wanted if wanted in RANKED else RANKED[0]
    st.selectbox(
        t("overview.ranking_indicator"), RANKED, key="rank_shown",
        format_func=lambda code: catalog[code].name(current_lang()),
        on_change=lambda: st.session_state.update(rank=st.session_state["rank_shown"]),
    )
    urlstate.write_choice("rank", HEADLINE[0])
    ui.ranking_chart(filters, catalog[st.session_state["rank_shown"]], downloads=True)


def show_attention() -> None:
    ui.attention_table(filters, SHOWN, downloads=True)


slides = [
    presenter.Slide(t("overview.headline"), show_kpis),
    *([presenter.Slide(t("overview.ranking"), show_ranking)] if RANKED else []),
    presenter.Slide(t("overview.attention"), show_attention),
]
if presenter.slideshow("overview", slides):
    st.stop()
show_kpis()
briefing.download_button(filters)
ranking, attention = st.columns([3, 2], gap="large") if RANKED else (None, st.container())
if ranking is not None:
    with ranking:
        st.subheader(t("overview.ranking"), anchor=False)
        show_ranking()
with attention:
    st.subheader(t("overview.attention"), anchor=False)
    show_attention()

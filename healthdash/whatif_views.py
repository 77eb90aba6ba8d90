"""情景推演 What-if page sections: the indicators before and after against their targets, the insurance fund
kept in the county, the county ranking before and after, and the model's assumptions.

`sections(filters)` draws the levers (the page's inputs) first, then returns the sections for
layout.render_page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from healthdash import downloads, presenter, scenario, ui, urlstate, whatif
from healthdash.filters import Filters
from healthdash.i18n import current_lang, t
from healthdash.kpi import indicator_catalog
from healthdash.layout import Section
from healthdash.markup import inert


@dataclass(frozen=True)
class Case:
    """What every section draws from: the selection, the levers' outcome, the reserve and the lever notes."""

    filters: Filters
    result: whatif.Outcome
    reserve: scenario.Reserve
    notes: tuple[str, ...]


def levers() -> scenario.Levers:
    """The levers: folded into an expander in presenter mode (closed while a slide shows)."""
    if presenter.active():
        box = st.expander(t("whatif.levers"), icon=":material/tune:", expanded=not presenter.slideshow_running())
    else:
        st.caption(t("whatif.intro"))
        box = st.container(border=True)
    with box:
        return whatif.lever_panel()


def comparison(case: Case) -> None:
    frame = whatif.comparison(case.result)
    chart = whatif.comparison_chart(frame)
    st.caption(t("whatif.comparison_caption"))
    presenter.altair_chart(chart)
    st.dataframe(whatif.comparison_table(frame), hide_index=True, width="stretch")
    export, kinds = whatif.comparison_export(frame)
    downloads.download_row("whatif_comparison",
                           ui.title_block(t("whatif.comparison"), case.filters, notes=case.notes),
                           chart=chart, table=export, kinds=kinds)


def fund_and_reserve(case: Case) -> None:
    fund_kept, per_case = whatif.fund_text(case.result)
    reserve_text = whatif.reserve_texts(case.reserve)
    money, appointments, beds = st.columns(3)
    with money, st.container(border=True):
        st.metric(t("whatif.fund_kept"), fund_kept, help=t("whatif.fund_help", per_case=per_case))
        st.caption(t("whatif.fund_caption", per_case=per_case))
    with appointments, st.container(border=True):
        st.metric(t("whatif.reserve_appt"), reserve_text["appointment_coverage"], help=t("whatif.reserve_help"))
        st.caption(t("whatif.reserve_appt_caption", **reserve_text))
    with beds, st.container(border=True):
        st.metric(t("whatif.reserve_bed"), reserve_text["bed_coverage"], help=t("whatif.reserve_help"))
        st.caption(t("whatif.reserve_bed_caption", **reserve_text))
    if case.reserve.demand_unknown:
        st.caption(t("whatif.reserve_unknown", **reserve_text))


def ranking(case: Case) -> None:
    filters, lang, catalog = case.filters, current_lang(), indicator_catalog()
    codes = list(scenario.AFFECTED)
    urlstate.choice(whatif.RANK_KEY, codes, codes[0])
    st.selectbox(t("whatif.ranking_indicator"), codes, key=whatif.RANK_KEY,
                 format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(whatif.RANK_KEY, codes[0])
    indicator = catalog[st.session_state[whatif.RANK_KEY]]
    ranked = whatif.ranking(case.result, indicator)
    if ranked.empty:
        ui.empty_state()
        return
    st.caption(t("whatif.ranking_caption", indicator=inert(indicator.name(lang))) + t("whatif.ranking_click"))
    ranked_chart = whatif.ranking_chart(ranked, indicator)
    ranked_table = whatif.ranking_table(ranked, indicator)
    # The place is part of the key: after a drill-down the next chart starts without a selection.
    event = presenter.altair_chart(ranked_chart, key=f"whatif_rank_{filters.place or 'all'}_{indicator.code}",
                                   on_select="rerun")
    picked = ui.selected_values(event, whatif.RANKING_CLICK, "county_code")
    if picked:
        ui.drill(filters, "county", picked[0])
    with st.expander(t("whatif.ranking_table")):
        st.dataframe(ranked_table, hide_index=True, width="stretch")
    export, kinds = whatif.ranking_export(ranked, indicator)
    downloads.download_row("whatif_ranking",
                           ui.title_block(t("whatif.ranking_title", indicator=indicator.name(lang)), filters,
                                          notes=case.notes),
                           chart=ranked_chart, table=export, kinds=kinds)


def assumptions(case: Case) -> None:
    _, per_case = whatif.fund_text(case.result)
    st.markdown("\n".join(f"- {t(f'whatif.assumption_{n}', per_case=per_case)}" for n in range(1, 8)))


def sections(filters: Filters) -> list[Section]:
    """The levers, then the sections; with nothing to compute from, the empty state and the run stops."""
    chosen = levers()
    result = whatif.outcome(filters, chosen)
    if result.before == scenario.Counts():
        ui.empty_state()
        st.stop()
    case = Case(filters, result, scenario.reserve(whatif.receivers(filters), chosen),
                      whatif.lever_notes(chosen))
    return [
        Section(t("whatif.comparison"), lambda: comparison(case)),
        Section(t("whatif.money"), lambda: fund_and_reserve(case)),
        Section(t("whatif.ranking"), lambda: ranking(case)),
        Section(t("whatif.assumptions"), lambda: assumptions(case)),
    ]

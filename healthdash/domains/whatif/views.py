"""情景推演 What-if page sections: the indicators before and after against their targets, the insurance fund
kept in the county, the county ranking before and after, and the model's assumptions.

`sections(filters)` draws the levers (the page's inputs) first, then returns the sections for
layout.render_page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_count
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.whatif import charts as whatif_charts
from healthdash.domains.whatif import data as whatif
from healthdash.domains.whatif import scenario
from healthdash.domains.whatif.data import FD_MODE_KEY, FD_MODES, LEVERS, LeverSpec
from healthdash.domains.whatif.scenario import Levers
from healthdash.ui import downloads, presenter, urlstate, widgets
from healthdash.ui.layout import Section


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
        return lever_panel()


def comparison(case: Case) -> None:
    frame = whatif.comparison(case.result)
    chart = whatif_charts.comparison_chart(frame)
    st.caption(t("whatif.comparison_caption"))
    presenter.altair_chart(chart)
    if not presenter.slideshow_running():  # on a slide the table is the next slide
        st.dataframe(whatif.comparison_table(frame), hide_index=True, width="stretch")
    export, kinds = whatif.comparison_export(frame)
    downloads.download_row("whatif_comparison",
                           widgets.title_block(t("whatif.comparison"), case.filters, notes=case.notes),
                           chart=chart, table=export, kinds=kinds)


def comparison_table(case: Case) -> None:
    """The comparison's table, a slide of its own: under the chart it did not fit 1280×720."""
    st.dataframe(whatif.comparison_table(whatif.comparison(case.result)), hide_index=True, width="stretch")


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


SLIDE_ROWS = 8


def ranking(case: Case) -> None:
    filters, lang, catalog = case.filters, current_lang(), indicator_catalog()
    codes = list(scenario.AFFECTED)
    urlstate.choice(whatif.RANK_KEY, codes, codes[0])
    with st.container(key=presenter.PAGE_PICKER):  # hidden on a slide: the caption names the indicator
        st.selectbox(t("whatif.ranking_indicator"), codes, key=whatif.RANK_KEY,
                     format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(whatif.RANK_KEY, codes[0])
    indicator = catalog[st.session_state[whatif.RANK_KEY]]
    ranked = whatif.ranking(case.result, indicator)
    if ranked.empty:
        widgets.empty_state()
        return
    st.caption(t("whatif.ranking_caption", indicator=inert(indicator.name(lang))) + t("whatif.ranking_click"))
    # A slide shows the first counties at a size a projector can carry; the page and the files show them all.
    if presenter.slideshow_running() and len(ranked) > SLIDE_ROWS:
        st.caption(t("whatif.ranking_slide_top", shown=SLIDE_ROWS, total=len(ranked)))
        shown_chart = whatif_charts.ranking_chart(ranked.head(SLIDE_ROWS), indicator)
    else:
        shown_chart = None
    ranked_chart = whatif_charts.ranking_chart(ranked, indicator)
    ranked_table = whatif.ranking_table(ranked, indicator)
    # The place is part of the key: after a drill-down the next chart starts without a selection.
    event = presenter.altair_chart(shown_chart or ranked_chart,
                                   key=f"whatif_rank_{filters.place or 'all'}_{indicator.code}",
                                   on_select="rerun")
    picked = widgets.selected_values(event, whatif.RANKING_CLICK, "county_code")
    if picked:
        widgets.drill(filters, "county", picked[0])
    if not presenter.slideshow_running():
        with st.expander(t("whatif.ranking_table")):
            st.dataframe(ranked_table, hide_index=True, width="stretch")
    export, kinds = whatif.ranking_export(ranked, indicator)
    downloads.download_row("whatif_ranking",
                           widgets.title_block(t("whatif.ranking_title", indicator=indicator.name(lang)), filters,
                                          notes=case.notes),
                           chart=ranked_chart, table=export, kinds=kinds)


def assumptions(case: Case) -> None:
    _, per_case = whatif.fund_text(case.result)
    st.markdown("\n".join(f"- {t(f'whatif.assumption_{n}', per_case=per_case)}" for n in range(1, 8)))


def sections(filters: Filters) -> list[Section]:
    """The levers, then the sections; with nothing to compute from, the empty state and the run stops."""
    chosen = levers()
    presenter.add_to_title_line(whatif.lever_line(chosen))
    result = whatif.outcome(filters, chosen)
    if result.before == scenario.Counts():
        widgets.empty_state()
        st.stop()
    case = Case(filters, result, scenario.reserve(whatif.receivers(filters), chosen),
                      whatif.lever_notes(chosen))
    return [
        Section(t("whatif.comparison"), lambda: comparison(case)),
        *([Section(t("whatif.comparison_table"), lambda: comparison_table(case))]
          if presenter.slideshow_running() else []),
        Section(t("whatif.money"), lambda: fund_and_reserve(case)),
        Section(t("whatif.ranking"), lambda: ranking(case)),
        Section(t("whatif.assumptions"), lambda: assumptions(case)),
    ]


def _slider(spec: LeverSpec) -> int:
    urlstate.slider(spec.key, spec.low, spec.high, spec.default, spec.step)
    st.slider(
        t(f"whatif.lever_{spec.key}"), spec.low, spec.high, step=spec.step, key=spec.key,
        format="%d%%" if spec.percent else "%d", help=t(f"whatif.lever_{spec.key}_help"),
    )
    urlstate.write_slider(spec.key, spec.default)
    return int(st.session_state[spec.key])


def lever_panel() -> Levers:
    """The sliders, three columns wide, each kept in the URL; returns the levers as fractions."""
    first, second, third = st.columns(3, gap="large")
    with first:
        back = _slider(LEVERS["back"])
        shift = _slider(LEVERS["shift"])
    with second:
        down = _slider(LEVERS["down"])
        urlstate.choice(FD_MODE_KEY, list(FD_MODES), FD_MODES[0])
        st.radio(t("whatif.fd_mode"), list(FD_MODES), key=FD_MODE_KEY, horizontal=True,
                 format_func=lambda mode: t(f"whatif.fd_mode_{mode}"))
        urlstate.write_choice(FD_MODE_KEY, FD_MODES[0])
        if st.session_state[FD_MODE_KEY] == "teams":
            teams = _slider(LEVERS["fd_teams"])
            size = _slider(LEVERS["fd_size"])
            added = teams * size
            st.caption(t("whatif.fd_teams_total", added=fmt_count(added)))
        else:
            added = _slider(LEVERS["fd_add"])
    with third:
        appointments = _slider(LEVERS["res_appt"])
        beds = _slider(LEVERS["res_bed"])
    return Levers(
        bring_back=back / 100,
        shift_primary=shift / 100,
        down_growth=down / 100,
        contracts_added=float(added),
        reserve_appointments=appointments / 100,
        reserve_beds=beds / 100,
    )

"""情景推演 What-if: policy levers as sliders, the indicators before and after against their targets, the
county ranking before and after, the insurance fund kept in the county, and the model's assumptions."""

import streamlit as st

from healthdash import downloads, presenter, scenario, ui, urlstate, whatif
from healthdash.i18n import current_lang, t
from healthdash.kpi import indicator_catalog
from healthdash.markup import inert
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("whatif.title"), filters)
lang = current_lang()
catalog = indicator_catalog()

if presenter.active():
    levers_box = st.expander(t("whatif.levers"), icon=":material/tune:", expanded=not presenter.slideshow_running())
else:
    st.caption(t("whatif.intro"))
    levers_box = st.container(border=True)
with levers_box:
    levers = whatif.lever_panel()

result = whatif.outcome(filters, levers)
if result.before == scenario.Counts():
    ui.empty_state()
    st.stop()
frame = whatif.comparison(result)
table = whatif.comparison_table(frame)
chart = whatif.comparison_chart(frame)
reserve = scenario.reserve(whatif.receivers(filters), levers)
fund_kept, per_case = whatif.fund_text(result)
reserve_text = whatif.reserve_texts(reserve)
notes = whatif.lever_notes(levers)


def show_comparison() -> None:
    st.caption(t("whatif.comparison_caption"))
    presenter.altair_chart(chart)
    st.dataframe(table, hide_index=True, width="stretch")
    export, kinds = whatif.comparison_export(frame)
    downloads.download_row("whatif_comparison", ui.title_block(t("whatif.comparison"), filters, notes=notes),
                         chart=chart, table=export, kinds=kinds)


def show_fund_and_reserve() -> None:
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
    if reserve.demand_unknown:
        st.caption(t("whatif.reserve_unknown", **reserve_text))


def show_ranking() -> None:
    codes = list(scenario.AFFECTED)
    urlstate.choice(whatif.RANK_KEY, codes, codes[0])
    st.selectbox(t("whatif.ranking_indicator"), codes, key=whatif.RANK_KEY,
                 format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(whatif.RANK_KEY, codes[0])
    indicator = catalog[st.session_state[whatif.RANK_KEY]]
    ranked = whatif.ranking(result, indicator)
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
                         ui.title_block(t("whatif.ranking_title", indicator=indicator.name(lang)), filters, notes=notes),
                         chart=ranked_chart, table=export, kinds=kinds)


def show_assumptions() -> None:
    st.markdown("\n".join(f"- {t(f'whatif.assumption_{n}', per_case=per_case)}" for n in range(1, 8)))


slides = [
    presenter.Slide(t("whatif.comparison"), show_comparison),
    presenter.Slide(t("whatif.money"), show_fund_and_reserve),
    presenter.Slide(t("whatif.ranking"), show_ranking),
    presenter.Slide(t("whatif.assumptions"), show_assumptions),
]
if presenter.slideshow("whatif", slides):
    st.stop()

st.subheader(t("whatif.comparison"), anchor=False)
show_comparison()
st.subheader(t("whatif.money"), anchor=False)
show_fund_and_reserve()
st.subheader(t("whatif.ranking"), anchor=False)
show_ranking()
st.subheader(t("whatif.assumptions"), anchor=False)
show_assumptions()

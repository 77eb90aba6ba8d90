"""总览 Overview: headline indicators against targets, a ranking one level down, what needs attention."""

import streamlit as st

from healthdash import ui, urlstate
from healthdash.i18n import current_lang, t
from healthdash.kpi import headline, indicator_catalog
from healthdash.sidebar import sidebar_filters

HEADLINE = [
    "county_retention_rate",
    "primary_visit_share",
    "in_county_inpatient_share",
    "down_up_ratio",
    "out_of_county_referrals",
    "fd_coverage",
    "child_immunization_rate",
    "htn_std_mgmt_rate",
    "t2dm_std_mgmt_rate",
]

filters = sidebar_filters()
ui.page_header(t("overview.title"), filters)

kpis = headline(filters, HEADLINE)
if all(kpi.value is None for kpi in kpis):
    ui.empty_state()
    st.stop()
ui.kpi_grid(kpis, filters.compare)

catalog = indicator_catalog()
ranking, attention = st.columns([3, 2], gap="large")
with ranking:
    st.subheader(t("overview.ranking"), anchor=False)
    urlstate.choice("rank", HEADLINE, HEADLINE[0])
    st.selectbox(
        t("overview.ranking_indicator"), HEADLINE, key="rank",
        format_func=lambda code: catalog[code].name(current_lang()),
    )
    urlstate.write_choice("rank", HEADLINE[0])
    ui.ranking_chart(filters, catalog[st.session_state["rank"]])
with attention:
    st.subheader(t("overview.attention"), anchor=False)
    ui.attention_table(filters, HEADLINE)

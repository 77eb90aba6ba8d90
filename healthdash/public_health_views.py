"""公共卫生 Public health page sections: headline figures, a scorecard of places × indicators, one indicator in
depth (trend, distribution of towns, towns below target with the people short), key groups beside overall
contract coverage, immunisation and screening by place. `sections(filters)` returns them in screen order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from healthdash import public_health as ph
from healthdash import ui, urlstate
from healthdash.charts import BLUE
from healthdash.filters import Filters
from healthdash.i18n import current_lang, t
from healthdash.kpi import headline, indicator_catalog
from healthdash.layout import Section


def detail(filters: Filters, towns: pd.DataFrame) -> None:
    lang, catalog = current_lang(), indicator_catalog()
    urlstate.choice(ph.PICK_KEY, ph.CODES, ph.CODES[0])
    st.selectbox(t("public_health.pick"), ph.CODES, key=ph.PICK_KEY,
                 format_func=lambda code: catalog[code].name(lang))
    urlstate.write_choice(ph.PICK_KEY, ph.CODES[0])
    indicator = catalog[st.session_state[ph.PICK_KEY]]
    chosen_towns = towns[towns["indicator_code"] == indicator.code]

    trend, spread = st.columns(2, gap="large")
    with trend:
        st.markdown(f"**{t('public_health.trend')}**")
        st.caption(ph.with_target(t("public_health.trend_caption"), "public_health.trend_target", indicator))
        ph.show_chart(ph.trend_chart(filters, indicator))
    with spread:
        st.markdown(f"**{t('public_health.distribution')}**")
        if chosen_towns["value"].notna().sum() > 1:
            count = int(chosen_towns["value"].notna().sum())
            st.caption(ph.with_target(t("public_health.distribution_caption", count=count),
                                      "public_health.distribution_target", indicator))
            ph.show_chart(ph.distribution_chart(chosen_towns, indicator))
        else:
            st.info(t("public_health.distribution_single"), icon=":material/info:")

    st.markdown(f"**{t('public_health.below')}**")
    ph.show_below_target(chosen_towns, indicator, filters)


def key_groups(filters: Filters, standing: pd.DataFrame, level: str) -> None:
    st.caption(t("public_health.key_groups_caption", level=t(f"level.{level}")))
    ph.show_place_chart(ph.paired_bars(standing, ["fd_coverage", "fd_key_pop_coverage"],
                                       [BLUE, ph.KEY_GROUP_COLOR], order_by="fd_coverage"),
                        filters, level, "ph_key_groups")


def screening(filters: Filters, standing: pd.DataFrame, level: str) -> None:
    st.caption(t("public_health.screening_caption", level=t(f"level.{level}")))
    immunisation, cancer, hpv = st.columns(3, gap="medium")
    with immunisation:
        st.markdown(f"**{t('public_health.immunization_title')}**")
        ph.show_place_chart(ph.place_bars(standing, "child_immunization_rate"), filters, level, "ph_immunisation")
    with cancer:
        st.markdown(f"**{t('public_health.screening_title')}**")
        ph.show_place_chart(ph.paired_bars(standing, ["cervical_screening_rate", "breast_screening_rate"],
                                           [BLUE, ph.KEY_GROUP_COLOR], order_by="cervical_screening_rate"),
                            filters, level, "ph_screening")
    with hpv:
        st.markdown(f"**{t('public_health.hpv_title')}**")
        ph.show_place_chart(ph.place_bars(standing, "hpv_first_doses"), filters, level, "ph_hpv")


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; with no headline figure at all the empty state and the run stops."""
    kpis = headline(filters, ph.HEADLINE)
    if all(kpi.value is None for kpi in kpis):
        ui.empty_state("public_health.empty")
        st.stop()
    level = ph.place_level(filters)
    standing = ph.standings(filters, level)
    towns = standing if level == "town" else ph.standings(filters, "town")
    return [
        Section(t("presenter.headline"), lambda: ph.headline_grid(kpis, ph.headline_notes(filters), filters),
                heading=False),
        Section(t("public_health.scorecard"), lambda: ph.show_scorecard(ph.build_scorecard(standing, level), filters)),
        Section(t("public_health.detail"), lambda: detail(filters, towns)),
        Section(t("public_health.key_groups"), lambda: key_groups(filters, standing, level)),
        Section(t("public_health.screening"), lambda: screening(filters, standing, level)),
    ]

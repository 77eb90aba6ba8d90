"""公共卫生 Public health: town-by-town standing against targets — headline figures, a scorecard of places
× indicators, one indicator in depth (trend, distribution of towns, towns below target with the people
short), key groups beside overall contract coverage, immunisation and screening by place."""

import streamlit as st

from healthdash import public_health as ph
from healthdash import ui, urlstate
from healthdash.charts import BLUE
from healthdash.i18n import current_lang, t
from healthdash.kpi import headline, indicator_catalog
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("public_health.title"), filters)
lang = current_lang()
catalog = indicator_catalog()

kpis = headline(filters, ph.HEADLINE)
if all(kpi.value is None for kpi in kpis):
    ui.empty_state("public_health.empty")
    st.stop()
ph.headline_grid(kpis, ph.headline_notes(filters), filters)

level = ph.place_level(filters)
standing = ph.standings(filters, level)
towns = standing if level == "town" else ph.standings(filters, "town")

st.subheader(t("public_health.scorecard"), anchor=False)
ph.show_scorecard(ph.build_scorecard(standing, level), filters)

st.subheader(t("public_health.detail"), anchor=False)
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
        st.caption(ph.with_target(t("public_health.distribution_caption", count=int(chosen_towns["value"].notna().sum())),
                                  "public_health.distribution_target", indicator))
        ph.show_chart(ph.distribution_chart(chosen_towns, indicator))
    else:
        st.info(t("public_health.distribution_single"), icon=":material/info:")

st.markdown(f"**{t('public_health.below')}**")
ph.show_below_target(chosen_towns, indicator, filters)

level_name = t(f"level.{level}")
st.subheader(t("public_health.key_groups"), anchor=False)
st.caption(t("public_health.key_groups_caption", level=level_name))
ph.show_place_chart(ph.paired_bars(standing, ["fd_coverage", "fd_key_pop_coverage"],
                                   [BLUE, ph.KEY_GROUP_COLOR], order_by="fd_coverage"),
                    filters, level, "ph_key_groups")

st.subheader(t("public_health.screening"), anchor=False)
st.caption(t("public_health.screening_caption", level=level_name))
immunisation, screening, hpv = st.columns(3, gap="medium")
with immunisation:
    st.markdown(f"**{t('public_health.immunization_title')}**")
    ph.show_place_chart(ph.place_bars(standing, "child_immunization_rate"), filters, level, "ph_immunisation")
with screening:
    st.markdown(f"**{t('public_health.screening_title')}**")
    ph.show_place_chart(ph.paired_bars(standing, ["cervical_screening_rate", "breast_screening_rate"],
                                       [BLUE, ph.KEY_GROUP_COLOR], order_by="cervical_screening_rate"),
                        filters, level, "ph_screening")
with hpv:
    st.markdown(f"**{t('public_health.hpv_title')}**")
    ph.show_place_chart(ph.place_bars(standing, "hpv_first_doses"), filters, level, "ph_hpv")

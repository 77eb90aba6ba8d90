"""区县画像 County profile: one county or district on one page (?county=CODE) — headline against targets,
care pattern, referrals across its border, its alliances, its towns' public health, its facilities."""

import streamlit as st

from healthdash import profile_views as views
from healthdash import profiles, ui
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
county = profiles.county_filters(filters, filters.county, filters.city) if filters.county else None
ui.page_header(views.county_title(filters), county or filters, trail=False)
left, _ = st.columns([2, 3])
with left:
    views.county_picker(filters)
if county is None:
    ui.empty_state("profile.pick_county_prompt")
    st.stop()
views.county_scope_note(filters)
render_page("county", views.county_sections(county))

"""区县画像 County profile: one county or district on one page (?county=CODE) — headline against targets,
care pattern, referrals across its border, its alliances, its towns' public health, its facilities."""

import streamlit as st

from healthdash.domains.profiles import data as profiles
from healthdash.domains.profiles import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
county = profiles.county_filters(filters, filters.county, filters.city) if filters.county else None
widgets.page_header(views.county_title(filters), county or filters, trail=False)
left, _ = st.columns([2, 3])
with left:
    views.county_picker(filters)
if county is None:
    widgets.empty_state("profile.pick_county_prompt")
    st.stop()
views.county_scope_note(filters)
render_page("county", views.county_sections(county), documents=documents.offer(views.county_title(filters), county))

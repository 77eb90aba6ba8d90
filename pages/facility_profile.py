"""机构画像 Facility profile: one hospital or health centre on one page (?facility=CODE) — volumes, referrals
by direction and partner, its alliances and role, help received or given, shared services and quality."""

import streamlit as st

from healthdash import profile_views as views
from healthdash import profiles, ui
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
title_slot = st.container()
left, _ = st.columns([2, 3])
with left:
    code = views.facility_subject(filters)
info = profiles.facility_info(code) if code else None
with title_slot:
    ui.page_header(views.facility_title(info), filters, trail=False)
    if info is not None:
        views.facility_header_line(info, filters)
if info is None:
    ui.empty_state("profile.pick_facility_prompt")
    st.stop()
render_page("facility", views.facility_sections(code, info, filters))

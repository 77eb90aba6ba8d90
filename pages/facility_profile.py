"""机构画像 Facility profile: one hospital or health centre on one page (?facility=CODE) — volumes, referrals
by direction and partner, its alliances and role, help received or given, shared services and quality."""

import streamlit as st

from healthdash.domains.profiles import data as profiles
from healthdash.domains.profiles import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
title_slot = st.container()
left, _ = st.columns([2, 3])
with left:
    code = views.facility_subject(filters)
info = profiles.facility_info(code) if code else None
with title_slot:
    widgets.page_header(views.facility_title(info), filters, trail=False)
    if info is not None:
        views.facility_header_line(info, filters)
if info is None:
    widgets.empty_state("profile.pick_facility_prompt")
    st.stop()
render_page("facility", views.facility_sections(code, info, filters),
            documents=documents.offer(views.facility_title(info), filters))

"""医联体运行监测看板: entry point. Sets up the page, the database and the navigation."""

import streamlit as st

from healthdash.core.i18n import t
from healthdash.core.paths import FAVICON
from healthdash.ui import account, presenter, widgets
from healthdash.ui.sidebar import language_switch, note_page, render_language_widget
from healthdash.ui.startup import ensure_database

# A local file: an emoji or :material: favicon is fetched from a font CDN, which an intranet lacks.
st.set_page_config(page_title="医联体运行监测看板", page_icon=str(FAVICON), layout="wide")
widgets.apply_style()
language_switch()
ensure_database()
viewer = account.gate()
if viewer is None:  # the sign-in form is on screen
    render_language_widget()
    st.stop()
presenter.setup()

pages = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="overview",
            default=True),
    st.Page("pages/alliances.py", title=t("nav.alliances"), icon=":material/hub:", url_path="alliances"),
    st.Page("pages/referrals.py", title=t("nav.referrals"), icon=":material/swap_vert:", url_path="referrals"),
    st.Page("pages/county_profile.py", title=t("nav.county_profile"), icon=":material/location_city:",
            url_path="county"),
    st.Page("pages/facility_profile.py", title=t("nav.facility_profile"), icon=":material/local_hospital:",
            url_path="facility"),
    st.Page("pages/whatif.py", title=t("nav.whatif"), icon=":material/tune:", url_path="what-if"),
    st.Page("pages/public_health.py", title=t("nav.public_health"), icon=":material/vaccines:",
            url_path="public-health"),
    st.Page("pages/appraisal.py", title=t("nav.appraisal"), icon=":material/workspace_premium:",
            url_path="appraisal"),
    st.Page("pages/quality.py", title=t("nav.quality"), icon=":material/fact_check:", url_path="quality"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/upload_file:", url_path="data"),
    st.Page("pages/admin.py", title=t("nav.admin"), icon=":material/manage_accounts:", url_path="admin"),
]
# Pages the viewer may not use are not registered at all: their URLs open the first page instead.
pages = [page for page in pages if account.may_open(viewer, page.url_path)]
navigation = st.navigation(pages, position=presenter.nav_position())
note_page(navigation.url_path)
# A page that ends early (st.stop) still gets the sidebar's last widgets and its URL written.
try:
    navigation.run()
finally:
    render_language_widget()
    presenter.finish()

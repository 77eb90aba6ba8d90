"""账户与审计 Admin: accounts, roles, jurisdictions and the audit log. For admins only (app.py registers
the page for them alone; the check here stands when the script is run directly). No shared filters."""

import streamlit as st

from healthdash.access.roles import Permission
from healthdash.core.i18n import t
from healthdash.domains.admin import data as admin
from healthdash.domains.admin import views as admin_views
from healthdash.ui import account, widgets

widgets.page_header(t("admin.title"))
viewer = account.viewer()
# No st.stop() for a refusal: the run goes on to app.py's sidebar widgets (language switch).
if not viewer.may(Permission.ADMIN):
    st.error(t("admin.not_allowed"), icon=":material/block:")
else:
    admin_views.notice()
    places = admin.places()
    mine = admin_views.accounts_section(viewer, places)
    admin_views.add_section(viewer, places)
    admin_views.manage_section(viewer, places, mine)
    admin_views.audit_section(viewer, places, mine)

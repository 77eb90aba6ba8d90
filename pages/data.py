"""数据管理 Data: the monthly template, checking and loading reports, the history of loads and undo.

For data officers only (a password, see healthdash/ui/officer.py). Not a monitoring view: no shared filters.
"""

from healthdash.core.i18n import t
from healthdash.domains.data_management import views as data_views
from healthdash.ui import officer, widgets

widgets.page_header(t("data.title"))
# No slideshow (layout.render_page): a data officer's forms are not shown on a projector.
# No st.stop() for the locked page: the run goes on to app.py's sidebar widgets (language switch).
if officer.gate():
    officer.lock_button()
    officer.failures_notice()
    data_views.style()
    data_views.notice()
    data_views.database_note()
    data_views.template_section()
    data_views.upload_section()
    data_views.boundary_section()
    data_views.history_section()

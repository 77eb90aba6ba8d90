"""情景推演 What-if: policy levers as sliders, the indicators before and after against their targets, the
county ranking before and after, the insurance fund kept in the county, and the model's assumptions."""

from healthdash.core.i18n import t
from healthdash.domains.whatif import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("whatif.title"), filters)
render_page("whatif", views.sections(filters), documents=documents.offer(t("whatif.title"), filters))

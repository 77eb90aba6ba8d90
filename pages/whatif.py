"""情景推演 What-if: policy levers as sliders, the indicators before and after against their targets, the
county ranking before and after, the insurance fund kept in the county, and the model's assumptions."""

from healthdash import ui
from healthdash import whatif_views as views
from healthdash.i18n import t
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("whatif.title"), filters)
render_page("whatif", views.sections(filters))

"""总览 Overview: headline indicators against targets, a ranking one level down, what needs attention."""

from healthdash import overview_views as views
from healthdash import ui
from healthdash.i18n import t
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("overview.title"), filters)
render_page("overview", views.sections(filters))

"""总览 Overview: headline indicators against targets, a ranking one level down, what needs attention."""

from healthdash.core.i18n import t
from healthdash.domains.overview import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("overview.title"), filters)
render_page("overview", views.sections(filters), documents=documents.offer(t("overview.title"), filters, with_briefing=True))

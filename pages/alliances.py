"""医联体 Alliances: which alliances exist and how tight they are, what flowed down, shared-service centres
and their quality, and the alliances side by side."""

from healthdash.core.i18n import t
from healthdash.domains.alliances import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("alliances.title"), filters)
render_page("alliances", views.sections(filters), documents=documents.offer(t("alliances.title"), filters))

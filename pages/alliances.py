"""医联体 Alliances: which alliances exist and how tight they are, what flowed down, shared-service centres
and their quality, and the alliances side by side."""

from healthdash import alliance_views as views
from healthdash import ui
from healthdash.i18n import t
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("alliances.title"), filters)
render_page("alliances", views.sections(filters))

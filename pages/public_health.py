"""公共卫生 Public health: town-by-town standing against targets — headline figures, a scorecard of places
× indicators, one indicator in depth (trend, distribution of towns, towns below target with the people
short), key groups beside overall contract coverage, immunisation and screening by place."""

from healthdash.core.i18n import t
from healthdash.domains.public_health import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("public_health.title"), filters)
render_page("public_health", views.sections(filters),
            documents=documents.offer(t("public_health.title"), filters))

"""公共卫生 Public health: town-by-town standing against targets — headline figures, a scorecard of places
× indicators, one indicator in depth (trend, distribution of towns, towns below target with the people
short), key groups beside overall contract coverage, immunisation and screening by place."""

from healthdash import public_health_views as views
from healthdash import ui
from healthdash.i18n import t
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("public_health.title"), filters)
render_page("public_health", views.sections(filters))

"""数据质量 Data quality: who has not reported, who reported late, which figures look wrong, and the data
officers' follow-up marks on them."""

from healthdash.core.i18n import t
from healthdash.domains.quality import views
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("quality.page.title"), filters)
render_page("quality", views.sections(filters))

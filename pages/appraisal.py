"""监测与考核 Monitoring and appraisal: the 14 national monitoring items of a county for a year with the
workbook a county submits, officials' judgements of the qualitative items, targets by level, and scores."""

from healthdash.core.i18n import t
from healthdash.domains.appraisal import views
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("appraisal.page.title"), filters)
render_page("appraisal", views.sections(filters))

"""双向转诊 Referrals: volumes against last year, flows between tiers and hospitals, where the county loses
patients, a ranking that narrows the page on a click, and every facility's figures to download."""

from healthdash.core.i18n import t
from healthdash.domains.referrals import views
from healthdash.reports import documents
from healthdash.ui import widgets
from healthdash.ui.layout import render_page
from healthdash.ui.sidebar import sidebar_filters

filters = sidebar_filters()
widgets.page_header(t("referrals.title"), filters)
render_page("referrals", views.sections(filters), documents=documents.offer(t("referrals.title"), filters))

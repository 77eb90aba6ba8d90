"""双向转诊 Referrals: volumes against last year, flows between tiers and hospitals, where the county loses
patients, a ranking that narrows the page on a click, and every facility's figures to download."""

from healthdash import referral_views as views
from healthdash import ui
from healthdash.i18n import t
from healthdash.layout import render_page
from healthdash.sidebar import sidebar_filters

filters = sidebar_filters()
ui.page_header(t("referrals.title"), filters)
render_page("referrals", views.sections(filters))

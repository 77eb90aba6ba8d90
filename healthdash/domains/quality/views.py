"""数据质量 Data quality page sections: headline (上报率, 及时率, reports missing, 数据截至), reporting rate by
place and month, a county's unit × month grid, the missing reports, outlier flags with one flag's series,
validation-rule flags and, for accounts that may load, follow-up marks. `sections(filters)` in screen order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from healthdash.access.audit import Action
from healthdash.access.roles import Permission
from healthdash.core.filters import Filters
from healthdash.core.fmt import fmt_count, fmt_month
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.db import database_path
from healthdash.data.quality import marks
from healthdash.data.quality.config import MARK_STATUSES
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.names import measure_label
from healthdash.domains.quality import charts as quality_charts
from healthdash.domains.quality import data as quality
from healthdash.ingest import loader
from healthdash.ui import account, downloads, presenter, widgets
from healthdash.ui.layout import Section

_FLAG_TABLE = "quality_outliers"
_MARKED = "_quality_marked"  # the notice shown once after a mark is saved
# Widths that fit a flag table into the page at 1280 px without cutting off the check and the mark.
_FLAG_WIDTHS = {"col_unit": 150, "col_measure": 150, "col_month": 84, "col_mark": 64, "col_value": 66,
                "col_range": 116, "col_check": 124}


def flag_columns() -> dict[str, object]:
    return {t(f"quality.page.{key}"): st.column_config.TextColumn(width=width) for key, width in _FLAG_WIDTHS.items()}


def headline(filters: Filters, totals: pd.DataFrame) -> None:
    cover = quality.coverage(filters)
    overall = totals[totals["dataset"].isna()]
    missing = int(overall["reports_missing"].iloc[0]) if len(overall) else 0
    due = int(overall["reports_due"].iloc[0]) if len(overall) else 0
    lang = current_lang()
    rate, timely, gaps, as_of = st.columns(4)
    rate.metric(t("quality.page.reporting_rate"), quality.rate_text(cover.reporting_rate, lang),
                help=t("quality.page.reporting_rate_help"))
    timely.metric(t("quality.page.timeliness"), quality.rate_text(cover.timeliness, lang),
                  help=t("quality.page.timeliness_help"))
    gaps.metric(t("quality.page.missing_reports"), fmt_count(missing, lang=lang),
                help=t("quality.page.missing_help", units=cover.units_missing, due=fmt_count(due, lang=lang)))
    as_of.metric(t("quality.page.as_of"), fmt_month(cover.last_month, lang=lang) if cover.last_month else "—")
    if cover.units_missing:
        st.caption(t("quality.page.units_missing", units=cover.units_missing))


def by_place(filters: Filters) -> None:
    frame = quality.by_place(filters)
    level = quality.child_level(filters)
    st.caption(t("quality.page.by_place_caption", level=t(f"quality.page.level.{level}")))
    chart = quality_charts.rate_bars(frame)
    if chart is None:
        widgets.empty_state("quality.page.empty")
        return
    presenter.altair_chart(chart)
    if len(frame) > 30:
        st.caption(t("quality.page.lowest_shown", shown=30, total=len(frame)))


def trend(filters: Filters) -> None:
    st.caption(t("quality.page.trend_caption"))
    chart = quality_charts.trend_chart(quality.trend(filters))
    if chart is None:
        widgets.empty_state("quality.page.empty")
    else:
        presenter.altair_chart(chart)


def grid(filters: Filters) -> None:
    if filters.level not in quality.GRID_LEVELS:
        st.info(t("quality.page.grid_pick_county"), icon=":material/info:")
        return
    table = quality.grid(filters)
    if table.empty:
        widgets.empty_state("quality.page.empty")
        return
    st.caption(t("quality.page.grid_caption"))
    st.dataframe(table, hide_index=True, width="stretch", key="quality_grid",
                 height="content" if len(table) <= 15 else 36 * 16,
                 column_config={t("quality.page.col_unit"): st.column_config.TextColumn(pinned=True, width=190)})
    downloads.download_row("quality_grid", widgets.title_block(t("quality.page.grid"), filters), table=table)


def missing(filters: Filters) -> None:
    table = quality.missing(filters)
    if table.empty:
        st.success(t("quality.page.none_missing"), icon=":material/task_alt:")
        return
    st.caption(t("quality.page.missing_caption", count=fmt_count(len(table))))
    if len(table) > quality.MAX_LISTED:
        st.caption(t("quality.page.first_shown", shown=quality.MAX_LISTED))
    st.dataframe(table.head(quality.MAX_LISTED), hide_index=True, width="stretch", key="quality_missing",
                 height="content" if len(table) <= 12 else 36 * 13)
    downloads.download_row("quality_missing", widgets.title_block(t("quality.page.missing"), filters), table=table)


def outlier_flags(filters: Filters, flags: pd.DataFrame) -> None:
    found = flags[flags["kind"] == "outlier"].reset_index(drop=True)
    if found.empty:
        st.success(t("quality.page.no_outliers"), icon=":material/task_alt:")
        return
    st.caption(t("quality.page.outliers_caption", count=fmt_count(len(found))))
    shown = found.head(quality.MAX_LISTED)
    table = quality.flag_table(shown, "outlier")
    event = st.dataframe(table, hide_index=True, width="stretch", key=_FLAG_TABLE, on_select="rerun",
                         column_config=flag_columns(),
                         selection_mode="single-row", height="content" if len(table) <= 10 else 36 * 11)
    downloads.download_row("quality_outliers", widgets.title_block(t("quality.page.outliers"), filters),
                           table=quality.flag_table(found, "outlier"))
    rows = event.selection.rows  # type: ignore[union-attr]
    if not rows:
        st.caption(t("quality.page.pick_flag"))
        return
    flag_detail(shown.iloc[rows[0]])


def flag_detail(flag: pd.Series) -> None:
    lang = current_lang()
    what = measure_label(str(flag["dataset"]), str(flag["measure"]), lang)
    st.markdown(f"**{inert(t('quality.page.series_title', unit=flag['unit_name'], measure=what))}**")
    st.caption(t("quality.page.series_caption", month=fmt_month(flag["month"], lang=lang),
                 value=quality.expected_range(flag["value"], flag["value"]).split(" ")[0],
                 range=quality.expected_range(flag["low"], flag["high"])))
    chart = quality_charts.series_chart(quality.series(flag), what)
    if chart is None:
        st.info(t("quality.page.no_series"), icon=":material/info:")
    else:
        presenter.altair_chart(chart)
    follow_up(flag, "outlier")


def rule_flags(filters: Filters, flags: pd.DataFrame) -> None:
    found = flags[flags["kind"] == "rule"].reset_index(drop=True)
    if found.empty:
        st.success(t("quality.page.no_rule_flags"), icon=":material/task_alt:")
        return
    st.caption(t("quality.page.rules_caption", count=fmt_count(len(found))))
    shown = found.head(quality.MAX_LISTED)
    event = st.dataframe(quality.flag_table(shown, "rule"), hide_index=True, width="stretch", key="quality_rules",
                         on_select="rerun", selection_mode="single-row", column_config=flag_columns())
    rows = event.selection.rows  # type: ignore[union-attr]
    if rows:
        follow_up(shown.iloc[rows[0]], "rule")


def follow_up(flag: pd.Series, kind: str) -> None:
    """The flag's marks so far and, for an account that may load, a form to add one (audited)."""
    history = quality.history(flag)
    if len(history):
        st.markdown(f"**{t('quality.page.history')}**")
        st.dataframe(history, hide_index=True, width="stretch", key=f"quality_history_{kind}")
    who = account.viewer()
    if not who.may(Permission.LOAD):
        return
    key = quality.flag_key(flag)
    with st.form(f"quality_mark_{kind}", clear_on_submit=True):
        status = st.radio(t("quality.page.mark_status"), MARK_STATUSES, horizontal=True,
                          format_func=lambda code: t(f"quality.mark.{code}"), key=f"quality_mark_status_{kind}")
        comment = st.text_area(t("quality.page.mark_comment"), max_chars=marks.MAX_COMMENT,
                               key=f"quality_mark_comment_{kind}", placeholder=t("quality.page.mark_placeholder"))
        by = who.name
        if by is None:
            by = st.text_input(t("quality.page.mark_by"), key=f"quality_mark_by_{kind}", max_chars=40,
                               placeholder=t("data.operator_placeholder")).strip() or t("data.operator_default")
        if not st.form_submit_button(t("quality.page.mark_save"), type="primary"):
            return
    value = None if pd.isna(flag["value"]) else float(flag["value"])
    try:
        mark_id = loader.write(database_path(),
                               lambda con: marks.set_mark(con, key, status, comment, by, value=value))
    except QualityError as refused:
        st.error(refused.zh if current_lang() == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.QUALITY_MARK, {"mark": mark_id, **{k: str(v) for k, v in key.params().items()},
                                         "status": status})
    st.session_state[_MARKED] = t("quality.page.mark_saved", status=t(f"quality.mark.{status}"))
    st.rerun()


def notice() -> None:
    message = st.session_state.pop(_MARKED, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; a selection that owes no report shows the empty state and stops."""
    totals = quality.totals(filters)
    if totals.empty or int(totals["reports_due"].sum()) == 0:
        widgets.empty_state("quality.page.empty")
        st.stop()
    flags = quality.flags(filters)
    return [
        Section(t("presenter.headline"), lambda: (notice(), headline(filters, totals)), heading=False),
        Section(t("quality.page.by_place"), lambda: by_place(filters), width=1),
        Section(t("quality.page.trend"), lambda: trend(filters), width=1),
        Section(t("quality.page.grid"), lambda: grid(filters)),
        Section(t("quality.page.missing"), lambda: missing(filters)),
        Section(t("quality.page.outliers"), lambda: outlier_flags(filters, flags)),
        Section(t("quality.page.rule_flags"), lambda: rule_flags(filters, flags)),
    ]

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
from healthdash.data.quality import exceptions, marks
from healthdash.data.quality.config import (
    DEFAULT_DUE_DAY,
    DEFAULT_JUMP,
    DEFAULT_Z,
    MARK_STATUSES,
    MAX_DUE_DAY,
    MIN_JUMP,
    MIN_Z,
)
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.names import dataset_label, measure_label
from healthdash.domains.quality import charts as quality_charts
from healthdash.domains.quality import data as quality
from healthdash.ingest import loader
from healthdash.ui import account, downloads, presenter, urlstate, widgets
from healthdash.ui.layout import Section

_FLAG_TABLE = "quality_outliers"
_MARKED = "_quality_marked"  # the notice shown once after a mark or an exception is saved
_GRID_TABLE = "quality_grid"
_EXCEPTION_TABLE = "quality_exceptions"
# The checks' settings as sliders (URL key, lowest, highest, default, step); the URL keeps them in a link.
_SETTINGS = {"due_day": (1, MAX_DUE_DAY, DEFAULT_DUE_DAY, 1), "z_score": (MIN_Z, 8.0, DEFAULT_Z, 0.5),
             "jump": (MIN_JUMP, 5.0, DEFAULT_JUMP, 0.5)}
# Widths that fit a flag table into the page at 1280 px without cutting off the check and the mark.
_FLAG_WIDTHS = {"col_unit": 150, "col_measure": 150, "col_month": 84, "col_mark": 64, "col_value": 66,
                "col_range": 116, "col_check": 124}


def flag_columns() -> dict[str, object]:
    return {t(f"quality.page.{key}"): st.column_config.TextColumn(width=width) for key, width in _FLAG_WIDTHS.items()}


def settings() -> quality.Settings:
    """The checks' settings from the sidebar (due day, z-score, jump factor), kept in the URL."""
    values: dict[str, float] = {}
    with st.sidebar.expander(t("quality.settings.title"), icon=":material/tune:"):
        st.caption(t("quality.settings.caption"))
        for key, (low, high, default, step) in _SETTINGS.items():
            urlstate.slider(key, low, high, default, step)
            values[key] = st.slider(t(f"quality.settings.{key}"), low, high, step=step, key=key,
                                    help=t(f"quality.settings.{key}_help"))
            urlstate.write_slider(key, default)
    return quality.Settings(due_day=int(values["due_day"]), z=float(values["z_score"]), jump=float(values["jump"]))


def headline(filters: Filters, totals: pd.DataFrame, chosen: quality.Settings) -> None:
    cover = quality.coverage(filters, chosen)
    overall = totals[totals["dataset"].isna()]
    missing = int(overall["reports_missing"].iloc[0]) if len(overall) else 0
    due = int(overall["reports_due"].iloc[0]) if len(overall) else 0
    lang = current_lang()
    rate, timely, gaps, as_of = st.columns(4)
    rate.metric(t("quality.page.reporting_rate"), quality.rate_text(cover.reporting_rate, lang),
                help=t("quality.page.reporting_rate_help"))
    timely.metric(t("quality.page.timeliness"), quality.rate_text(cover.timeliness, lang),
                  help=t("quality.page.timeliness_help", day=chosen.due_day))
    gaps.metric(t("quality.page.missing_reports"), fmt_count(missing, lang=lang),
                help=t("quality.page.missing_help", units=cover.units_missing, due=fmt_count(due, lang=lang)))
    as_of.metric(t("quality.page.as_of"), fmt_month(cover.last_month, lang=lang) if cover.last_month else "—")
    if cover.units_missing:
        st.caption(t("quality.page.units_missing", units=cover.units_missing))


def by_place(filters: Filters, chosen: quality.Settings) -> None:
    frame = quality.by_place(filters, chosen)
    level = quality.child_level(filters)
    st.caption(t("quality.page.by_place_caption", level=t(f"quality.page.level.{level}")))
    chart = quality_charts.rate_bars(frame)
    if chart is None:
        widgets.empty_state("quality.page.empty")
        return
    presenter.altair_chart(chart)
    if len(frame) > 30:
        st.caption(t("quality.page.lowest_shown", shown=30, total=len(frame)))


def by_alliance(filters: Filters, chosen: quality.Settings) -> None:
    frame = quality.by_alliance(filters, chosen)
    if frame.empty:
        st.caption(t("quality.page.no_alliances"))
        return
    st.caption(t("quality.page.by_alliance_caption"))
    if presenter.slideshow_running():  # the lowest twelve: thirty bars do not fit a projector's screen
        presenter.altair_chart(quality_charts.rate_bars(presenter.slide_rows(frame, 12)))
        return
    presenter.altair_chart(quality_charts.rate_bars(frame))
    if len(frame) > 30:
        st.caption(t("quality.page.lowest_shown", shown=30, total=len(frame)))


def trend(filters: Filters, chosen: quality.Settings) -> None:
    st.caption(t("quality.page.trend_caption"))
    chart = quality_charts.trend_chart(quality.trend(filters, chosen))
    if chart is None:
        widgets.empty_state("quality.page.empty")
    else:
        presenter.altair_chart(chart)


def grid(filters: Filters, chosen: quality.Settings) -> None:
    if filters.level not in quality.GRID_LEVELS:
        st.info(t("quality.page.grid_pick_county"), icon=":material/info:")
        return
    table, keys = quality.grid(filters, chosen)
    if table.empty:
        widgets.empty_state("quality.page.empty")
        return
    may_excuse = account.viewer().may(Permission.LOAD)
    st.caption(t("quality.page.grid_caption") + (t("quality.page.grid_pick_row") if may_excuse else ""))
    event = st.dataframe(table, hide_index=True, width="stretch", key=_GRID_TABLE,
                         on_select="rerun" if may_excuse else "ignore", selection_mode="single-row",
                         height="content" if len(table) <= 15 else 36 * 16,
                         column_config={t("quality.page.col_unit"): st.column_config.TextColumn(pinned=True, width=190)})
    downloads.download_row("quality_grid", widgets.title_block(t("quality.page.grid"), filters), table=table)
    rows = event.selection.rows if may_excuse else []  # type: ignore[union-attr]
    if rows:
        picked = keys.iloc[rows[0]]
        exception_form(filters, str(picked["unit_code"]), str(picked["unit_name"]), str(picked["dataset"]))


def exception_form(filters: Filters, unit_code: str, unit_name: str, dataset: str) -> None:
    """Record that `unit_code` owes no report for some months (a unit of the grid, so of the viewer's
    jurisdiction): one report or every report, a reason, who; written like a load and audited."""
    lang = current_lang()
    months = quality.exception_months(filters)
    report = dataset_label(dataset, lang)
    st.markdown(f"**{inert(t('quality.page.exception_title', unit=unit_name))}**")
    with st.form("quality_exception", clear_on_submit=True):
        which = st.radio(t("quality.page.exception_which"), ("one", "every"), horizontal=True,
                         key="quality_exception_which",
                         format_func=lambda code: report if code == "one" else t("quality.page.every_report"))
        first, last = st.columns(2)
        default = months.index(filters.month_to) if filters.month_to in months else 0
        month_from = first.selectbox(t("quality.page.exception_from"), months, index=default,
                                     format_func=lambda month: fmt_month(month, lang=lang), key="quality_exception_from")
        month_to = last.selectbox(t("quality.page.exception_to"), months, index=default,
                                  format_func=lambda month: fmt_month(month, lang=lang), key="quality_exception_to")
        reason = st.text_input(t("quality.page.exception_reason"), max_chars=200, key="quality_exception_reason",
                               placeholder=t("quality.page.exception_placeholder"))
        by = widgets.recorder(t("quality.page.mark_by"), "quality_exception_by")
        if not st.form_submit_button(t("quality.page.exception_save"), type="primary"):
            return
    chosen = dataset if which == "one" else None
    try:
        exception_id = loader.write(database_path(), lambda con: exceptions.record_exception(
            con, unit_code, month_from, month_to, reason, by, dataset=chosen))
    except QualityError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.QUALITY_EXCEPTION, {"exception": exception_id, "unit": unit_code, "dataset": chosen or "",
                                              "from": f"{month_from:%Y-%m}", "to": f"{month_to:%Y-%m}"})
    st.session_state[_MARKED] = t("quality.page.exception_saved", unit=unit_name)
    st.rerun()


def exception_list(filters: Filters) -> None:
    """The exceptions recorded in the viewer's jurisdiction; an account that may load can withdraw one."""
    rows = quality.exception_rows(filters)
    if rows.empty:
        st.caption(t("quality.page.no_exceptions"))
        return
    may_withdraw = account.viewer().may(Permission.LOAD)
    st.caption(t("quality.page.exceptions_caption", count=fmt_count(len(rows)))
               + (t("quality.page.exceptions_pick") if may_withdraw else ""))
    table = quality.exception_table(rows)
    event = st.dataframe(table, hide_index=True, width="stretch", key=_EXCEPTION_TABLE,
                         on_select="rerun" if may_withdraw else "ignore", selection_mode="single-row",
                         height="content" if len(table) <= 10 else 36 * 11)
    downloads.download_row("quality_exceptions", widgets.title_block(t("quality.page.exceptions"), filters),
                           table=table)
    picked = event.selection.rows if may_withdraw else []  # type: ignore[union-attr]
    if not picked:
        return
    row = rows.iloc[picked[0]]
    if not pd.isna(row["withdrawn_at"]):
        st.caption(t("quality.page.already_withdrawn"))
        return
    with st.form("quality_withdraw", clear_on_submit=True):
        by = widgets.recorder(t("quality.page.mark_by"), "quality_withdraw_by")
        if not st.form_submit_button(t("quality.page.withdraw"), icon=":material/undo:"):
            return
    exception_id = int(row["exception_id"])
    try:
        loader.write(database_path(), lambda con: exceptions.withdraw_exception(con, exception_id, by))
    except QualityError as refused:
        st.error(refused.zh if current_lang() == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.QUALITY_EXCEPTION, {"exception": exception_id, "withdrawn": "yes"})
    st.session_state[_MARKED] = t("quality.page.exception_withdrawn", unit=str(row["unit_name"]))
    st.rerun()


def missing(filters: Filters, chosen: quality.Settings) -> None:
    table = quality.missing(filters, chosen)
    if table.empty:
        st.success(t("quality.page.none_missing"), icon=":material/task_alt:")
        return
    st.caption(t("quality.page.missing_caption", count=fmt_count(len(table))))
    if len(table) > quality.MAX_LISTED:
        st.caption(t("quality.page.first_shown", shown=quality.MAX_LISTED))
    st.dataframe(table.head(quality.MAX_LISTED), hide_index=True, width="stretch", key="quality_missing",
                 height="content" if len(table) <= 12 else 36 * 13)
    downloads.download_row("quality_missing", widgets.title_block(t("quality.page.missing"), filters), table=table)


def outlier_flags(filters: Filters, flags: pd.DataFrame, chosen: quality.Settings) -> None:
    found = flags[flags["kind"] == "outlier"].reset_index(drop=True)
    if found.empty:
        st.success(t("quality.page.no_outliers"), icon=":material/task_alt:")
        return
    st.caption(t("quality.page.outliers_caption", count=fmt_count(len(found))))
    shown = presenter.slide_rows(found).head(quality.MAX_LISTED)
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
    flag_detail(shown.iloc[rows[0]], chosen)


def flag_detail(flag: pd.Series, chosen: quality.Settings) -> None:
    lang = current_lang()
    what = measure_label(str(flag["dataset"]), str(flag["measure"]), lang)
    st.markdown(f"**{inert(t('quality.page.series_title', unit=flag['unit_name'], measure=what))}**")
    st.caption(t("quality.page.series_caption", month=fmt_month(flag["month"], lang=lang),
                 value=quality.expected_range(flag["value"], flag["value"]).split(" ")[0],
                 range=quality.expected_range(flag["low"], flag["high"])))
    chart = quality_charts.series_chart(quality.series(flag, chosen), what)
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
    shown = presenter.slide_rows(found).head(quality.MAX_LISTED)
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
        by = widgets.recorder(t("quality.page.mark_by"), f"quality_mark_by_{kind}")
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
    chosen = settings()
    totals = quality.totals(filters, chosen)
    if totals.empty or int(totals["reports_due"].sum()) == 0:
        widgets.empty_state("quality.page.empty")
        st.stop()
    flags = quality.flags(filters, chosen)
    return [
        Section(t("presenter.headline"), lambda: (notice(), headline(filters, totals, chosen)), heading=False),
        Section(t("quality.page.by_place"), lambda: by_place(filters, chosen), width=1),
        Section(t("quality.page.trend"), lambda: trend(filters, chosen), width=1),
        Section(t("quality.page.by_alliance"), lambda: by_alliance(filters, chosen)),
        Section(t("quality.page.grid"), lambda: grid(filters, chosen)),
        Section(t("quality.page.missing"), lambda: missing(filters, chosen)),
        Section(t("quality.page.outliers"), lambda: outlier_flags(filters, flags, chosen)),
        Section(t("quality.page.rule_flags"), lambda: rule_flags(filters, flags)),
        Section(t("quality.page.exceptions"), lambda: exception_list(filters), slide=False),
    ]

"""监测与考核 page sections: the 14 monitoring items of a county for a year (with the submission workbook of
every county in the selection), officials' judgements of the qualitative items, the targets and where
each comes from, and the score and ranking under an appraisal scheme. `sections(filters)` in screen order."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import streamlit as st

from healthdash.access.audit import Action
from healthdash.access.roles import Permission
from healthdash.core.exports import XLSX_MIME, TitleBlock, safe_name
from healthdash.core.filters import Filters
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.core.monitoring import ITEMS_BY_CODE, QUALITATIVE_CODES
from healthdash.core.wording import bracketed
from healthdash.data import appraisal as store
from healthdash.data.appraisal import AppraisalError, Judgement
from healthdash.data.db import database_path, run_query
from healthdash.data.kpi import indicator_catalog
from healthdash.domains.appraisal import charts as appraisal_charts
from healthdash.domains.appraisal import data as appraisal
from healthdash.domains.appraisal.scoring import Scheme, SchemeError, checked_upload
from healthdash.ingest import loader
from healthdash.reports import appraisal_sheet
from healthdash.ui import account, officer, presenter, widgets
from healthdash.ui.layout import Section

_SAVED = "_appraisal_saved"  # the notice shown once after a judgement or targets are saved
_SCHEME_SAVED = "_appraisal_scheme_saved"  # the same, above the scores, after a scheme is chosen, saved or retired
MAX_TARGET_FILE = 1_048_576  # a targets sheet is a few hundred rows


def _choices(filters: Filters) -> tuple[appraisal.Figures, str] | None:
    years = appraisal.years()
    places = appraisal.counties(filters)
    if not years or places.empty:
        return None
    # On a slide the pickers are hidden and the title line names the county and year instead.
    with st.container(key=presenter.PAGE_PICKER):
        left, right = st.columns([1, 2])
        year = left.selectbox(t("appraisal.page.year"), years, key="appraisal_year",
                              format_func=lambda y: t("appraisal.page.year_value", year=y))
        names = dict(zip(places["county_code"], places["county_name"], strict=False))
        county = right.selectbox(t("appraisal.page.county"), list(names), key="appraisal_county",
                                 format_func=lambda code: names.get(code, code))
    presenter.add_to_title_line(f"{names.get(county, county)} · {t('appraisal.page.year_value', year=year)}")
    return appraisal.figures(filters, int(year)), str(county)


def _download(label: str, file_name: str, make: object, key: str, detail: dict[str, object],
              mime: str = XLSX_MIME) -> None:
    if not account.viewer().may(Permission.EXPORT):
        return
    run = account.audited(make, Action.EXPORT, detail)  # type: ignore[arg-type]
    st.download_button(label, run, file_name=file_name, mime=mime, key=key, icon=":material/download:",
                       on_click="ignore")


def _block(view: str, filters: Filters, fig: appraisal.Figures) -> TitleBlock:
    """The page's title block for a year: the sidebar's period is not what these files cover."""
    block = widgets.title_block(view, filters)
    return replace(block, period=t("appraisal.page.year_value", year=fig.year),
                   base_period=t("appraisal.page.year_value", year=fig.year - 1),
                   comparison=t("compare.yoy"))


def _names(fig: appraisal.Figures) -> str:
    return "、".join(fig.counties["county_name"].tolist()[:3]) + ("等" if len(fig.counties) > 3 else "")


SLIDE_HALF = 7


_REPORT_TABLE = "appraisal_report_table"


def _report_table(table: pd.DataFrame) -> None:
    """The monitoring table as a static table in which, in Chinese, only the item names wrap: short words
    (紧密型, 定性, 达标) broke in two when a narrow window squeezed their columns (English breaks at spaces)."""
    if current_lang() == "zh":
        item = list(table.columns).index(t("appraisal.col.item")) + 1  # the index is a th, the columns are tds
        keep, wrap = f".st-key-{_REPORT_TABLE} :is(th, td)", f".st-key-{_REPORT_TABLE} td:nth-of-type({item})"
        st.html(f"<style>{keep}, {keep} * {{white-space: nowrap !important;}} "
                f"{wrap}, {wrap} * {{white-space: normal !important;}}</style>")
    with st.container(key=_REPORT_TABLE):
        st.table(table)


def monitoring_rest(fig: appraisal.Figures, county: str) -> None:
    """The monitoring table's rows after the first slide's, on a slide of their own."""
    table = appraisal.report_table(fig, county, current_lang()).set_index(t("appraisal.col.no"))
    _report_table(table.iloc[SLIDE_HALF:])


def monitoring(filters: Filters, fig: appraisal.Figures, county: str) -> None:
    lang = current_lang()
    name = fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0]
    st.caption(t("appraisal.page.table_caption", county=inert(name), year=fig.year, last=fig.year - 1))
    # A static table: the report's long item names wrap instead of pushing columns off a projector.
    table = appraisal.report_table(fig, county, lang).set_index(t("appraisal.col.no"))
    # On a slide the first half; the second half is the next slide (fourteen rows do not fit 1280×720).
    _report_table(table.head(SLIDE_HALF) if presenter.slideshow_running() else table)
    block = _block(t("appraisal.page.submission_file"), filters, fig)
    file_name = f"{safe_name(t('appraisal.page.submission_file'))}_{safe_name(_names(fig))}_{fig.year}.xlsx"
    _download(t("appraisal.page.download_submission", count=len(fig.counties)), file_name,
              lambda: appraisal.submission_workbook(fig, lang, block), "appraisal_submission",
              {"view": t("appraisal.page.submission_file", lang="zh"), "file": file_name,
               "place": _names(fig), "period": str(fig.year)})


def qualitative(fig: appraisal.Figures, county: str) -> None:
    lang = current_lang()
    history = fig.history[(fig.history["county_code"] == county) & (fig.history["year"] == fig.year)] \
        if len(fig.history) else fig.history
    if len(history):
        shown = pd.DataFrame({
            t("appraisal.col.item"): [ITEMS_BY_CODE[c].name(lang) for c in history["item_code"]],
            t("appraisal.col.status"): [appraisal.met_word(bool(m), lang) for m in history["met"]],
            t("appraisal.col.evidence"): history["evidence"].tolist(),
            t("appraisal.col.note"): history["note"].tolist(),
            t("appraisal.col.by"): history["recorded_by"].tolist(),
            t("appraisal.col.at"): [str(at)[:16] for at in history["recorded_at"]],
        })
        st.dataframe(shown, hide_index=True, width="stretch", key="appraisal_history")
    else:
        st.caption(t("appraisal.page.no_judgements"))
    who = account.viewer()
    if not who.may(Permission.LOAD):
        return
    with st.form("appraisal_judge", clear_on_submit=True):
        item = st.selectbox(t("appraisal.col.item"), QUALITATIVE_CODES, key="appraisal_item",
                            format_func=lambda code: ITEMS_BY_CODE[code].name(lang))
        met = st.radio(t("appraisal.col.status"), (True, False), horizontal=True, key="appraisal_met",
                       format_func=lambda value: appraisal.met_word(value, lang))
        evidence = st.text_area(t("appraisal.col.evidence"), key="appraisal_evidence", max_chars=store.MAX_EVIDENCE,
                                placeholder=t("appraisal.page.evidence_placeholder"))
        note = st.text_input(t("appraisal.col.note"), key="appraisal_note", max_chars=store.MAX_NOTE)
        by = widgets.recorder(t("appraisal.col.by"), "appraisal_by")
        if not st.form_submit_button(t("appraisal.page.save"), type="primary"):
            return
    judgement = Judgement(county, fig.year, str(item), bool(met), evidence, note)
    try:
        judgement_id = loader.write(database_path(), lambda con: store.record_judgement(
            con, judgement, by, who.visible.allows_region))
    except AppraisalError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.APPRAISAL_JUDGEMENT, {"judgement": judgement_id, "county": county, "year": fig.year,
                                                "item": item, "met": bool(met)})
    st.session_state[_SAVED] = t("appraisal.page.saved")
    st.rerun()


def targets(fig: appraisal.Figures, county: str) -> None:
    lang = current_lang()
    catalog = indicator_catalog()
    rows = []
    for code in appraisal.MONITORED:
        target = fig.target(county, code)
        rows.append({t("appraisal.col.item"): ITEMS_BY_CODE[code].name(lang),
                     t("appraisal.col.target"): appraisal.target_shown(catalog[code], target.value, lang),
                     t("appraisal.col.origin"): appraisal.level_word(target.level, lang)})
    st.caption(t("appraisal.page.targets_caption"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="appraisal_targets")
    who = account.viewer()
    if not who.may(Permission.LOAD):
        return
    template = pd.DataFrame([{"指标代码": code, "层级": "县", "地区代码": county, "年度": fig.year, "目标值": None}
                             for code in appraisal.MONITORED])
    st.download_button(t("appraisal.page.targets_template"), lambda: appraisal.workbook_bytes([("目标", template)]),
                       file_name=f"目标值模板_{fig.year}.xlsx", mime=XLSX_MIME, key="appraisal_targets_template",
                       icon=":material/download:", on_click="ignore")
    if not officer.may_upload():
        st.caption(t("appraisal.page.upload_locked"))
        return
    upload = st.file_uploader(t("appraisal.page.targets_upload"), type=["xlsx", "csv"], key="appraisal_targets_file")
    if upload is None or not st.button(t("appraisal.page.targets_save"), key="appraisal_targets_save"):
        return
    _save_targets(upload.name, upload.getvalue(), who)


def _save_targets(name: str, data: bytes, who: account.Viewer) -> None:
    lang = current_lang()
    if len(data) > MAX_TARGET_FILE:
        st.error(t("appraisal.page.targets_too_large"), icon=":material/error:")
        return
    try:
        sheet = pd.read_csv(io.BytesIO(data), dtype=str) if name.lower().endswith(".csv") else \
            pd.read_excel(io.BytesIO(data), dtype=str, engine="calamine")
    except (ValueError, OSError, UnicodeDecodeError):
        st.error(t("appraisal.page.targets_unreadable"), icon=":material/error:")
        return
    regions = run_query("load_regions")
    levels = dict(zip(regions["code"], regions["level"], strict=False))
    units = {code: indicator.unit for code, indicator in indicator_catalog().items()}

    def allows(level: str, place: str) -> bool:
        if level in ("national", "province"):
            return who.visible.everything
        return who.visible.allows_region(place)

    try:
        parsed = store.parse_targets(sheet, units, levels)
        count = loader.write(database_path(), lambda con: store.save_targets(con, parsed, who.name or "—", allows))
    except AppraisalError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.APPRAISAL_TARGETS, {"file": name, "rows": count})
    st.session_state[_SAVED] = t("appraisal.page.targets_saved", count=count)
    st.rerun()


def _may_choose(who: account.Viewer) -> bool:
    """Who sets the province's scheme: an administrator, or a data officer whose reach is the whole province."""
    return who.may(Permission.ADMIN) or (who.may(Permission.LOAD) and who.visible.everything)


def _scheme_label(offered: appraisal.Offered, active: appraisal.Active | None, lang: str) -> str:
    label = offered.scheme.label(lang)
    if active is not None and active.offered.key == offered.key:
        return f"{label} {t('appraisal.page.active_mark')}"
    return label if offered.uploaded_by is None else bracketed(label, t("appraisal.page.uploaded_mark"), lang)


def _choose(key: str, offered: dict[str, appraisal.Offered], who: account.Viewer) -> None:
    lang = current_lang()
    by = who.name or t("data.operator_default", lang="zh")
    try:
        loader.write(database_path(), lambda con: store.choose_scheme(con, key, by, offered))
    except AppraisalError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.APPRAISAL_SCHEME_CHOICE, {"scheme": key, "name": offered[key].scheme.name})
    st.session_state[_SCHEME_SAVED] = t("appraisal.page.scheme_chosen", name=offered[key].scheme.label(lang))
    st.rerun()


def scheme_files(offered: dict[str, appraisal.Offered], who: account.Viewer) -> None:
    """The uploaded schemes, and the upload of a commission's own file (checked whole; refused, nothing is
    stored)."""
    lang = current_lang()
    uploads = [o for o in offered.values() if o.uploaded_by is not None]
    with st.expander(t("appraisal.page.scheme_files", count=len(uploads))):
        if uploads:
            st.dataframe(pd.DataFrame({
                t("appraisal.col.scheme"): [o.scheme.label(lang) for o in uploads],
                t("appraisal.col.file"): [o.file_name for o in uploads],
                t("appraisal.col.by"): [o.uploaded_by for o in uploads],
                t("appraisal.col.at"): [str(o.uploaded_at)[:16] for o in uploads]}),
                hide_index=True, width="stretch", key="appraisal_scheme_list")
        st.caption(t("appraisal.page.scheme_upload_help"))
        upload = None
        if officer.may_upload():
            upload = st.file_uploader(t("appraisal.page.scheme_upload"), type=["toml"], key="appraisal_scheme_file")
        else:
            st.caption(t("appraisal.page.upload_locked"))
        if upload is not None and st.button(t("appraisal.page.scheme_save"), key="appraisal_scheme_save"):
            _save_scheme(upload.name, upload.getvalue(), offered, who)
        if uploads:
            _retire_choice(uploads, offered, who)


def _retire_choice(uploads: list[appraisal.Offered], offered: dict[str, appraisal.Offered],
                   who: account.Viewer) -> None:
    """Retiring an uploaded scheme, confirmed by a tick (the shipped ones are never listed)."""
    lang = current_lang()
    st.markdown(f"**{t('appraisal.page.retire')}**")
    st.caption(t("appraisal.page.retire_help"))
    labels = {o.key: o.scheme.label(lang) for o in uploads}
    key = st.selectbox(t("appraisal.page.retire_pick"), list(labels), format_func=labels.__getitem__,
                       key="appraisal_retire_pick")
    sure = st.checkbox(t("appraisal.page.retire_confirm", name=labels[key]), key="appraisal_retire_sure")
    if not st.button(t("appraisal.page.retire_button"), disabled=not sure, key="appraisal_retire",
                     icon=":material/delete:"):
        return
    by = who.name or t("data.operator_default", lang="zh")
    try:
        was_active = loader.write(database_path(), lambda con: store.retire_scheme(con, str(key), by))
    except AppraisalError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.APPRAISAL_SCHEME_RETIRE, {"scheme": key, "name": offered[key].scheme.name,
                                                    "was_active": was_active})
    for widget in ("appraisal_scheme", "appraisal_retire_pick", "appraisal_retire_sure"):
        st.session_state.pop(widget, None)  # the pickers fall back to the active scheme, the tick is cleared
    fallback = offered[store.FALLBACK].scheme.label(lang) if store.FALLBACK in offered else store.FALLBACK
    st.session_state[_SCHEME_SAVED] = t("appraisal.page.retired_active" if was_active else "appraisal.page.retired",
                                 name=labels[key], fallback=fallback)
    st.rerun()


def _save_scheme(name: str, data: bytes, offered: dict[str, appraisal.Offered], who: account.Viewer) -> None:
    lang = current_lang()
    try:
        scheme, text = checked_upload(data, appraisal.directions())
    except SchemeError as refused:
        st.error(t("appraisal.scheme.refused", file=name, problems=str(refused)), icon=":material/error:")
        return
    reserved = [o.scheme.name for o in offered.values() if o.uploaded_by is None]
    by = who.name or t("data.operator_default", lang="zh")
    try:
        scheme_id = loader.write(database_path(), lambda con: store.save_scheme(con, scheme.name, name, text, by,
                                                                                reserved))
    except AppraisalError as refused:
        st.error(refused.zh if lang == "zh" else refused.en, icon=":material/error:")
        return
    account.record(Action.APPRAISAL_SCHEME_UPLOAD, {"scheme": scheme_id, "name": scheme.name, "file": name})
    st.session_state[_SCHEME_SAVED] = t("appraisal.page.scheme_saved", name=scheme.label(lang))
    st.rerun()


_SLIDE_BARS = 8  # counties on the ranking slide (with the selected one)


def scores(filters: Filters, fig: appraisal.Figures, county: str) -> None:
    lang = current_lang()
    notice(_SCHEME_SAVED)
    offered, problems = appraisal.offered_schemes()
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if not offered:
        return
    active = appraisal.active_scheme(offered)
    who = account.viewer()
    if active is None:
        st.caption(t("appraisal.page.no_active"))
    else:
        st.caption(t("appraisal.page.active", name=inert(active.offered.scheme.label(lang)), by=inert(active.chosen_by),
                     at=str(active.chosen_at)[:16]))
    keys = list(offered)
    slides = presenter.slideshow_running()  # on a slide: the scores alone; files and schemes stay on the page
    if slides:
        picked = st.session_state.get("appraisal_scheme")
        chosen = picked if picked in offered else (active.offered.key if active else keys[0])
    else:
        chosen = st.selectbox(t("appraisal.page.scheme"), keys, key="appraisal_scheme",
                              index=keys.index(active.offered.key) if active else 0,
                              format_func=lambda key: _scheme_label(offered[key], active, lang))
        if _may_choose(who) and (active is None or active.offered.key != chosen) and st.button(
                t("appraisal.page.make_active"), key="appraisal_make_active", icon=":material/check:"):
            _choose(str(chosen), offered, who)
        if _may_choose(who):
            scheme_files(offered, who)
    scheme = offered[chosen].scheme
    if scheme.sample:
        st.warning(t("appraisal.page.sample_scheme"), icon=":material/science:")
    if not slides:
        sheet(filters, fig, county, scheme)
    if not scheme.scored:
        st.info(t("appraisal.page.not_scored"), icon=":material/info:")
        return
    ranking = appraisal.ranking(scheme, fig, lang)
    name = fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0]
    bars = ranking
    if slides and len(ranking) > _SLIDE_BARS:  # a province's counties do not fit a slide: the first and this one
        bars = ranking[(ranking.index < _SLIDE_BARS) | (ranking["county_code"] == county)]
        st.caption(t("presenter.table_top", shown=_SLIDE_BARS, total=len(ranking)))
    chart = appraisal_charts.score_bars(bars, name)
    if chart is not None and len(ranking) > 1:
        presenter.altair_chart(chart)
    if slides:
        return
    # On screen without the county code (the workbook keeps it), so that the change and where points were
    # lost fit a 1280-pixel projector without scrolling sideways.
    on_screen = appraisal.ranking_table(ranking, scheme, lang).drop(columns=[t("appraisal.col.county_code")])
    st.dataframe(on_screen, hide_index=True, width="stretch", key="appraisal_ranking",
                 column_config={t("appraisal.col.most_lost"): st.column_config.TextColumn(width="large")})
    block = _block(bracketed(t("appraisal.page.appraisal_file"), scheme.label(lang), lang), filters, fig)
    file_name = f"{safe_name(t('appraisal.page.appraisal_file'))}_{safe_name(_names(fig))}_{fig.year}.xlsx"
    _download(t("appraisal.page.download_ranking"), file_name,
              lambda: appraisal.appraisal_workbook(scheme, fig, lang, block),
              "appraisal_ranking_xlsx", {"view": t("appraisal.page.appraisal_file", lang="zh"), "file": file_name,
                                         "place": _names(fig), "period": str(fig.year)})
    points_lost(fig, county, scheme, heading=True)


def points_lost(fig: appraisal.Figures, county: str, scheme: Scheme | None = None, *, heading: bool = False) -> None:
    """Where the county's points were lost under `scheme` (default: the scheme chosen above), item by item."""
    lang = current_lang()
    if scheme is None:
        offered, _ = appraisal.offered_schemes()
        active = appraisal.active_scheme(offered)
        key = st.session_state.get("appraisal_scheme") or (active.offered.key if active else None)
        if key not in offered or not offered[key].scheme.scored:
            return
        scheme = offered[key].scheme
    if heading:
        name = fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0]
        st.markdown(f"**{t('appraisal.page.why', county=inert(name))}**")
    why = appraisal.explanation_frame(scheme, fig, county, lang)
    item, lost = t("appraisal.col.item"), t("appraisal.col.lost")
    # Points and points lost next to the item, the long explanation last: the figures never scroll away.
    order = [t("appraisal.col.dimension"), item, t("appraisal.col.points"), lost, t("appraisal.col.weight"),
             t("appraisal.col.why")]
    st.dataframe(why[order], hide_index=True, width="stretch", key="appraisal_why",
                 column_config={item: st.column_config.TextColumn(width="medium")})


def sheet(filters: Filters, fig: appraisal.Figures, county: str, scheme: Scheme) -> None:
    """The county's one-page printable sheet under the scheme shown."""
    lang = current_lang()
    name = str(fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0])
    block = _block(t("appraisal.page.sheet_file"), filters, fig)
    file_name = f"{safe_name(t('appraisal.page.sheet_file'))}_{safe_name(name)}_{fig.year}.pdf"
    _download(t("appraisal.page.download_sheet"), file_name,
              lambda: appraisal_sheet.sheet_pdf(scheme, fig, county, block, lang), "appraisal_sheet_pdf",
              {"view": t("appraisal.page.sheet_file", lang="zh"), "file": file_name, "place": name,
               "period": str(fig.year)}, mime="application/pdf")


def notice(key: str = _SAVED) -> None:
    message = st.session_state.pop(key, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def sections(filters: Filters) -> list[Section]:
    """The page's sections in screen order; a selection without a county shows the empty state and stops."""
    chosen = _choices(filters)
    if chosen is None:
        widgets.empty_state("appraisal.page.empty")
        st.stop()
    fig, county = chosen
    return [
        Section(t("appraisal.page.monitoring"), lambda: (notice(), monitoring(filters, fig, county))),
        *([Section(t("appraisal.page.monitoring_rest"), lambda: monitoring_rest(fig, county))]
          if presenter.slideshow_running() else []),
        Section(t("appraisal.page.qualitative"), lambda: qualitative(fig, county)),
        Section(t("appraisal.page.targets"), lambda: targets(fig, county)),
        Section(t("appraisal.page.scores"), lambda: scores(filters, fig, county)),
        *([Section(t("appraisal.page.why", county=_county_name(fig, county)), lambda: points_lost(fig, county))]
          if presenter.slideshow_running() else []),
    ]


def _county_name(fig: appraisal.Figures, county: str) -> str:
    return str(fig.counties.loc[fig.counties["county_code"] == county, "county_name"].iloc[0])

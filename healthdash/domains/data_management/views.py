"""The data page's sections: template download, upload and check, load, history and undo.

File names and values come from uploads: they are shown in st.dataframe (plain text), or made inert
(healthdash.core.markup) where Markdown renders them (st.table, captions, messages), never as HTML.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import streamlit as st

from healthdash.access.audit import Action
from healthdash.access.roles import Permission
from healthdash.core import exports
from healthdash.core.fmt import fmt_count, fmt_month, fmt_number
from healthdash.core.geo import BoundaryError
from healthdash.core.i18n import current_lang, t
from healthdash.core.markup import inert
from healthdash.data.columns import TABLES_BY_NAME
from healthdash.data.db import DatabaseId, database_id, database_path, open_readonly, run_query
from healthdash.domains.quality.data import expected_range
from healthdash.ingest import boundaries, loader
from healthdash.ingest.loadfile import Source, limit_mb
from healthdash.ui import account, widgets
from healthdash.ui.widgets import dataset_kind

_UPLOAD_ROUND = "_data_upload_round"   # bumped after a load, which clears the uploader
_CHECKED = "_data_checked"             # (checksums of the files, LoadResult of their dry run)
_NOTICE = "_data_notice"               # message to show after the rerun that follows a load or undo
_SHOWN_PROBLEMS = 2000
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def notice() -> None:
    """What the last load or undo did, shown once after the rerun it triggered."""
    message = st.session_state.pop(_NOTICE, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def database_note() -> None:
    if dataset_kind() == "demo":
        st.caption(t("data.demo_note"))


# Template ------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=2, show_spinner=False)
def _template_bytes(db: DatabaseId) -> bytes:
    # The template module needs openpyxl, slow to import (docs/PERFORMANCE.md): the data page pays, not every start.
    from healthdash.ingest.template import build_template

    with open_readonly(db.path) as con:
        return build_template(con)


def template_section() -> None:
    from healthdash.ingest.template import FILE_NAME

    st.subheader(t("data.template"), anchor=False)
    left, right = st.columns([5, 2], vertical_alignment="center")
    left.caption(t("data.template_caption"))
    # The template lists the registry's codes: who took it is in the audit log like any export.
    make = account.audited(lambda: _template_bytes(database_id()), Action.EXPORT,
                           {"view": t("data.template"), "file": FILE_NAME})
    right.download_button(t("data.template_download"), make, file_name=FILE_NAME,
                          mime=_XLSX, icon=":material/download:", key="data_template", on_click="ignore")


# Upload, check, load ------------------------------------------------------------------------------------


def upload_section() -> None:
    st.subheader(t("data.upload"), anchor=False)
    limit = limit_mb()
    files = st.file_uploader(
        t("data.upload_label", limit=f"{limit:g}"), type=["xlsx", "xlsm", "xls", "ods", "csv"], accept_multiple_files=True,
        key=f"data_files_{st.session_state.get(_UPLOAD_ROUND, 0)}", max_upload_size=max(1, math.ceil(limit)),
    )
    if not files:
        st.caption(t("data.upload_hint"))
        return
    uploads = [(file.name, file.getvalue()) for file in files]
    sources = loader.read_uploads(uploads, limit)
    fingerprint = tuple((source.name, source.checksum) for source in sources)
    checked = st.session_state.get(_CHECKED)
    if checked is None or checked[0] != (fingerprint, database_id()):
        with st.spinner(t("data.checking")):
            result = loader.dry_run(database_path(), sources, allows=account.load_allows())
        st.session_state[_CHECKED] = ((fingerprint, database_id()), result)
        account.record(Action.DRY_RUN, {"files": [source.name for source in sources], "passed": result.ok,
                                        "problems": len(result.checked.problems)})
    else:
        result = checked[1]
    if not result.ok:
        _problems(result.checked.problems)
        return
    _plan(result)
    _warnings(result)
    operator = _operator()
    if st.button(t("data.apply", files=len(sources)), type="primary", icon=":material/upload:", key="data_apply"):
        _apply(sources, operator)


def _operator() -> str:
    """Who loads or undoes: the signed-in account, or with sign-in off the name typed beside the button."""
    return widgets.recorder(t("data.operator"), "data_operator")


def style() -> None:
    """The file uploader's own button, hint and refusal (a file too large, or of a type not listed: its chip
    turns red, with an English tooltip) are English: say them in the page's language."""
    button, hint, refused = (t(key, limit=f"{limit_mb():g}").replace("\\", "").replace('"', "")
                             for key in ("data.upload_button", "data.upload_drop", "data.upload_refused"))
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{button}"; font-size: 1rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{display: none;}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content: "{hint}";}}
[data-testid="stFileUploader"] [data-testid="stTooltipErrorHoverTarget"] {{flex-direction: column !important;
  align-items: flex-start;}}
[data-testid="stFileUploader"] [data-testid="stTooltipErrorHoverTarget"]::after {{content: "{refused}";
  font-size: 0.85rem; color: #bd4043; margin-top: 2px;}}
[data-testid="stTable"] th {{white-space: nowrap;}}
</style>""")


def problem_summary(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per kind of problem (column and message): how many, and where it first occurs."""
    message = f"message_{lang}"
    first = found.drop_duplicates(["column", message])
    counts = found.groupby(["column", message], sort=False).size()
    where = first["file"] + first["row"].map(lambda row: "" if pd.isna(row) else t("data.at_row", lang=lang, row=int(row)))
    return pd.DataFrame({
        t("data.col_column", lang=lang): first["column"].to_numpy(),
        t("data.col_problem", lang=lang): first[message].to_numpy(),
        t("data.col_count", lang=lang): [fmt_count(counts[(c, m)], lang=lang) for c, m in zip(
            first["column"], first[message], strict=True)],
        t("data.col_first", lang=lang): where.to_numpy(),
    })


def _problems(found: pd.DataFrame) -> None:
    lang = current_lang()
    st.error(t("data.problems", count=fmt_count(len(found), lang=lang)), icon=":material/error:")
    # st.table renders Markdown in its cells and index: file and column names come from the upload.
    st.table(problem_summary(found, lang).map(inert).set_index(t("data.col_column")))
    st.markdown(f"**{t('data.problems_detail')}**")
    table = pd.DataFrame({
        t("data.col_file"): found["file"],
        t("data.col_sheet"): found["sheet"],
        t("data.col_row"): found["row"].map(lambda row: "" if pd.isna(row) else str(int(row))),
        t("data.col_column"): found["column"],
        t("data.col_value"): found["value"],
        t("data.col_problem"): found[f"message_{lang}"],
    })
    if len(table) > _SHOWN_PROBLEMS:
        st.caption(t("data.problems_first", shown=fmt_count(_SHOWN_PROBLEMS, lang=lang)))
    st.dataframe(table.head(_SHOWN_PROBLEMS), hide_index=True, width="stretch", key="data_problem_table",
                 column_config={t("data.col_problem"): st.column_config.TextColumn(width="large")})
    make = account.audited(lambda: exports.csv_bytes(found), Action.EXPORT,
                           {"view": t("data.problems_download"), "file": "导入问题清单.csv"})
    st.download_button(t("data.problems_download"), make,
                       file_name="导入问题清单.csv", mime="text/csv", icon=":material/download:",
                       key="data_problems_csv", on_click="ignore")


def _plan(result: loader.LoadResult) -> None:
    lang = current_lang()
    st.success(t("data.valid"), icon=":material/task_alt:")
    rows = [{
        t("data.col_table"): TABLES_BY_NAME[name].label(lang),
        **{t(f"data.count_{count}"): fmt_count(counts[count], lang=lang) for count in loader.COUNTS},
    } for name, counts in result.totals().items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="content", key="data_plan_table")
    notes = []
    if result.checked.example_rows:
        notes.append(t("data.note_examples", rows=result.checked.example_rows))
    ignored = sorted({column for _, _, column in result.checked.ignored_columns})
    if ignored:
        notes.append(t("data.note_ignored", columns="、".join(inert(column) for column in ignored)))
    for source in result.checked.sources:
        if source.ignored_sheets:
            notes.append(t("data.note_ignored_sheets", file=inert(source.name),
                           sheets="、".join(inert(sheet) for sheet in source.ignored_sheets)))
    history = run_query("import_history")
    loaded = history[history["outcome"].eq("applied")]
    for source in result.checked.sources:
        earlier = loaded[loaded["checksum"].eq(source.checksum)]
        if len(earlier):
            notes.append(t("data.note_loaded_before", file=inert(source.name),
                           batch=int(earlier["batch_id"].iloc[0])))
    for line in notes:
        st.caption(line)


def warning_table(result: loader.LoadResult, lang: str) -> pd.DataFrame:
    """The rows of the files that break a validation rule: where, which unit and month, the rule in words."""
    found = result.warnings
    names = [source.name for source in result.checked.sources]
    return pd.DataFrame({
        t("data.col_file", lang=lang): [names[int(source)] if pd.notna(source) else "" for source in found["source"]],
        t("data.col_row", lang=lang): ["" if pd.isna(row) else str(int(row)) for row in found["row"]],
        t("data.col_unit", lang=lang): found["unit_code"].astype(str),
        t("data.col_month", lang=lang): [fmt_month(month, lang=lang) for month in found["month"]],
        t("data.col_warning", lang=lang): found[f"message_{lang}"].astype(str),
        t("data.col_value", lang=lang): [fmt_number(value, 2, strip=True) for value in found["value"]],
        t("data.col_limit", lang=lang): [expected_range(low, high) for low, high in zip(found["low"], found["high"],
                                                                                      strict=True)],
    })


def _warnings(result: loader.LoadResult) -> None:
    """Rows that break a validation rule: shown next to the plan; the load may still go ahead."""
    if result.warnings.empty:
        return
    lang = current_lang()
    st.warning(t("data.warnings", count=fmt_count(len(result.warnings), lang=lang)), icon=":material/warning:")
    table = warning_table(result, lang)
    st.dataframe(table.head(_SHOWN_PROBLEMS), hide_index=True, width="stretch", key="data_warning_table",
                 column_config={t("data.col_warning"): st.column_config.TextColumn(width="large")})


def _apply(sources: list[Source], operator: str) -> None:
    bar = st.progress(0.0, text=t("data.applying"))
    result = loader.apply(database_path(), sources, operator,
                          progress=lambda share, message: bar.progress(min(share, 1.0), text=message),
                          allows=account.load_allows())
    bar.empty()
    account.record(Action.LOAD, {"files": [source.name for source in sources], "applied": result.applied,
                                 "batches": result.batches})
    if not result.applied:  # the database changed under the dry run, and the files no longer pass
        _problems(result.checked.problems)
        return
    first, last = result.batches[0], result.batches[-1]
    batches = str(first) if first == last else f"{first}–{last}"
    st.session_state[_NOTICE] = t("data.applied", files=len(result.batches), batches=batches)
    st.session_state[_UPLOAD_ROUND] = st.session_state.get(_UPLOAD_ROUND, 0) + 1
    st.session_state.pop(_CHECKED, None)
    st.rerun()


# History and undo ---------------------------------------------------------------------------------------


def history_section() -> None:
    st.subheader(t("data.history"), anchor=False)
    history = run_query("import_history")
    if history.empty:
        st.caption(t("data.history_empty"))
        return
    lang = current_lang()
    table = pd.DataFrame({
        t("data.col_batch"): history["batch_id"].astype("int64"),
        t("data.col_time"): pd.to_datetime(history["loaded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("data.col_file"): history["source_file"],
        t("data.col_status"): history["outcome"].map(lambda outcome: t(f"data.outcome_{outcome}")),
        t("data.col_content"): history["rows_by_table"].map(lambda text: _content(text, lang)),
        t("data.col_by"): history["loaded_by"],
        t("data.col_checksum"): history["checksum"].str[:12],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="data_history_table",
                 column_config={t("data.col_content"): st.column_config.TextColumn(width="large")})
    _undo(history)


def _content(rows_by_table: str, lang: str) -> str:
    """'双向转诊：新增 0 · 替换 1,989 · 未变 11' for a load, '撤销第 3 批' for an undo."""
    try:
        content = json.loads(rows_by_table)
    except ValueError:
        return rows_by_table
    if "undo_of" in content:
        return t("data.undo_of", batch=content["undo_of"])
    if "region_boundary" in content:  # a boundary load (ingest/boundaries.py)
        counts = content["region_boundary"]
        return t("data.boundary.history", added=fmt_count(counts.get("added", 0), lang=lang),
                 replaced=fmt_count(counts.get("replaced", 0), lang=lang))
    parts = []
    for name, counts in content.items():
        label = TABLES_BY_NAME[name].label(lang) if name in TABLES_BY_NAME else name
        figures = " · ".join(f"{t(f'data.count_{count}')} {fmt_count(counts.get(count, 0), lang=lang)}"
                             for count in loader.COUNTS if counts.get(count))
        parts.append(f"{label}：{figures or t('data.nothing')}")
    return "；".join(parts)


def _undo(history: pd.DataFrame) -> None:
    applied = history[history["outcome"].eq("applied")]
    viewer = account.viewer()
    if viewer.account is not None and not viewer.may(Permission.ADMIN):  # an officer undoes their own loads
        applied = applied[applied["loaded_by"].eq(viewer.name)]
    if applied.empty:
        return
    labels = {int(row.batch_id): t("data.batch_label", batch=int(row.batch_id), file=row.source_file,
                                   time=pd.Timestamp(row.loaded_at).strftime("%Y-%m-%d %H:%M"))
              for row in applied.itertuples(index=False)}
    with st.container(border=True):
        st.markdown(f"**{t('data.undo')}**")
        st.caption(t("data.undo_caption"))
        batch = st.selectbox(t("data.undo_pick"), list(labels), format_func=labels.__getitem__, key="data_undo_batch")
        sure = st.checkbox(t("data.undo_confirm", batch=batch), key="data_undo_sure")
        if st.button(t("data.undo_button"), icon=":material/undo:", disabled=not sure, key="data_undo"):
            operator = viewer.name or str(st.session_state.get("data_operator") or "").strip() \
                or t("data.operator_default")
            try:
                with st.spinner(t("data.undoing")):
                    loader.undo(database_path(), batch, operator)
                account.record(Action.UNDO, {"batch": batch})
            except loader.LoadError as error:
                st.error(inert(error.zh if current_lang() == "zh" else error.en), icon=":material/error:")
                return
            st.session_state[_NOTICE] = t("data.undone", batch=batch)
            st.session_state.pop("data_undo_sure", None)
            st.session_state.pop(_CHECKED, None)
            st.rerun()



# Boundaries (maps) --------------------------------------------------------------------------------------


def boundary_section() -> None:
    """Load the commission's own county or town outlines: checked whole, loaded whole or not at all."""
    st.subheader(t("data.boundary.title"), anchor=False)
    st.caption(t("data.boundary.caption"))
    limit = limit_mb()
    round_ = st.session_state.get(_UPLOAD_ROUND, 0)
    file = st.file_uploader(t("data.boundary.file"), type=["geojson", "json", "zip"], key=f"boundary_file_{round_}",
                            max_upload_size=max(1, math.ceil(limit)))
    if file is None:
        return
    raw = file.getvalue()
    try:
        checked = boundaries.check(database_path(), raw, limit, account.load_allows(), file.name)
    except BoundaryError as error:
        st.error(inert(t("data.boundary.refused", reason=t(f"maps.problem.{error.code}", **error.params))),
                 icon=":material/error:")
        account.record(Action.DRY_RUN, {"files": [file.name], "passed": False, "boundaries": error.code})
        return
    names = "、".join(checked.names[area.code] for area in checked.areas[:12])
    st.success(inert(t("data.boundary.check", areas=len(checked.areas),
                       names=names + ("…" if len(checked.areas) > 12 else ""))), icon=":material/check_circle:")
    approval = st.text_input(t("data.boundary.approval"), key=f"boundary_approval_{round_}", max_chars=60).strip()
    if st.button(t("data.boundary.apply", areas=len(checked.areas)), type="primary", icon=":material/map:",
                 key="boundary_apply"):
        operator = account.viewer().name or str(st.session_state.get("data_operator") or "").strip() \
            or t("data.operator_default")
        try:
            batch = boundaries.load(database_path(), raw, file.name, approval or None, limit,
                                    account.load_allows(), loaded_by=operator)
        except BoundaryError as error:
            st.error(inert(t("data.boundary.refused", reason=t(f"maps.problem.{error.code}", **error.params))),
                     icon=":material/error:")
            return
        account.record(Action.LOAD, {"files": [file.name], "boundaries": len(checked.areas), "batch": batch,
                                     "approval": approval or None})
        st.session_state[_NOTICE] = t("data.boundary.done", areas=len(checked.areas), batch=batch)
        st.session_state[_UPLOAD_ROUND] = round_ + 1
        st.rerun()

"""The download buttons of a view: the chart as PNG and SVG, the table as CSV and XLSX, each file with the
view's title block (healthdash.core.exports makes the tables' bytes, healthdash.ui.chart_export the images')."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from healthdash.access.audit import Action
from healthdash.access.roles import Permission
from healthdash.core.exports import CSV_MIME, XLSX_MIME, Kinds, TitleBlock, csv_bytes, xlsx_bytes
from healthdash.core.i18n import t
from healthdash.ui import account, capture, chart_export
from healthdash.ui.chart_cache import ChartSpec


@dataclass(frozen=True)
class Download:
    """One file a view offers: button label, file name, MIME type and how to make its bytes."""

    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes | str]


def downloads(
    block: TitleBlock, *, chart: ChartSpec | None = None, table: pd.DataFrame | None = None,
    kinds: Kinds | None = None,
) -> list[Download]:
    """The files of one view: the chart as PNG and SVG, the table as CSV and XLSX, each with `block`.
    Nothing is rendered here: `make` does it when the file is asked for."""
    files: list[Download] = []

    def label(key: str) -> str:
        return t(key, lang=block.lang)

    if chart is not None:
        files.append(Download(label("export.png"), block.file_name("png"), "image/png",
                              lambda: chart_export.chart_png(chart, block)))
        files.append(Download(label("export.svg"), block.file_name("svg"), "image/svg+xml",
                              lambda: chart_export.chart_svg(chart, block)))
    if table is not None:
        files.append(Download(label("export.csv"), block.file_name("csv"), CSV_MIME,
                              lambda: csv_bytes(table, block, kinds)))
        files.append(Download(label("export.xlsx"), block.file_name("xlsx"), XLSX_MIME,
                              lambda: xlsx_bytes(table, block.view, block, kinds)))
    return files


def download_row(
    key: str, block: TitleBlock, *, chart: ChartSpec | None = None, table: pd.DataFrame | None = None,
    kinds: Kinds | None = None,
) -> None:
    """A row of download buttons for one view: the chart as PNG and SVG, the table as CSV and XLSX.

    Files are made only when a button is clicked (deferred callables), so a rerun never renders a chart
    it is not asked for; they use only what is captured here, never the session. Each file made is audited
    (healthdash.ui.account.audited) and read within the viewer's jurisdiction.
    """
    if table is not None:
        capture.table(block.view, table, kinds, block.notes)
    files = downloads(block, chart=chart, table=table, kinds=kinds)
    if not files or not account.viewer().may(Permission.EXPORT):  # a viewer or officer role exports nothing
        return
    with st.container(horizontal=True, gap="small"):
        for file in files:
            extension = file.file_name.rsplit(".", 1)[-1]
            make = account.audited(file.make, Action.EXPORT, account.file_detail(block, file.file_name))
            st.download_button(file.label, make, file_name=file.file_name, mime=file.mime,
                               key=f"dl_{key}_{extension}", icon=":material/download:", on_click="ignore")


@dataclass(frozen=True)
class Document:
    """A meeting document of a page (Word 专报, PowerPoint): the file and the title block its audit row cites."""

    file: Download
    block: TitleBlock
    icon: str
    help: str = ""


def document_row(key: str, documents: list[Document]) -> None:
    """The page's meeting documents as buttons in a row; each is made on a click, within the viewer's
    jurisdiction, and audited as a briefing."""
    if not documents or not account.viewer().may(Permission.EXPORT):
        return
    with st.container(horizontal=True, gap="small", key=f"documents_{key}"):
        for document in documents:
            file = document.file
            extension = file.file_name.rsplit(".", 1)[-1]
            make = account.audited(file.make, Action.BRIEFING, account.file_detail(document.block, file.file_name))
            st.download_button(file.label, make, file_name=file.file_name, mime=file.mime,
                               key=f"doc_{key}_{extension}", icon=document.icon, help=document.help or None,
                               on_click="ignore")

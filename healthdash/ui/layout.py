"""One layout for every page: its ordered list of sections, shown top to bottom or, in presenter mode, as a
slideshow of the same list (one section per slide).

A page is `sidebar_filters()`, `ui.page_header(...)`, then `render_page("<name>", <views>.sections(filters))`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import streamlit as st

from healthdash.ui import capture, downloads, presenter
from healthdash.ui.capture import Capture


@dataclass(frozen=True)
class Section:
    """One part of a page.

    `title` is the subheader on the page and the slide's title. `heading=False` leaves the subheader out
    (headline cards, or a section that writes its own heading); `slide=False` keeps a part off the slideshow
    (a picker or a download under the cards). Consecutive sections with a `width` share a row of columns in
    those proportions.
    """

    title: str
    render: Callable[[], None]
    heading: bool = True
    slide: bool = True
    width: int | None = None


def slides(sections: Sequence[Section]) -> list[presenter.Slide]:
    return [presenter.Slide(section.title, section.render) for section in sections if section.slide]


def _show(section: Section, drawn: Capture | None = None) -> None:
    if drawn is not None and section.slide:
        drawn.section(section.title)
    if section.heading:
        st.subheader(section.title, anchor=False)
    section.render()


# What a page offers as meeting documents (Word 专报, PowerPoint): made from what the page drew.
Documents = Callable[[Capture], list[downloads.Document]]
# Set only by `python -m healthdash briefing`, which runs a page without a browser to write its documents.
_kept: list[list[downloads.Document]] | None = None


@contextmanager
def keeping_documents() -> Iterator[list[list[downloads.Document]]]:
    """Inside the block every page run also hands the documents it offers to the list yielded (one entry per
    run), so that the command line writes the very files the page's buttons give."""
    global _kept
    _kept = []
    try:
        yield _kept
    finally:
        _kept = None


def render_page(name: str, sections: Sequence[Section], documents: Documents | None = None) -> None:
    """Show `sections` in order; in presenter mode first offer them as a slideshow keyed `name`.

    While a slide is shown the run stops after it, as every page did before this layout existed.
    `documents` puts buttons for the page's meeting documents at the top of the page, made on a click
    from the charts and tables the sections drew.
    """
    if presenter.slideshow(name, slides(sections)):
        st.stop()
    slot = st.container() if documents is not None else None
    drawn = capture.start()
    try:
        _show_all(sections, drawn)
    finally:
        capture.stop()
    if slot is not None and documents is not None:
        offered = documents(drawn)
        if _kept is not None:
            _kept.append(offered)
        with slot:
            downloads.document_row(name, offered)


def _show_all(sections: Sequence[Section], drawn: Capture) -> None:
    index = 0
    while index < len(sections):
        row = [sections[index]]
        while row[-1].width is not None and index + len(row) < len(sections) \
                and sections[index + len(row)].width is not None:
            row.append(sections[index + len(row)])
        # A headed section after the first starts a new printed page (widgets._STYLE, print media).
        place = st.container(key=f"hd-print-section-{index}") if index and row[0].heading else nullcontext()
        with place:
            if len(row) == 1:
                _show(row[0], drawn)
            else:
                for column, section in zip(st.columns([s.width or 1 for s in row], gap="large"), row, strict=True):
                    with column:
                        _show(section, drawn)
        index += len(row)

"""The meeting documents a page offers (Word 专报, PowerPoint), for layout.render_page(documents=...)."""

from __future__ import annotations

from collections.abc import Callable

from healthdash.core.filters import Filters
from healthdash.core.i18n import current_lang, t
from healthdash.reports import briefing, meeting, slide_deck, word_document
from healthdash.ui import widgets
from healthdash.ui.capture import Capture
from healthdash.ui.downloads import Document, Download

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def offer(page: str, filters: Filters, with_briefing: bool = False) -> Callable[[Capture], list[Document]]:
    """The page's meeting documents, for layout.render_page(documents=...): made when a button is clicked.
    `with_briefing` puts the Overview's 会议简报 PDF first in the row."""
    def documents(drawn: Capture) -> list[Document]:
        lang = current_lang()
        word = widgets.title_block(t("meeting.file", lang=lang, page=page), filters, lang)
        deck = widgets.title_block(t("meeting.deck_file", lang=lang, page=page), filters, lang)
        pdf = widgets.title_block(t("briefing.title", lang=lang), filters, lang)
        first = [Document(Download(t("briefing.button", lang=lang), briefing.file_name(filters, lang), briefing.PDF_MIME,
                                   lambda: briefing.briefing_pdf(filters, lang)),
                          pdf, ":material/picture_as_pdf:", t("briefing.help", lang=lang))] if with_briefing else []
        return [
            *first,
            Document(Download(t("meeting.docx_button", lang=lang), word.file_name("docx"), DOCX_MIME,
                              lambda: word_document.docx(meeting.content(page, filters, drawn, lang))),
                     word, ":material/description:", t("meeting.docx_help", lang=lang)),
            Document(Download(t("meeting.pptx_button", lang=lang), deck.file_name("pptx"), PPTX_MIME,
                              lambda: slide_deck.pptx(meeting.content(page, filters, drawn, lang))),
                     deck, ":material/slideshow:", t("meeting.pptx_help", lang=lang)),
        ]

    return documents

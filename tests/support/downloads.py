"""The files a page offers for download: in AppTest, captured as the page registers them (what a click on each
button would fetch, by file name; deferred downloads are made only when asked for); in a browser, the file a
click fetched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

Files = dict[str, Callable[[], bytes | str]]


def offered_files(monkeypatch: pytest.MonkeyPatch) -> Files:
    """A dict that fills with every deferred file the pages run from now on offer, by file name."""
    offered: Files = {}
    deferred = MediaFileManager.add_deferred

    def add_deferred(self: MediaFileManager, data: Callable, mimetype: str | None, coordinates: str,
                     file_name: str | None = None, **kwargs: object) -> str:
        offered[str(file_name)] = data
        return deferred(self, data, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return offered


def clicked_download(page, button: str) -> tuple[str, bytes]:  # noqa: ANN001 (a Playwright Page)
    """In a browser: click the download button named `button` and return the file it fetched (name, bytes)."""
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=button).click()
    saved = download.value
    return saved.suggested_filename, Path(saved.path()).read_bytes()

"""What a page drew, section by section, for the meeting documents (Word 专报, PowerPoint).

layout.render_page opens a capture before its sections and closes it after; while it is open every chart
drawn through presenter.altair_chart and every table offered through downloads.download_row is noted under
the section being drawn. The documents are made later, on a click, from what was noted, so they show the
page's own charts for the page's own selection without drawing anything twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd

from healthdash.core.exports import Kinds
from healthdash.ui.chart_cache import ChartSpec


@dataclass
class Part:
    """One section of a page as drawn: its title, its charts and the tables offered for download."""

    title: str
    charts: list[ChartSpec] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame, Kinds | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the title blocks' extra lines (the what-if levers)

    @property
    def empty(self) -> bool:
        return not self.charts and not self.tables


@dataclass
class Capture:
    """A page's parts in screen order."""

    parts: list[Part] = field(default_factory=list)

    def section(self, title: str) -> None:
        self.parts.append(Part(title))

    def filled(self) -> list[Part]:
        return [part for part in self.parts if not part.empty]

    def notes(self) -> tuple[str, ...]:
        """Every part's notes once, in order of appearance."""
        return tuple(dict.fromkeys(note for part in self.parts for note in part.notes))


# One script run per thread: a capture belongs to the run that opened it.
_current = threading.local()


def start() -> Capture:
    capture = Capture()
    _current.capture = capture
    return capture


def stop() -> None:
    _current.capture = None


def _open() -> Capture | None:
    capture = getattr(_current, "capture", None)
    return capture if capture is not None and capture.parts else None


def chart(spec: ChartSpec) -> None:
    capture = _open()
    if capture is not None and not any(spec is seen for seen in capture.parts[-1].charts):
        capture.parts[-1].charts.append(spec)


def table(title: str, frame: pd.DataFrame, kinds: Kinds | None = None, notes: tuple[str, ...] = ()) -> None:
    capture = _open()
    if capture is not None:
        part = capture.parts[-1]
        part.tables.append((title, frame, kinds))
        part.notes.extend(note for note in notes if note not in part.notes)

"""The English briefing is English: the headline table's targets and their absence in English words, and the
whole PDF (headings, tables, the summary, the charts' words) but for the names of places."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from healthdash.core.filters import Filters
from healthdash.data.kpi import headline
from healthdash.domains.overview.data import HEADLINE
from healthdash.reports import briefing
from tests.support.places import region_code


def test_english_headline_table_has_no_chinese(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    kpis = headline(Filters(date(2024, 1, 1), date(2024, 6, 1), period="custom"), HEADLINE)
    frame = briefing.headline_frame(kpis, "yoy", "en")
    targets = frame["Target"].tolist()
    assert "No target" in targets and any(target.startswith("≥") for target in targets)
    for column in frame.columns:
        assert not any(re.search(r"[\u4e00-\u9fff]", str(cell)) for cell in frame[column]), column


def test_english_briefing_pdf_is_english_but_for_place_names(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    county = region_code(demo_db, "名山区")
    filters = Filters(date(2024, 1, 1), date(2024, 6, 1), city=county[:4] + "00", county=county, period="custom")
    reader = PdfReader(io.BytesIO(briefing.briefing_pdf(filters, "en")))
    # pypdf puts a NUL before each character of fpdf2's CFF subset.
    text = "".join(page.extract_text().replace("\x00", "").replace("\n", "") for page in reader.pages)
    assert "Headline indicators" in text and "Needs attention" in text and "Family-doctor contract coverage" in text
    with duckdb.connect(str(demo_db), read_only=True) as con:
        names = [name for (name,) in con.execute("select name from region union select name from facility").fetchall()]
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    assert not re.findall(r"[\u4e00-\u9fff]+", text), "Chinese words left in the English briefing"

"""The English briefing's headline table is English: targets and their absence in English words."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from healthdash.core.filters import Filters
from healthdash.data.kpi import headline
from healthdash.domains.overview.data import HEADLINE
from healthdash.reports import briefing


def test_english_headline_table_has_no_chinese(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    kpis = headline(Filters(date(2024, 1, 1), date(2024, 6, 1), period="custom"), HEADLINE)
    frame = briefing.headline_frame(kpis, "yoy", "en")
    targets = frame["Target"].tolist()
    assert "No target" in targets and any(target.startswith("≥") for target in targets)
    for column in frame.columns:
        assert not any(re.search(r"[\u4e00-\u9fff]", str(cell)) for cell in frame[column]), column

"""The badge under every page header (issue 20): 数据截至 YYYY年M月 · 上报率 x% for the page's selection, with
"* N家机构未上报" when reports are missing, as a link to the 数据质量 page carrying the same selection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import reporting
from healthdash.data.quality.sql import runner
from healthdash.ui.navigation import app_pages
from tests.support.app import open_data_page, open_page
from tests.support.places import region_code

YEAR = {"period": "custom", "from": "2025-01", "to": "2025-12"}


def quality_links(at) -> list:
    return [link for link in at.get("page_link") if link.proto.page == "quality"]


def engine_coverage(db: Path, county: str) -> reporting.Coverage:
    with duckdb.connect(str(db), read_only=True) as con:
        filters = Filters(date(2025, 1, 1), date(2025, 12, 1), city=county[:4] + "00", county=county)
        return reporting.coverage(reporting.totals(runner(con, EVERYTHING), filters))


@pytest.mark.parametrize("page", [page for page in app_pages() if page.url_path not in ("data", "admin")],
                         ids=lambda page: page.url_path)
def test_every_page_with_a_selection_shows_the_badge_for_it(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                            page) -> None:
    county = region_code(demo_db, "博爱县")  # the demo seeds a facility there that missed months
    at = open_page(demo_db, monkeypatch, page.script, {"county": county, **YEAR})
    cover = engine_coverage(demo_db, county)
    assert cover.units_missing == 1 and cover.reporting_rate is not None and cover.reporting_rate < 1
    links = quality_links(at)
    assert len(links) == 1, page.script
    rate = f"{int(cover.reporting_rate * 1000) / 10:.1f}%"
    assert links[0].proto.label == f"数据截至 2025年12月 · 上报率 {rate}  * 1家机构未上报"
    query = links[0].proto.query_string
    assert f"county={county}" in query and "from=2025-01" in query and "to=2025-12" in query


def test_the_data_page_shows_the_badge_for_the_default_selection(demo_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_data_page(demo_db, monkeypatch)
    links = quality_links(at)
    assert len(links) == 1 and links[0].proto.label.startswith("数据截至 2025年12月 · 上报率 ")


def test_a_selection_with_every_report_in_has_no_missing_note(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    county = region_code(demo_db, "鹿寨县")
    assert engine_coverage(demo_db, county).complete
    at = open_page(demo_db, monkeypatch, None, {"county": county, **YEAR})
    label = quality_links(at)[0].proto.label
    assert label == "数据截至 2025年12月 · 上报率 100.0%"

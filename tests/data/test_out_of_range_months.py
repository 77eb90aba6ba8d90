"""A month the loader refuses today (0001-01, 1066-10) may already be in a database loaded before: every page
still renders, the period choices stay within 2000-01 and next year, and a link to such a month is dropped
with a note."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from healthdash.data.build import rebuild_rollups
from healthdash.data.db import CATALOG, execute, open_readonly
from healthdash.ui.navigation import app_pages
from tests.support.app import open_page
from tests.support.load_world import build_tiny


@pytest.fixture(scope="module")
def old_rows_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_tiny(tmp_path_factory.mktemp("old-months") / "health.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("insert into service_volume select facility_code, date '0001-01-01', outpatient_visits, "
                    "inpatient_discharges, critical_cases, inpatient_spending from service_volume limit 1")
        con.execute("insert into public_health select town_code, date '1066-10-01', indicator_code, numerator, "
                    "denominator from public_health limit 1")
        rebuild_rollups(con)
    return path


def test_the_period_choices_leave_out_impossible_months(old_rows_db: Path) -> None:
    with open_readonly(old_rows_db) as con:
        stored = con.execute("select min(month) from indicator_fact").fetchall()[0][0]
        months = execute(con, "data_months", catalog=CATALOG).iloc[0]
    assert stored.year == 1, "the database does hold the old row"
    assert months["first_month"].year == 2024 and months["last_month"].year == 2024


@pytest.mark.parametrize("page", app_pages(), ids=[page.url_path for page in app_pages()])
def test_every_page_renders_over_the_whole_range_with_an_old_row_in_the_database(
        page, old_rows_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for query in ({"period": "custom", "from": "2024-01", "to": "2024-03", "county": "K1", "facility": "HK1"},
                  {"period": "custom", "from": "0001-01", "to": "2024-03"}):
        app = open_page(old_rows_db, monkeypatch, None if page.default else page.script, query)
        if query["from"] == "0001-01" and page.url_path not in ("data", "admin"):  # pages without a selection
            assert any("from=0001" in warning.value for warning in app.sidebar.warning)

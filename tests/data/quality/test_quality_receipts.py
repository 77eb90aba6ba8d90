"""The loader records who delivered which report when, in the load's own transaction; undo forgets it;
a database built before the quality tables gains them on its next load."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import reporting
from healthdash.data.quality.sql import runner
from healthdash.ingest import loader
from tests.support.load_world import build_tiny, csv_bytes

APRIL = [{"facility_code": "HT2", "month": "2024-04", "outpatient_visits": 800, "inpatient_discharges": 10,
          "critical_cases": 0, "inpatient_spending": 5}]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_tiny(tmp_path / "health.duckdb")


def load(db: Path, tmp_path: Path, rows: list[dict], table: str = "service_volume") -> loader.LoadResult:
    path = tmp_path / f"{table}.csv"
    path.write_bytes(csv_bytes(table, rows))
    result = loader.apply(db, loader.read_paths([path]), "县数据员")
    assert result.ok, result.checked.problems.to_dict("records")
    return result


def receipts(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select dataset, unit_code, alliance_code, month, batch_id, source from report_receipt "
                           "order by all").fetchall()


def test_a_load_records_each_delivered_unit_and_month_with_its_batch_and_time(db: Path, tmp_path: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    result = load(db, tmp_path, APRIL)
    batch = result.batches[0]
    assert receipts(db) == [("service_volume", "HT2", "", date(2024, 4, 1), batch, "load")]
    with duckdb.connect(str(db), read_only=True) as con:
        loaded_at = con.execute("select loaded_at from import_batch where batch_id = $b", {"b": batch}).fetchall()[0][0]
        received_at = con.execute("select received_at from report_status where unit_code = 'HT2' "
                                  "and month = '2024-04-01' and dataset = 'service_volume'").fetchall()[0][0]
    assert received_at == loaded_at and loaded_at >= before


def test_a_report_loaded_again_keeps_its_first_delivery_time(db: Path, tmp_path: Path) -> None:
    load(db, tmp_path, APRIL)
    load(db, tmp_path, [{**APRIL[0], "outpatient_visits": 900}])  # a correction
    with duckdb.connect(str(db), read_only=True) as con:
        first, status = con.execute("""
            select (select min(received_at) from report_receipt where unit_code = 'HT2'),
                (select received_at from report_status where unit_code = 'HT2' and month = '2024-04-01'
                 and dataset = 'service_volume')
        """).fetchall()[0]
    assert len(receipts(db)) == 2 and status == first


def test_undo_forgets_the_batchs_deliveries(db: Path, tmp_path: Path) -> None:
    result = load(db, tmp_path, APRIL)
    loader.undo(db, result.batches[0], "县数据员")
    assert receipts(db) == []
    with duckdb.connect(str(db), read_only=True) as con:
        totals = reporting.totals(runner(con, EVERYTHING), Filters(date(2024, 4, 1), date(2024, 4, 1)),
                                  chosen=["service_volume"], as_of=date(2024, 6, 1))
    # The tiny world's HK1 and HT1 report January to March only: April is beyond the data, owed by nobody.
    assert totals.empty


def test_public_health_and_referrals_are_received_per_town_and_sender(db: Path, tmp_path: Path) -> None:
    load(db, tmp_path, [{"town_code": "T2", "month": "2024-02", "indicator_code": "fd_coverage", "numerator": 1,
                         "denominator": 2},
                        {"town_code": "T2", "month": "2024-02", "indicator_code": "hpv_first_doses", "numerator": 3}],
         table="public_health")
    assert receipts(db) == [("public_health", "T2", "", date(2024, 2, 1), 1, "load")]


def test_a_database_built_before_the_quality_tables_gains_them_on_its_next_load(db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(db)) as con:
        for name in ("report_receipt", "report_exception", "quality_mark", "facility_dates"):
            con.execute(f"drop table {name}")  # name: one of the four literals above
    load(db, tmp_path, APRIL)
    assert len(receipts(db)) == 1

"""Validation rules on a load (issue 20): rows that break a rule come back as warnings with their file and
row, beside the plan of the dry run, and a load with warnings still applies. On the tiny world of
tests/support/load_world.py (HT1: 8 down-referrals stored for January 2024)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from healthdash.domains.data_management.views import warning_table
from healthdash.ingest import loader
from tests.support.load_world import build_tiny, csv_bytes, table


@pytest.fixture(scope="module")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-master") / "health.duckdb")


@pytest.fixture
def db(tiny_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(tiny_master, path)
    return path


def volume_file(tmp_path: Path, critical: int, discharges: int) -> Path:
    path = tmp_path / "门急诊与住院服务量.csv"
    rows = [{"facility_code": "HT1", "month": "2024-03", "outpatient_visits": 500, "inpatient_discharges": 10,
             "critical_cases": 0, "inpatient_spending": 10},
            {"facility_code": "HT1", "month": "2024-04", "outpatient_visits": 500,
             "inpatient_discharges": discharges, "critical_cases": critical, "inpatient_spending": 10}]
    path.write_bytes(csv_bytes("service_volume", rows))
    return path


def test_the_dry_run_warns_of_the_row_that_breaks_a_rule_and_where_it_is(db: Path, tmp_path: Path) -> None:
    path = volume_file(tmp_path, critical=12, discharges=10)
    result = loader.dry_run(db, loader.read_paths([path]))
    assert result.ok and sum(result.totals()["service_volume"].values()) == 2
    assert result.warnings[["rule_id", "unit_code", "value", "high", "source", "row"]].values.tolist() == [
        ["R01", "HT1", 12, 10, 0, 3]]  # the second data row is the file's third line
    shown = warning_table(result, "zh")
    assert shown.iloc[0].tolist() == [str(path), "3", "HT1", "2024年4月",
                                      "急危重症救治例数超过出院人次", "12", "≤ 10"]


def test_a_file_that_breaks_no_rule_has_no_warnings(db: Path, tmp_path: Path) -> None:
    result = loader.dry_run(db, loader.read_paths([volume_file(tmp_path, critical=10, discharges=10)]))
    assert result.ok and result.warnings.empty


def test_a_load_with_a_warning_still_applies(db: Path, tmp_path: Path) -> None:
    result = loader.apply(db, loader.read_paths([volume_file(tmp_path, critical=12, discharges=10)]), "县数据员")
    assert result.applied and result.warnings["rule_id"].tolist() == ["R01"]
    stored = table(db, "service_volume")
    april = stored[(stored["facility_code"] == "HT1") & (stored["month"].astype(str).str.startswith("2024-04"))]
    assert april["critical_cases"].tolist() == [12]

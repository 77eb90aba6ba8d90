"""Follow-up marks: a data officer marks a flag 待更正 / 已核实 / 已更正 with a comment; the mark names who and
when, survives loads of other data, shows when the marked value has changed since, and stays in the
flag's history."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import Filters
from healthdash.data.db import EVERYTHING
from healthdash.data.quality import marks, outliers
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.marks import FlagKey
from healthdash.data.quality.sql import runner
from healthdash.ingest import loader
from tests.data.quality.test_quality_rules import CARE, PUBLIC_HEALTH, REFERRALS, SHARED, VOLUME
from tests.data.quality.worlds import ALLIANCES, FACILITIES, MEMBERS, REGIONS
from tests.support.load_world import csv_bytes
from tests.support.worlds import write_world

YEAR = Filters(date(2024, 1, 1), date(2024, 12, 1))
R01 = FlagKey("R01", "service_volume", "", "HK1", "", date(2024, 1, 1))  # 50 critically ill, 40 discharges


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return write_world(tmp_path / "health.duckdb", region=REGIONS, facility=FACILITIES, alliance=ALLIANCES,
                       alliance_member=MEMBERS, service_volume=VOLUME, referral=REFERRALS, shared_service=SHARED,
                       public_health=PUBLIC_HEALTH, resident_care=CARE)


def flag(db: Path, key: FlagKey) -> pd.Series | None:
    with duckdb.connect(str(db), read_only=True) as con:
        found = outliers.flags(runner(con, EVERYTHING), YEAR, chosen_checks=[key.check_id])
    rows = [row for _, row in found.iterrows() if FlagKey.of(row) == key]
    return rows[0] if rows else None


def load(db: Path, tmp_path: Path, table: str, rows: list[dict]) -> None:
    path = tmp_path / f"{table}.csv"
    path.write_bytes(csv_bytes(table, rows))
    assert loader.apply(db, loader.read_paths([path]), "县数据员").applied


def hk1_january(critical: int) -> dict:
    return {"facility_code": "HK1", "month": "2024-01", "outpatient_visits": 1000, "inpatient_discharges": 40,
            "critical_cases": critical, "inpatient_spending": 1e5}


def test_a_mark_shows_on_its_flag_with_who_and_when(db: Path) -> None:
    shown = flag(db, R01)
    assert shown is not None and shown["mark_status"] is None
    at = datetime(2025, 2, 3, 9, 15)
    mark = loader.write(db, lambda con: marks.set_mark(con, FlagKey.of(shown), "to_correct", "请医院核对急危重症口径",
                                                       "县卫健委张三", value=shown["value"], at=at))
    marked = flag(db, R01)
    assert (marked["mark_status"], marked["mark_comment"], marked["marked_by"]) == ("to_correct", "请医院核对急危重症口径",
                                                                                     "县卫健委张三")
    assert marked["marked_at"] == at and not marked["changed_since_mark"]
    with duckdb.connect(str(db), read_only=True) as con:
        history = marks.history(runner(con, EVERYTHING), R01)
    assert history["mark_id"].tolist() == [mark]


def test_marks_survive_loads_of_other_data_and_show_a_changed_value(db: Path, tmp_path: Path) -> None:
    loader.write(db, lambda con: marks.set_mark(con, R01, "to_correct", "请核对", "张三", value=50))
    load(db, tmp_path, "service_volume", [{**hk1_january(0), "facility_code": "HT1", "month": "2024-03"}])
    load(db, tmp_path, "public_health", [{"town_code": "T2", "month": "2024-04", "indicator_code": "fd_coverage",
                                          "numerator": 5, "denominator": 10}])
    assert flag(db, R01)["mark_status"] == "to_correct"
    load(db, tmp_path, "service_volume", [hk1_january(45)])  # corrected, still above 40
    changed = flag(db, R01)
    assert changed["value"] == 45 and changed["value_at_mark"] == 50 and changed["changed_since_mark"]


def test_the_newest_mark_is_the_state_and_every_mark_stays_in_the_history(db: Path, tmp_path: Path) -> None:
    loader.write(db, lambda con: marks.set_mark(con, R01, "to_correct", "请核对", "张三",
                                                at=datetime(2025, 2, 3, 9, 0)))
    loader.write(db, lambda con: marks.set_mark(con, R01, "verified", "医院确认：当月收治一批外伤", "李四",
                                                at=datetime(2025, 2, 5, 16, 30)))
    assert flag(db, R01)["mark_status"] == "verified"
    with duckdb.connect(str(db), read_only=True) as con:
        history = marks.history(runner(con, EVERYTHING), R01)
    assert history[["status", "marked_by"]].values.tolist() == [["verified", "李四"], ["to_correct", "张三"]]
    load(db, tmp_path, "service_volume", [hk1_january(30)])  # fixed: no flag any more, the marks remain
    assert flag(db, R01) is None
    with duckdb.connect(str(db), read_only=True) as con:
        assert len(marks.history(runner(con, EVERYTHING), R01)) == 2


def test_an_outlier_flag_is_marked_by_its_measure(db: Path) -> None:
    key = FlagKey("zscore", "service_volume", "outpatient_visits", "HK1", "", date(2024, 1, 1))
    other = FlagKey("jump", "service_volume", "outpatient_visits", "HK1", "", date(2024, 1, 1))
    loader.write(db, lambda con: marks.set_mark(con, key, "verified", "春节前义诊", "张三"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert len(marks.history(runner(con, EVERYTHING), key)) == 1
        assert marks.history(runner(con, EVERYTHING), other).empty


@pytest.mark.parametrize(("change", "message"), [
    ({"status": "done"}, "未知的跟进状态"),
    ({"comment": "   "}, "请填写说明"),
    ({"comment": "长" * 501}, "不能超过 500 个字"),
    ({"by": ""}, "缺少经办人"),
    ({"key": FlagKey("median", "service_volume", "", "HK1", "", date(2024, 1, 1))}, "未知的检查项"),
    ({"key": FlagKey("R01", "salaries", "", "HK1", "", date(2024, 1, 1))}, "未知的报表"),
])
def test_a_refused_mark_changes_nothing(db: Path, change: dict, message: str) -> None:
    before = db.read_bytes()
    options = {"key": R01, "status": "verified", "comment": "已核实", "by": "张三"} | change
    with pytest.raises(QualityError, match=message):
        loader.write(db, lambda con: marks.set_mark(con, options["key"], options["status"], options["comment"],
                                                    options["by"]))
    assert db.read_bytes() == before

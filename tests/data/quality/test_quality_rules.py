"""Validation rules on given rows: every rule of data/validation_rules.csv fires on a report that breaks
it and on nothing else, on the database and on a load's rows (read as the database will be after it);
the rule file is parsed against an allow-list, so its text never reaches SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.data.db import CATALOG, open_readonly
from healthdash.data.quality import rules
from healthdash.data.quality.rules import RuleError
from healthdash.ingest import loader
from tests.data.quality.worlds import ALLIANCES, FACILITIES, MEMBERS, REGIONS
from tests.support.load_world import csv_bytes
from tests.support.worlds import write_world

JAN, FEB, MAR, APR = (date(2024, month, 1) for month in (1, 2, 3, 4))
YEAR = (date(2024, 1, 1), date(2024, 12, 1))

VOLUME = pd.DataFrame(
    [("HK1", JAN, 1000, 40, 50, 1e5),   # R01: 50 critically ill, 40 discharges
     ("HK1", FEB, 1000, 40, 10, 1e5),
     ("HT1", JAN, 500, 5, 0, 1e4),      # R02: 8 referred down, 5 discharges
     ("HT1", FEB, 500, 5, 0, 1e4)],
    columns=["facility_code", "month", "outpatient_visits", "inpatient_discharges", "critical_cases",
             "inpatient_spending"])
REFERRALS = pd.DataFrame(
    [(number, day, "HT1", "VT1", "down", "IX", False, "completed")
     for number, day in enumerate([date(2024, 1, 9)] * 8 + [date(2024, 2, 9)] * 2, start=1)],
    columns=["referral_id", "referral_date", "from_facility", "to_facility", "direction", "disease_chapter",
             "green_channel", "status"])
SHARED = pd.DataFrame(
    [("A1", "HT1", JAN, "imaging", 10, 12, 0, 0, 0),   # R03: 12 reviewed of 10 remote cases
     ("A1", "HT1", FEB, "imaging", 20, 10, 5, 11, 0),  # R04: 11 films graded, 10 reviewed
     ("A1", "HT1", MAR, "imaging", 20, 10, 11, 5, 2),  # R05: 11 concordant, 10 reviewed
     ("A1", "HT1", APR, "imaging", 20, 10, 9, 10, 7)],
    columns=["alliance_code", "facility_code", "month", "service", "remote_cases", "cases_reviewed", "concordant",
             "films_graded", "grade_a_films"])
PUBLIC_HEALTH = pd.DataFrame(
    [("T1", JAN, "child_immunization_rate", 110.0, 100.0),  # R06: 110 vaccinated, 100 due
     ("T1", JAN, "hpv_first_doses", 3000.0, None),           # R07: above 25% of 10,000 residents
     ("T1", FEB, "fd_coverage", 500.0, 1000.0),
     ("T1", FEB, "fd_key_pop_coverage", 600.0, 700.0),        # R08: 600 key-group contracts, 500 in all
     ("T1", MAR, "fd_coverage", 1200.0, 1000.0),              # R09: 120%
     ("T2", JAN, "ehr_coverage", 1100.0, 1000.0),             # R10: 110%
     ("T2", FEB, "fd_key_pop_coverage", 100.0, 12000.0),      # R11: 12,000 key-group people, 10,000 residents
     ("T2", MAR, "fd_coverage", 500.0, 1000.0), ("T2", MAR, "fd_key_pop_coverage", 400.0, 600.0)],
    columns=["town_code", "month", "indicator_code", "numerator", "denominator"])
CARE = pd.DataFrame(
    [("K1", JAN, "outpatient", 900, 100, 5e4, 2000.0, 1500.0),  # R12: fund paid 2,000 of 1,500 spent outside
     ("K1", JAN, "inpatient", 90, 10, 5e5, 8000.0, 15000.0)],
    columns=["county_code", "month", "setting", "visits_in_county", "visits_out_of_county", "fund_in_county",
             "fund_out_of_county", "spending_out_of_county"])

# The licensing register (issue 26): HT1 has no physician on record in February and April and no technician
# in April; HK1 has no register rows, so its reports are not judged against staff.
REGISTER = pd.DataFrame(
    [("HT1", month, physicians, 4, technicians, 0, 0)
     for month, physicians, technicians in ((JAN, 3, 1), (FEB, 0, 1), (MAR, 3, 1), (APR, 0, 0))],
    columns=["facility_code", "month", "physicians", "nurses", "technicians", "village_doctors",
             "village_doctors_licensed"])
ACTIVITY = pd.DataFrame(
    [("A1", "HT1", APR, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0)],  # R14: 2 surgery demonstrations, no physician
    columns=["alliance_code", "facility_code", "month", "doctors_sent", "nurses_sent", "pharmacists_sent",
             "technicians_sent", "posted_physicians", "expert_clinic_sessions", "teaching_rounds", "lectures",
             "surgery_demos", "trainees_sent_up", "new_techniques"])

# rule -> (unit, alliance, measure, month, value, low, high) of the one report that breaks it.
BROKEN = {
    "R01": ("HK1", "", "", JAN, 50, None, 40), "R02": ("HT1", "", "", JAN, 8, None, 5),
    "R03": ("HT1", "A1", "imaging", JAN, 12, None, 10), "R04": ("HT1", "A1", "imaging", FEB, 11, None, 10),
    "R05": ("HT1", "A1", "imaging", MAR, 11, None, 10), "R06": ("T1", "", "", JAN, 110, None, 100),
    "R07": ("T1", "", "", JAN, 3000, None, 2500), "R08": ("T1", "", "", FEB, 600, None, 500),
    "R09": ("T1", "", "", MAR, 120, 0, 100), "R10": ("T2", "", "", JAN, 110, 0, 100),
    "R11": ("T2", "", "", FEB, 12000, None, 10000), "R12": ("K1", "", "outpatient", JAN, 2000, None, 1500),
    # February's 5 discharges at HT1 with no physician on record; April's demonstrations and remote cases.
    "R13": ("HT1", "", "", FEB, 5, None, 0), "R14": ("HT1", "A1", "", APR, 2, None, 0),
    "R15": ("HT1", "A1", "imaging", APR, 20, None, 0),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("rules") / "health.duckdb", region=REGIONS, facility=FACILITIES,
                       alliance=ALLIANCES, alliance_member=MEMBERS, service_volume=VOLUME, referral=REFERRALS,
                       shared_service=SHARED, public_health=PUBLIC_HEALTH, resident_care=CARE,
                       workforce_register=REGISTER, alliance_activity=ACTIVITY)


@pytest.fixture
def con(db: Path):
    with duckdb.connect(str(db), read_only=True) as connection:
        yield connection


def found(frame: pd.DataFrame) -> dict[str, tuple]:
    rows = {}
    for row in frame.itertuples():
        assert row.rule_id not in rows, f"{row.rule_id} fired twice"
        low = None if pd.isna(row.low) else row.low
        rows[row.rule_id] = (row.unit_code, row.alliance_code, row.measure, pd.Timestamp(row.month).date(),
                             row.value, low, row.high)
    return rows


def test_every_rule_of_the_rule_file_has_a_broken_report_here() -> None:
    assert {rule.rule_id for rule in rules.load_rules()} == set(BROKEN)


def test_each_rule_fires_on_its_broken_report_and_nothing_else(con) -> None:
    findings = rules.check_database(con, *YEAR)
    assert found(findings) == pytest.approx(BROKEN)
    by_rule = findings.set_index("rule_id")
    assert by_rule.loc["R06", "message_zh"] == "按时接种儿童数超过应种儿童数"
    assert set(by_rule["level"]) == {"warning"}


def test_the_period_limits_the_check(con) -> None:
    assert set(rules.check_database(con, FEB, FEB)["rule_id"]) == {"R04", "R08", "R11", "R13"}


def test_every_broken_rule_is_a_flag_of_its_place(con) -> None:
    flags = con.execute("select check_id, unit_code, county_code, town_code, value, high from quality_flag "
                        "where kind = 'rule' order by check_id").df().set_index("check_id")
    assert list(flags.index) == sorted(BROKEN)
    assert flags.loc["R01", "county_code"] == "K1" and pd.isna(flags.loc["R01", "town_code"])
    assert flags.loc["R10", "town_code"] == "T2" and flags.loc["R12", "high"] == 1500


def frames(db: Path, tmp_path: Path, **tables: list[dict]) -> pd.DataFrame:
    """The warnings the rules raise on files of `tables` (table -> rows) checked for loading into `db`."""
    paths = []
    for name, rows in tables.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(csv_bytes(name, rows))
        paths.append(path)
    checked = loader.check_sources(db, loader.read_paths(paths))
    assert checked.ok, checked.problems.to_dict("records")
    with open_readonly(db) as con:
        return rules.check_frames(con, checked.tables, catalog=CATALOG)


def volume_row(month: str, discharges: int) -> dict:
    return {"facility_code": "HT1", "month": month, "outpatient_visits": 500, "inpatient_discharges": discharges,
            "critical_cases": 0, "inpatient_spending": 10}


def test_a_load_is_checked_with_the_referrals_it_brings_else_the_stored_ones(db: Path, tmp_path: Path) -> None:
    # January: 8 down-referrals stored. 6 discharges now break R02; 10 do not.
    assert frames(db, tmp_path, service_volume=[volume_row("2024-01", 6)])["rule_id"].tolist() == ["R02"]
    assert frames(db, tmp_path, service_volume=[volume_row("2024-01", 10)]).empty
    # The same file with that month's referrals (3 down) replaces the stored 8: no warning.
    down = [{"from_facility": "HT1", "to_facility": "VT1", "referral_date": "2024-01-20", "direction": "下转",
             "disease_chapter": "IX", "green_channel": "否", "status": "已完成"}] * 3
    assert frames(db, tmp_path, service_volume=[volume_row("2024-01", 6)], referral=down).empty


def test_a_load_is_judged_against_the_staff_on_the_register_for_its_month(db: Path, tmp_path: Path) -> None:
    # HT1 has no physician on record in February: any admission then is a warning; in March (3 on record)
    # 5 discharges are not, and HK1, with no register rows, is never judged.
    warned = frames(db, tmp_path, service_volume=[volume_row("2024-02", 5)])
    assert warned[["rule_id", "value", "high"]].values.tolist() == [["R13", 5, 0]]
    assert frames(db, tmp_path, service_volume=[volume_row("2024-03", 5)]).empty
    assert "R13" not in set(frames(db, tmp_path, service_volume=[volume_row("2024-02", 0)])["rule_id"]), \
        "no admission, nothing to support"
    assert rules.staff_rule_ids() == ["R13", "R14", "R15"]


def test_a_load_of_some_indicators_is_checked_with_the_stored_others(db: Path, tmp_path: Path) -> None:
    row = {"town_code": "T1", "month": "2024-02", "indicator_code": "fd_coverage", "denominator": 1000}
    # T1 February: 600 key-group contracts stored; all contracts 550 breaks R08, 700 does not.
    warned = frames(db, tmp_path, public_health=[{**row, "numerator": 550}])
    assert warned[["rule_id", "unit_code", "value", "high"]].values.tolist() == [["R08", "T1", 600, 550]]
    assert (warned.loc[0, "source"], warned.loc[0, "row"]) == (0, 2), "the file and its row (the header is row 1)"
    assert frames(db, tmp_path, public_health=[{**row, "numerator": 700}]).empty


def test_warnings_never_stop_a_load(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    assert frames(copy, tmp_path, service_volume=[volume_row("2024-03", 1) | {"critical_cases": 2}])["rule_id"].tolist() == ["R01"]
    path = tmp_path / "service_volume.csv"
    result = loader.apply(copy, loader.read_paths([path]), "县数据员")
    assert result.applied
    with duckdb.connect(str(copy), read_only=True) as con:
        assert "R01" in set(rules.check_database(con, MAR, MAR)["rule_id"])


@pytest.mark.parametrize(("row", "code"), [
    ({"left": "critical_cases; drop table facility"}, "rule_syntax"),
    ({"left": "critical_cases' or '1'='1"}, "rule_syntax"),
    ({"left": "facility.beds", "dataset": "shared_service"}, "rule_name"),
    ({"left": "no_such_indicator.numerator", "dataset": "public_health", "right": "town.population"}, "rule_name"),
    ({"left": "region.population"}, "rule_name"),
    ({"operator": "=="}, "rule_operator"),
    ({"operator": "between", "right": "0"}, "rule_syntax"),
    ({"level": "fatal"}, "rule_level"),
    ({"rule_id": "zscore"}, "rule_id"),
    ({"dataset": "referral"}, "rule_dataset"),
    ({"message_en": ""}, "rule_message"),
    ({"right": "inpatient_discharges * (2"}, "rule_syntax"),
])
def test_a_rule_the_allow_list_does_not_cover_is_refused(row: dict, code: str) -> None:
    base = {"rule_id": "X1", "dataset": "service_volume", "left": "critical_cases", "operator": "<=",
            "right": "inpatient_discharges", "level": "warning", "message_zh": "提示", "message_en": "note"}
    with pytest.raises(RuleError) as error:
        rules.make_rule(base | row)
    assert error.value.code == code and error.value.zh


def test_numbers_and_indicator_codes_are_bound_never_written_into_the_sql() -> None:
    rule = rules.make_rule({"rule_id": "X2", "dataset": "public_health", "left": "hpv_first_doses.numerator",
                            "operator": "<=", "right": "town.population * 0.2375", "level": "info",
                            "message_zh": "提示", "message_en": "note"})
    sql, params = rules.compile_rule(rule, frames=False)
    assert "0.2375" not in sql and "hpv_first_doses" not in sql
    assert 0.2375 in params.values() and "hpv_first_doses" in params.values()


def test_arithmetic_follows_precedence_and_a_zero_divisor_checks_nothing(con) -> None:
    rule = rules.make_rule({"rule_id": "X3", "dataset": "service_volume", "left": "critical_cases",
                            "operator": ">", "right": "2 + inpatient_discharges * 0 / 0 - -1",
                            "level": "info", "message_zh": "提示", "message_en": "note"})
    assert rules.check_database(con, *YEAR, rules=(rule,)).empty, "x / 0 is no number: nothing to compare"
    rule = rules.make_rule({**rule.__dict__, "rule_id": "X4", "operator": ">", "right": "(2 + 3) * 2 - 1",
                            "dataset": "service_volume", "left": "critical_cases", "level": "info",
                            "message_zh": "提示", "message_en": "note"})
    # critical cases not above 9: HT1's zeros and HK1's February 10 is above
    assert sorted(rules.check_database(con, *YEAR, rules=(rule,))["value"]) == [0, 0]

"""监测与考核 figures on rows written by hand: the three indicators the monitoring set added, targets by level
(county > city > province > national > catalog) read within a jurisdiction, targets sheets refused by line,
and officials' judgements refused outside the recorder's county; then the 14 items of a demo county against
values computed here from the base tables."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.access.scope import Scope, file_reader, resolve
from healthdash.core.filters import TIERS, Filters
from healthdash.core.monitoring import ITEMS
from healthdash.data.appraisal import AppraisalError, Judgement, parse_targets, record_judgement, save_targets
from healthdash.domains.appraisal import data as appraisal
from healthdash.ingest import loader
from tests.support.places import region_code
from tests.support.reading import execute
from tests.support.worlds import write_world

REGIONS = pd.DataFrame(
    [("C1", "甲市", "city", None, True, False, 3_000), ("C2", "戊市", "city", None, True, False, 1_000),
     ("K1", "乙县", "county", "C1", True, False, 2_000), ("K2", "丁县", "county", "C1", True, False, 1_000),
     ("K3", "己县", "county", "C2", True, False, 1_000),
     ("T1", "一镇", "town", "K1", True, False, 1_000), ("T2", "二镇", "town", "K1", True, False, 1_000),
     ("T3", "三镇", "town", "K2", True, False, 1_000)],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
LAST_DEC = date(2023, 12, 1)
PUBLIC_HEALTH = pd.DataFrame([
    # Admissions of managed chronic patients (ytd): 10 admissions over February's 160 patients.
    ("T1", JAN, "chronic_mgmt_admission_rate", 3, 100), ("T1", FEB, "chronic_mgmt_admission_rate", 2, 100),
    ("T2", JAN, "chronic_mgmt_admission_rate", 1, 50), ("T2", FEB, "chronic_mgmt_admission_rate", 4, 60),
    # Premature NCD deaths (ytd): 3 over 1,000 residents 30–69 in T1, none reported by T2. December 2023
    # belongs to last year.
    ("T1", LAST_DEC, "ncd_premature_mortality", 9, 1000),
    ("T1", JAN, "ncd_premature_mortality", 1, 1000), ("T1", FEB, "ncd_premature_mortality", 2, 1000),
    # Village ECG coverage (stock): February only, 5 of 10 and 4 of 8 villages.
    ("T1", JAN, "ecg_village_coverage", 3, 10), ("T1", FEB, "ecg_village_coverage", 5, 10),
    ("T2", JAN, "ecg_village_coverage", 2, 8), ("T2", FEB, "ecg_village_coverage", 4, 8),
    ("T3", FEB, "ecg_village_coverage", 1, 4),
], columns=["town_code", "month", "indicator_code", "numerator", "denominator"])
# Primary care's part of the in-county fund: K1 gives it (700 of 4,000), K2 leaves the optional column empty.
RESIDENT_CARE = pd.DataFrame([
    ("K1", JAN, "outpatient", 100, 10, 1000.0, 50.0, 90.0, 400.0),
    ("K1", JAN, "inpatient", 10, 2, 3000.0, 800.0, 1500.0, 300.0),
    ("K2", JAN, "outpatient", 100, 10, 1000.0, 50.0, 90.0, None),
], columns=["county_code", "month", "setting", "visits_in_county", "visits_out_of_county", "fund_in_county",
            "fund_out_of_county", "spending_out_of_county", "fund_primary"])
# The yearly staff-income report: K1 reported in June and corrected in December (the newest report of a year
# is that year's), K2 in December; K1's 2023 report is last year's.
STAFF_INCOME = pd.DataFrame([
    ("K1", date(2024, 6, 1), 60_000.0, 100_000.0), ("K1", date(2024, 12, 1), 72_000.0, 120_000.0),
    ("K2", date(2024, 12, 1), 90_000.0, 100_000.0), ("K1", LAST_DEC, 50_000.0, 100_000.0),
], columns=["county_code", "month", "primary_avg_income", "lead_avg_income"])
STAMP = datetime(2024, 1, 1)
TARGETS = pd.DataFrame([
    ("national", "", "ecg_village_coverage", 2024, 80.0), ("province", "", "ecg_village_coverage", 2024, 85.0),
    ("city", "C1", "ecg_village_coverage", 2024, 88.0), ("county", "K1", "ecg_village_coverage", 2024, 95.0),
    ("national", "", "chronic_mgmt_admission_rate", 2024, 12.0),
    ("province", "", "ncd_premature_mortality", 2024, 0.4), ("county", "K3", "ncd_premature_mortality", 2024, 0.2),
], columns=["level", "place_code", "indicator_code", "year", "target"]).assign(loaded_by="测试", loaded_at=STAMP)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("appraisal") / "appraisal.duckdb", region=REGIONS,
                       public_health=PUBLIC_HEALTH, resident_care=RESIDENT_CARE, staff_income=STAFF_INCOME,
                       appraisal_target=TARGETS)


@pytest.fixture
def figures(world: Path, monkeypatch: pytest.MonkeyPatch) -> appraisal.Figures:
    monkeypatch.setenv("HEALTHDASH_DB", str(world))
    return appraisal.figures(Filters(JAN, FEB, city="C1"), 2024)


def test_the_added_indicators_follow_their_aggregation(figures: appraisal.Figures) -> None:
    assert figures.value("K1", "chronic_mgmt_admission_rate") == pytest.approx(10 / 160)
    assert figures.value("K1", "ncd_premature_mortality") == pytest.approx(3 / 1000)
    assert figures.value("K1", "ecg_village_coverage") == pytest.approx(9 / 18)
    assert figures.value("K2", "ecg_village_coverage") == pytest.approx(1 / 4)
    assert figures.value("K1", "ncd_premature_mortality", last=True) == pytest.approx(9 / 1000)
    assert figures.value("K1", "primary_fund_share") == pytest.approx(700 / 4000)
    assert figures.value("K2", "primary_fund_share") is None
    # A county outside the selected city is not among its counties.
    assert set(figures.counties["county_code"]) == {"K1", "K2"}


def test_the_income_ratio_is_the_newest_yearly_report_and_counties_weigh_alike(
        figures: appraisal.Figures, world: Path) -> None:
    assert figures.value("K1", "primary_income_ratio") == pytest.approx(72_000 / 120_000)
    assert figures.value("K1", "primary_income_ratio", last=True) == pytest.approx(0.5)
    assert figures.value("K2", "primary_income_ratio") == pytest.approx(0.9)
    table = appraisal.report_table(figures, "K1", "zh").set_index("序号")
    assert (table.loc[6, "本年"], table.loc[6, "上年"], table.loc[6, "变化"]) == ("0.60", "0.50", "+0.10")
    # A period inside the year (read at its last month) shows the year's report; a city, its counties' sums.
    with duckdb.connect(str(world), read_only=True) as con:
        city = execute(con, "indicator_by_place", {
            "codes": ["primary_income_ratio"], "child_level": "city", "city": None, "county": None, "town": None,
            "alliance": None, "tiers": list(TIERS),
            "month_from": JAN, "month_to": FEB})
    row = city[city["place_code"] == "C1"].iloc[0]
    assert row["numerator"] / row["denominator"] == pytest.approx((72_000 + 90_000) / (120_000 + 100_000))


def test_a_target_comes_from_the_most_specific_level_set(figures: appraisal.Figures) -> None:
    assert figures.target("K1", "ecg_village_coverage") == (95.0, "county")
    assert figures.target("K2", "ecg_village_coverage") == (88.0, "city")
    assert figures.target("K1", "ncd_premature_mortality") == (0.4, "province")
    assert figures.target("K1", "chronic_mgmt_admission_rate") == (12.0, "national")
    assert figures.target("K1", "primary_visit_share") == (65.0, "catalog")
    assert figures.target("K1", "tcm_visit_share") == (None, None)
    assert figures.target("K1", "ecg_village_coverage", 2023) == (None, None)


def test_the_report_table_names_whose_target_it_is(figures: appraisal.Figures) -> None:
    table = appraisal.report_table(figures, "K2", "zh").set_index("指标")
    assert len(table) == 14
    row = table.loc["影像、心电中心服务开展情况（心电设备村级覆盖率）"]
    assert (row["本年"], row["目标"], row["目标来源"], row["达标情况"]) == ("25.0%", "88%", "市级", "未达标")


def test_a_county_account_reads_no_other_countys_targets(world: Path) -> None:
    with duckdb.connect(str(world), read_only=True) as con:
        seen = execute(con, "appraisal_targets", {"years": [2024], "scope_kind": "county", "scope_code": "K2"})
    # National, province and its own city's rows (they apply to it); nothing of another county.
    assert set(zip(seen["level"], seen["place_code"], strict=True)) == {("national", ""), ("province", ""), ("city", "C1")}


INDICATORS = {"ecg_village_coverage": "%", "posted_physicians_per_10k": "人/万人"}
LEVELS = {"C1": "city", "K1": "county"}


def test_a_targets_sheet_with_mistakes_is_refused_naming_each_line() -> None:
    sheet = pd.DataFrame({"指标代码": ["ecg_village_coverage", "no_such", "ecg_village_coverage", "ecg_village_coverage"],
                          "层级": ["县", "省", "乡", "市"], "地区代码": ["K1", "", "K1", "K1"],
                          "年度": ["2024", "2024", "2024", "二〇二四"], "目标值": ["95", "1", "120", "-1"]})
    with pytest.raises(AppraisalError) as refused:
        parse_targets(sheet, INDICATORS, LEVELS)
    text = refused.value.zh
    assert "3 行有误" in text
    assert "第 3 行：指标代码“no_such”不存在" in text
    assert "第 4 行：层级“乡”" in text
    assert "第 5 行：地区代码“K1”不是一个市" in text and "年度“二〇二四”" in text and "目标值“-1”" in text


def test_a_targets_sheet_is_read_with_levels_in_words() -> None:
    sheet = pd.DataFrame({"指标代码": ["ecg_village_coverage", "posted_physicians_per_10k"], "层级": ["县", "省"],
                          "地区代码": ["K1", "K9"], "年度": ["2024", "2025"], "目标值": ["95", "1.5"]})
    parsed = parse_targets(sheet, INDICATORS, LEVELS)
    assert parsed.to_dict("records") == [
        {"level": "county", "place_code": "K1", "indicator_code": "ecg_village_coverage", "year": 2024, "target": 95.0},
        {"level": "province", "place_code": "", "indicator_code": "posted_physicians_per_10k", "year": 2025,
         "target": 1.5}]


def test_a_county_official_records_their_county_and_not_another(world: Path, tmp_path: Path) -> None:
    db = tmp_path / "judged.duckdb"
    db.write_bytes(world.read_bytes())
    k1 = resolve(file_reader(db), Scope("county", "K1"))
    mine = Judgement("K1", 2024, "resource_management", True, "医共体章程.pdf\n\n人事统一管理办法.docx", " 已核 ")
    judgement_id = loader.write(db, lambda con: record_judgement(con, mine, "张三", k1.allows_region))
    other = Judgement("K2", 2024, "resource_management", True, "章程.pdf", "")
    with pytest.raises(AppraisalError) as refused:
        loader.write(db, lambda con: record_judgement(con, other, "张三", k1.allows_region))
    assert "不在您的管辖范围内" in refused.value.zh
    with pytest.raises(AppraisalError, match="佐证材料"):
        loader.write(db, lambda con: record_judgement(con, Judgement("K1", 2024, "service_coordination", True, " ", ""),
                                                      "张三", k1.allows_region))
    with duckdb.connect(str(db), read_only=True) as con:
        asked = {"counties": ["K1", "K2"], "years": [2024]}
        mine_seen = execute(con, "appraisal_judgements", {**asked, "scope_kind": "county", "scope_code": "K1"})
        theirs_seen = execute(con, "appraisal_judgements", {**asked, "scope_kind": "county", "scope_code": "K2"})
    assert mine_seen[["judgement_id", "county_code", "met", "evidence", "note", "recorded_by"]].to_dict("records") == [
        {"judgement_id": judgement_id, "county_code": "K1", "met": True,
         "evidence": "医共体章程.pdf\n人事统一管理办法.docx", "note": "已核", "recorded_by": "张三"}]
    assert theirs_seen.empty


def test_a_demo_countys_14_items_match_the_base_tables(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    county = region_code(demo_db, "名山区")
    fig = appraisal.figures(Filters(date(2025, 1, 1), date(2025, 12, 1), county=county), 2025)
    submitted = appraisal.submission_frame(fig, "zh").iloc[0]
    by_number = {int(str(header).split(".")[0]): value for header, value in submitted.items() if str(header)[0].isdigit()}
    with duckdb.connect(str(demo_db), read_only=True) as con:
        def one(sql: str) -> float:
            return float(con.execute(sql, {"county": county}).fetchone()[0])
        towns = "(select code from region where parent_code = $county)"
        expected = {
            7: one("""select 100 * sum(v.outpatient_visits) filter (where f.tier in ('township', 'community', 'village'))
                      / sum(v.outpatient_visits) from service_volume v join facility f on f.code = v.facility_code
                      left join region r on r.code = f.region_code
                      where (f.region_code = $county or r.parent_code = $county) and year(v.month) = 2025
                        and f.tier <> 'public_health'"""),
            8: one("""select 100 * sum(fund_in_county) / sum(fund_in_county + fund_out_of_county) from resident_care
                      where county_code = $county and year(month) = 2025"""),
            11: one("""select 100 * sum(visits_in_county) / sum(visits_in_county + visits_out_of_county)
                       from resident_care where county_code = $county and setting = 'inpatient' and year(month) = 2025"""),
            13: one(f"""select 100 * sum(numerator) / sum(denominator) filter (where month = date '2025-12-01')
                       from public_health where town_code in {towns} and year(month) = 2025
                        and indicator_code = 'chronic_mgmt_admission_rate'"""),
            14: one(f"""select 100 * sum(numerator) / sum(denominator) filter (where month = date '2025-12-01')
                       from public_health where town_code in {towns} and year(month) = 2025
                        and indicator_code = 'ncd_premature_mortality'"""),
            5: one(f"""select 100 * sum(numerator) / sum(denominator) from public_health where town_code in {towns}
                       and month = date '2025-12-01' and indicator_code = 'ecg_village_coverage'"""),
            6: one("""select primary_avg_income / lead_avg_income from staff_income
                      where county_code = $county and month = date '2025-12-01'"""),
        }
    for number, value in expected.items():
        assert by_number[number] == pytest.approx(value, abs=1e-3), ITEMS[number - 1].name_zh
    expected_fund = 0.0
    with duckdb.connect(str(demo_db), read_only=True) as con:
        expected_fund = float(con.execute("""select 100 * sum(fund_primary) / sum(fund_in_county) from resident_care
                                             where county_code = $county and year(month) = 2025""",
                                          {"county": county}).fetchone()[0])
    assert by_number[9] == pytest.approx(expected_fund, abs=1e-3)
    assert by_number[1] == "未评定" and 0.4 < by_number[6] < 1
    assert len(by_number) == 14


def test_loaded_targets_replace_their_own_level_and_stay_in_the_loaders_jurisdiction(
        world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "targets.duckdb"
    db.write_bytes(world.read_bytes())
    k2 = resolve(file_reader(db), Scope("county", "K2"))

    def allows(level: str, place: str) -> bool:
        return k2.everything if level in ("national", "province") else k2.allows_region(place)

    own = parse_targets(pd.DataFrame({"指标代码": ["ecg_village_coverage"], "层级": ["县"], "地区代码": ["K2"],
                                      "年度": ["2024"], "目标值": ["70"]}), INDICATORS, {"K2": "county"})
    assert loader.write(db, lambda con: save_targets(con, own, "王五", allows)) == 1
    province = parse_targets(pd.DataFrame({"指标代码": ["ecg_village_coverage"], "层级": ["省"], "地区代码": [""],
                                           "年度": ["2024"], "目标值": ["10"]}), INDICATORS, {})
    with pytest.raises(AppraisalError, match="不在您的管辖范围内"):
        loader.write(db, lambda con: save_targets(con, province, "王五", allows))
    monkeypatch.setenv("HEALTHDASH_DB", str(db))
    fig = appraisal.figures(Filters(JAN, FEB, city="C1"), 2024)
    assert fig.target("K2", "ecg_village_coverage") == (70.0, "county")
    assert fig.target("K1", "ecg_village_coverage") == (95.0, "county")
    assert fig.target("K1", "ncd_premature_mortality") == (0.4, "province")

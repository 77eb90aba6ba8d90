"""The national monitoring set for tight county medical communities (紧密型县域医疗卫生共同体监测指标): 14 items
in five areas, in the order of the annual report. Each item is read from a catalog indicator or judged by an
official (the qualitative items)."""

from __future__ import annotations

from dataclasses import dataclass

QUALITATIVE = "qualitative"
INDICATOR = "indicator"

AREAS = ("tight", "homogeneous", "division", "efficiency", "health")


@dataclass(frozen=True)
class Item:
    number: int
    code: str                 # the item's own code: the indicator's code, or a qualitative item's
    area: str                 # one of AREAS
    kind: str                 # QUALITATIVE or INDICATOR
    name_zh: str
    name_en: str
    with_growth: bool = False  # the report asks for the change against last year beside the value

    def name(self, lang: str) -> str:
        return self.name_en[:1].upper() + self.name_en[1:] if lang == "en" else self.name_zh


ITEMS: tuple[Item, ...] = (
    Item(1, "resource_management", "tight", QUALITATIVE, "资源统一管理", "unified management of resources"),
    Item(2, "democratic_decision", "tight", QUALITATIVE, "医共体内部民主决策", "democratic decision-making inside the community"),
    Item(3, "service_coordination", "tight", QUALITATIVE, "服务协同联动", "coordinated services"),
    Item(4, "posted_physicians_per_10k", "homogeneous", INDICATOR,
         "二级及以上医疗机构中级及以上医师到基层派驻人数（每万常住人口）",
         "mid-level+ physicians of secondary+ hospitals posted to primary care (per 10,000 residents)"),
    Item(5, "ecg_village_coverage", "homogeneous", INDICATOR, "影像、心电中心服务开展情况（心电设备村级覆盖率）",
         "imaging and ECG centre services (village ECG coverage)"),
    Item(6, "primary_income_ratio", "homogeneous", INDICATOR,
         "基层医疗卫生机构人员平均收入与牵头医院人员平均收入之比",
         "average income of primary-care staff / that of the lead hospital's staff"),
    Item(7, "primary_visit_share", "division", INDICATOR, "县域内基层诊疗人次占比", "primary-care share of visits in the county"),
    Item(8, "ins_fund_in_county_share", "division", INDICATOR, "医保基金县域内支出占比（不含药店）",
         "insurance fund spent in the county (pharmacies excluded)"),
    Item(9, "primary_fund_share", "division", INDICATOR, "县域内基层医疗卫生机构医保基金支出占比",
         "primary care's share of the insurance fund spent in the county"),
    Item(10, "inpatient_cost_per_admission", "efficiency", INDICATOR, "参保人县域内住院人均费用及增长率",
         "in-county cost per admission and its growth", with_growth=True),
    Item(11, "in_county_inpatient_share", "efficiency", INDICATOR, "参保人县域内住院人次占比", "in-county share of admissions"),
    Item(12, "tcm_visit_share", "efficiency", INDICATOR, "县域内中医类诊疗量占比", "TCM share of visits in the county"),
    Item(13, "chronic_mgmt_admission_rate", "health", INDICATOR, "慢性病健康管理人群住院率",
         "admission rate of managed chronic patients"),
    Item(14, "ncd_premature_mortality", "health", INDICATOR, "四类慢性病过早死亡率", "premature mortality from four NCDs"),
)

ITEMS_BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}
QUALITATIVE_CODES: tuple[str, ...] = tuple(item.code for item in ITEMS if item.kind == QUALITATIVE)
INDICATOR_CODES: tuple[str, ...] = tuple(item.code for item in ITEMS if item.kind == INDICATOR)

"""A tiny reporting world for the quality tests: one county K1 with two towns, written row by row.

2024, service volume (day 5 of the next month unless said):
- HK1 county hospital: every month; March delivered on the 15th (late for a due day of 10).
- HT1 township centre (T1): opened 2024-04-20; reports April to November, December never comes.
- HT2 township centre (T2): closed 2024-06-10; reports January to June.
- VT1 village clinic (T1): excused May–June (renovation); September never comes.
- PK1 CDC: owes no service volume (its tier is not listed in data/report_datasets.csv).
Alliance A1 (county community, founded 2024-01): HK1 leads, HT2 joined in January, HT1 in July; each
member's alliance activity comes every month it owes it. Public health: town T1 every month, T2 all but
August; 防止因病返贫监测 (a report added later, owed like the first ones): T1 every month, T2 all but October.
Nobody reports residents' care: that dataset is owed by no one.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from tests.support.worlds import write_world

MONTHS = [date(2024, month, 1) for month in range(1, 13)]
ALL_TIERS = ("tertiary", "county", "township", "community", "village", "public_health")

REGIONS = pd.DataFrame(
    [("C1", "甲市", "city", None, True, False), ("K1", "乙县", "county", "C1", True, False),
     ("T1", "东镇", "town", "K1", True, False), ("T2", "西镇", "town", "K1", True, False)],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban"],
).assign(population=10_000)

FACILITIES = pd.DataFrame(
    [("HK1", "乙县人民医院", "K1", "county", "general", "二甲", 300),
     ("HT1", "东镇卫生院", "T1", "township", "general", "一级", 40),
     ("HT2", "西镇卫生院", "T2", "township", "general", "一级", 30),
     ("VT1", "东镇一村卫生室", "T1", "village", "general", "未定级", 0),
     ("PK1", "乙县疾病预防控制中心", "K1", "public_health", "cdc", "未定级", 0)],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)
ALLIANCES = pd.DataFrame([("A1", "乙县医共体", "county_community", "tight", "HK1", "K1", date(2024, 1, 1))],
                         columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"])
MEMBERS = pd.DataFrame([("A1", "HK1", "lead", date(2024, 1, 1)), ("A1", "HT2", "member", date(2024, 1, 1)),
                        ("A1", "HT1", "member", date(2024, 7, 1))],
                       columns=["alliance_code", "facility_code", "role", "joined"])
FACILITY_DATES = pd.DataFrame([("HT1", date(2024, 4, 20), None), ("HT2", None, date(2024, 6, 10))],
                              columns=["facility_code", "opened", "closed"])
EXCEPTIONS = pd.DataFrame([{
    "exception_id": 1, "unit_code": "VT1", "dataset": "service_volume", "month_from": date(2024, 5, 1),
    "month_to": date(2024, 6, 1), "reason": "卫生室装修", "recorded_by": "县卫健委", "recorded_at": datetime(2024, 5, 2),
    "withdrawn_by": None, "withdrawn_at": None}])

REPORTED = {  # facility -> months (1-12) of its service-volume reports
    "HK1": range(1, 13), "HT1": range(4, 12), "HT2": range(1, 7), "VT1": (1, 2, 3, 4, 7, 8, 10, 11, 12),
}
ACTIVITY = {"HT2": range(1, 7), "HT1": range(7, 13)}
TOWNS = {"T1": range(1, 13), "T2": (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)}
POVERTY = {"T1": range(1, 13), "T2": (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12)}
LATE = {("service_volume", "HK1", "", date(2024, 3, 1)): 15}  # day of April it came


def service_volume() -> pd.DataFrame:
    return pd.DataFrame(
        [(code, date(2024, month, 1), 1000, 10, 0, 1000.0) for code, months in REPORTED.items() for month in months],
        columns=["facility_code", "month", "outpatient_visits", "inpatient_discharges", "critical_cases",
                 "inpatient_spending"])


def alliance_activity() -> pd.DataFrame:
    counts = ["doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent", "posted_physicians",
              "expert_clinic_sessions", "teaching_rounds", "lectures", "surgery_demos", "trainees_sent_up",
              "new_techniques"]
    rows = [{"alliance_code": "A1", "facility_code": code, "month": date(2024, month, 1), **dict.fromkeys(counts, 1)}
            for code, months in ACTIVITY.items() for month in months]
    return pd.DataFrame(rows)


def public_health() -> pd.DataFrame:
    return pd.DataFrame([(town, date(2024, month, 1), "fd_coverage", 500.0, 1000.0)
                         for town, months in TOWNS.items() for month in months],
                        columns=["town_code", "month", "indicator_code", "numerator", "denominator"])


def poverty_monitoring() -> pd.DataFrame:
    return pd.DataFrame([(town, date(2024, month, 1), 100, 300, 240, 0, 0, 60_000.0, 6_000.0, 5, 4)
                         for town, months in POVERTY.items() for month in months],
                        columns=["town_code", "month", "monitored_households", "monitored_people", "contracted_people",
                                 "households_exited", "people_exited", "inpatient_spending", "out_of_pocket",
                                 "village_clinics", "village_clinics_standard"])


def receipts() -> pd.DataFrame:
    """A delivery for every report above: day 5 of the next month at 10:00 (LATE: another day)."""
    keys = ([("service_volume", code, "", date(2024, m, 1)) for code, months in REPORTED.items() for m in months]
            + [("alliance_activity", code, "A1", date(2024, m, 1)) for code, months in ACTIVITY.items() for m in months]
            + [("public_health", town, "", date(2024, m, 1)) for town, months in TOWNS.items() for m in months])
    rows = []
    for key in keys:
        month = key[3]
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        day = LATE.get(key, 5)
        rows.append((*key, None, datetime(following.year, following.month, day, 10), "load"))
    return pd.DataFrame(rows, columns=["dataset", "unit_code", "alliance_code", "month", "batch_id", "received_at",
                                       "source"]).astype({"batch_id": "Int32"})


def build(path: Path) -> Path:
    return write_world(path, region=REGIONS, facility=FACILITIES, alliance=ALLIANCES, alliance_member=MEMBERS,
                       service_volume=service_volume(), alliance_activity=alliance_activity(),
                       public_health=public_health(), poverty_monitoring=poverty_monitoring(),
                       facility_dates=FACILITY_DATES,
                       report_exception=EXCEPTIONS, report_receipt=receipts())

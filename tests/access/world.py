"""A tiny registry for the scope tests: two cities, three counties, four towns, a provincial capital that
only receives patients, and alliances whose home regions sit at every level.

    C1 甲市 ── K1 乙县 ── T1 一镇 (F1, V1), T2 二镇 (F2)      H2 乙县人民医院 in K1
            └─ K2 丙县 ── T3 三镇 (F3)                      H1 甲市人民医院 in K2
    C2 丁市 ── K3 戊县 ── T4 四镇 (F4)                      H3 戊县人民医院 in K3
    P0 省城 (not monitored) ── P1 省城区                    HP 省人民医院 in P1

    A1 乙县医共体 (home K1): H2, F1, F2, V1          A2 甲市远程影像协作网 (home C1): H1, F2, F3
    A3 戊县医共体 (home K3): H3, F4                   A4 跨市专科联盟 (home C2): H3, H1 (a member in C1)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from tests.support.worlds import write_world

REGION = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False),
        ("K1", "乙县", "county", "C1", True, False),
        ("K2", "丙县", "county", "C1", True, False),
        ("T1", "一镇", "town", "K1", True, False),
        ("T2", "二镇", "town", "K1", True, False),
        ("T3", "三镇", "town", "K2", True, False),
        ("C2", "丁市", "city", None, True, False),
        ("K3", "戊县", "county", "C2", True, False),
        ("T4", "四镇", "town", "K3", True, False),
        ("P0", "省城", "city", None, False, True),
        ("P1", "省城区", "county", "P0", False, True),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban"],
).assign(population=10_000)

FACILITY = pd.DataFrame(
    [
        ("H1", "甲市人民医院", "K2", "tertiary", "general", "三甲", 800),
        ("H2", "乙县人民医院", "K1", "county", "general", "二甲", 300),
        ("F1", "一镇卫生院", "T1", "township", "general", "一级", 40),
        ("F2", "二镇卫生院", "T2", "township", "general", "一级", 30),
        ("V1", "一镇甲村卫生室", "T1", "village", "general", "未定级", 0),
        ("F3", "三镇卫生院", "T3", "township", "general", "一级", 20),
        ("H3", "戊县人民医院", "K3", "county", "general", "二甲", 200),
        ("F4", "四镇卫生院", "T4", "township", "general", "一级", 20),
        ("HP", "省人民医院", "P1", "tertiary", "general", "三甲", 3000),
    ],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)

ALLIANCE = pd.DataFrame(
    [
        ("A1", "乙县医共体", "county_community", "tight", "H2", "K1", date(2020, 1, 1)),
        ("A2", "甲市远程影像协作网", "telemedicine", "loose", "H1", "C1", date(2020, 1, 1)),
        ("A3", "戊县医共体", "county_community", "tight", "H3", "K3", date(2020, 1, 1)),
        ("A4", "跨市专科联盟", "specialty", "loose", "H3", "C2", date(2020, 1, 1)),
    ],
    columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"],
)

MEMBER = pd.DataFrame(
    [("A1", code, "lead" if code == "H2" else "member", date(2020, 1, 1)) for code in ("H2", "F1", "F2", "V1")]
    + [("A2", code, "lead" if code == "H1" else "member", date(2020, 1, 1)) for code in ("H1", "F2", "F3")]
    + [("A3", code, "lead" if code == "H3" else "member", date(2020, 1, 1)) for code in ("H3", "F4")]
    + [("A4", code, "lead" if code == "H3" else "member", date(2020, 1, 1)) for code in ("H3", "H1")],
    columns=["alliance_code", "facility_code", "role", "joined"],
)


def write_registry(path: Path, *, communities: bool = True) -> Path:
    """The tiny world at `path`; without county medical communities when `communities` is False."""
    alliance, member = ALLIANCE, MEMBER
    if not communities:
        keep = alliance["kind"] != "county_community"
        alliance = alliance[keep]
        member = member[member["alliance_code"].isin(alliance["code"])]
    return write_world(path, region=REGION, facility=FACILITY, alliance=alliance, alliance_member=member)

"""The referrals tiny world: one city with two rural counties (甲县 with two towns and an alliance, 乙县 with the
city's tertiary hospital), and a provincial hospital outside the scope that receives and returns patients.
Every direction occurs, a cancelled referral must not count, and two years of months let last year's line
and the comparison period be checked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from tests.support.worlds import write_world

REGIONS = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False, 500_000),
        ("K1", "甲县", "county", "C1", True, False, 300_000),
        ("K2", "乙县", "county", "C1", True, False, 200_000),
        ("T1", "东镇", "town", "K1", True, False, 100_000),
        ("T2", "西镇", "town", "K1", True, False, 100_000),
        ("T3", "南镇", "town", "K2", True, False, 100_000),
        ("T9", "空镇", "town", "K2", True, False, 10_000),
        ("P0", "省城", "city", None, False, True, 0),
        ("PD", "省城区", "county", "P0", False, True, 0),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)
FACILITIES = pd.DataFrame(
    [
        ("V1", "东镇一村卫生室", "T1", "village"),
        ("S1", "东镇卫生院", "T1", "township"),
        ("S2", "西镇卫生院", "T2", "township"),
        ("H1", "甲县人民医院", "K1", "county"),
        ("S3", "南镇卫生院", "T3", "township"),
        ("H2", "乙县人民医院", "K2", "county"),
        ("M1", "甲市第一人民医院", "K2", "tertiary"),
        ("Y1", "省人民医院", "PD", "tertiary"),
        ("V9", "空镇一村卫生室", "T9", "village"),
    ],
    columns=["code", "name", "region_code", "tier"],
).assign(category="general", grade="二甲", beds=100)
ALLIANCE = pd.DataFrame([("A1", "甲县医共体", "county_community", "tight", "H1", "K1", date(2020, 1, 1))],
                        columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"])
MEMBERS = pd.DataFrame([("A1", code, "lead" if code == "H1" else "member", date(2020, 1, 1))
                        for code in ("H1", "S1", "V1")],
                       columns=["alliance_code", "facility_code", "role", "joined"])

# (from, to, direction the rule must give): the direction is asserted against the macro below.
ROUTES = [
    ("V1", "S1", "up"),             # village → its township centre
    ("S1", "H1", "up"),             # township centre → county hospital of the same county
    ("S2", "H1", "up"),
    ("H1", "S1", "down"),
    ("S1", "V1", "down"),
    ("H1", "M1", "out_of_county"),  # a rural county's patient to the city hospital in another county
    ("S2", "Y1", "out_of_county"),
    ("Y1", "H1", "returned"),       # back from the provincial hospital
    ("Y1", "S2", "returned"),
    ("S3", "H2", "up"),
    ("H2", "M1", "up"),             # the city hospital sits in 乙县: same county, higher tier
    ("M1", "H2", "down"),
    ("H2", "Y1", "out_of_county"),
]
MONTHS = [date(2023, 1, 1), date(2023, 2, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
CHAPTERS = ["IX", "II", "X"]


def _referrals() -> pd.DataFrame:
    rows = []
    for r, (sender, receiver, direction) in enumerate(ROUTES):
        for m, month in enumerate(MONTHS):
            count = 1 + (r * 3 + m * 2) % 5
            for i in range(count):
                rows.append({
                    "referral_date": month.replace(day=1 + (i * 7) % 28),
                    "from_facility": sender,
                    "to_facility": receiver,
                    "direction": direction,
                    "disease_chapter": CHAPTERS[(r + i) % len(CHAPTERS)],
                    "green_channel": (r + i + m) % 3 == 0,
                    "status": "cancelled" if (r + m + i) % 11 == 0 else ("pending" if i == 4 else "completed"),
                })
    frame = pd.DataFrame(rows)
    frame.insert(0, "referral_id", range(1, len(frame) + 1))
    return frame


REFERRALS = _referrals()


def write_tiny(path: Path) -> Path:
    """The tiny world above as a dashboard database (also used by the page tests)."""
    return write_world(path, region=REGIONS, facility=FACILITIES, alliance=ALLIANCE, alliance_member=MEMBERS,
                       referral=REFERRALS)

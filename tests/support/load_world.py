"""A tiny world for the data-loading tests, and helpers to write report files and compare databases.

One county (K1, two towns) and one urban district (D1) of city C1, plus a provincial hospital outside
the monitored places, so that every referral direction occurs: village → township is up, county →
township down, county → district hospital out of county, provincial → county returned, and two
facilities of the same tier in one county cannot refer at all.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from healthdash.data.columns import TABLES_BY_NAME
from tests.support.worlds import write_world

JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)

REGIONS = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False),
        ("K1", "乙县", "county", "C1", True, False),
        ("T1", "东镇", "town", "K1", True, False),
        ("T2", "西镇", "town", "K1", True, False),
        ("D1", "丙区", "county", "C1", True, True),
        ("T3", "中街道", "town", "D1", True, True),
        ("P0", "省城", "city", None, False, True),
        ("P1", "省城区", "county", "P0", False, True),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban"],
).assign(population=10_000)

FACILITIES = pd.DataFrame(
    [
        ("HK1", "乙县人民医院", "K1", "county", "general", "二甲", 300),
        ("HT1", "东镇卫生院", "T1", "township", "general", "一级", 40),
        ("HT2", "西镇卫生院", "T2", "township", "general", "一级", 30),
        ("VT1A", "东镇一村卫生室", "T1", "village", "general", "未定级", 0),
        ("VT1B", "东镇二村卫生室", "T1", "village", "general", "未定级", 0),
        ("HD1", "甲市第一人民医院", "D1", "tertiary", "general", "三甲", 1500),
        ("CT3", "中街道社区卫生服务中心", "T3", "community", "general", "一级", 20),
        ("PK1", "乙县疾病预防控制中心", "K1", "public_health", "cdc", "未定级", 0),
        ("HP1", "省人民医院", "P1", "tertiary", "general", "三甲", 3000),
    ],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)

ALLIANCES = pd.DataFrame(
    [("A1", "乙县医共体", "county_community", "tight", "HK1", "K1", date(2020, 1, 1))],
    columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"],
)
MEMBERS = pd.DataFrame(
    [("A1", "HK1", "lead", date(2020, 1, 1)), ("A1", "HT1", "member", date(2020, 1, 1)),
     ("A1", "HT2", "member", date(2020, 1, 1))],
    columns=["alliance_code", "facility_code", "role", "joined"],
)

SERVICE_VOLUME = pd.DataFrame(
    [(code, month, visits, visits // 20, visits // 500, visits * 30.0)
     for code, base in (("HK1", 30_000), ("HT1", 6_000))
     for month, visits in ((JAN, base), (FEB, base + 100), (MAR, base + 200))],
    columns=["facility_code", "month", "outpatient_visits", "inpatient_discharges", "critical_cases",
             "inpatient_spending"],
)

# (from, to, direction) the referral_direction rule gives.
ROUTES = [("VT1A", "HT1", "up"), ("HT1", "HK1", "up"), ("HK1", "HT1", "down"), ("HK1", "HD1", "out_of_county"),
          ("HP1", "HK1", "returned"), ("CT3", "HD1", "up")]
NOT_ALLOWED = [("VT1A", "VT1B"), ("HT1", "HT2")]

REFERRALS = pd.DataFrame(
    [(number, date(2024, month, 10 + number % 5), sender, receiver, direction, "IX", number % 3 == 0, "completed")
     for number, (month, (sender, receiver, direction)) in enumerate(
         ((month, route) for month in (1, 2) for route in ROUTES for _ in range(2)), start=1)],
    columns=["referral_id", "referral_date", "from_facility", "to_facility", "direction", "disease_chapter",
             "green_channel", "status"],
)

PUBLIC_HEALTH = pd.DataFrame(
    [("T1", JAN, "fd_coverage", 500.0, 1000.0), ("T1", JAN, "hpv_first_doses", 40.0, None),
     ("T2", JAN, "fd_coverage", 300.0, 900.0)],
    columns=["town_code", "month", "indicator_code", "numerator", "denominator"],
)


def build_tiny(path: Path, kind: str = "production") -> Path:
    return write_world(path, kind, region=REGIONS, facility=FACILITIES, alliance=ALLIANCES, alliance_member=MEMBERS,
                       service_volume=SERVICE_VOLUME, referral=REFERRALS, public_health=PUBLIC_HEALTH)


def csv_bytes(table: str, rows: list[dict[str, object]], encoding: str = "utf-8", *,
              headers: list[str] | None = None) -> bytes:
    """Rows (schema column -> value) as a CSV with the template's Chinese headers."""
    spec = TABLES_BY_NAME[table]
    names = [column.name for column in spec.columns if any(column.name in row for row in rows)] or list(spec.names)
    frame = pd.DataFrame([{name: row.get(name, "") for name in names} for row in rows], columns=names)
    frame.columns = headers or [spec.column(name).zh for name in names]
    return frame.to_csv(index=False).encode(encoding)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def table(db: Path, name: str) -> pd.DataFrame:
    """Every row of a table, in a stable order, for before/after comparisons."""
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.execute(f"select * from {name}").df()  # name: a schema table chosen by the test
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)

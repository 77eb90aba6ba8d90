"""The alliance and profile queries against an independent computation over the base tables of a tiny
database written by hand.

Three alliances share one township centre (F2: county community A1, telemedicine network A2, specialty
alliance A4), so every total across alliances must count it, and its town's residents, once. A2 has no
alliance_activity rows at all (a network that posts nobody); A3 is founded after the period. F2 joins A1
in February, so January's places served differ from February's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import TIERS, Filters
from healthdash.domains.alliances import data as al
from tests.support.reading import execute
from tests.support.worlds import write_world

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)

REGION = pd.DataFrame(
    [
        ("C1", "甲市", "city", None, True, False, 30_000),
        ("K1", "乙县", "county", "C1", True, False, 20_000),
        ("K2", "丙县", "county", "C1", True, False, 10_000),
        ("T1", "一镇", "town", "K1", True, False, 12_000),
        ("T2", "二镇", "town", "K1", True, False, 8_000),
        ("T3", "三镇", "town", "K2", True, False, 10_000),
    ],
    columns=["code", "name", "level", "parent_code", "in_scope", "urban", "population"],
)
FACILITY = pd.DataFrame(
    [
        ("H1", "甲市人民医院", "K2", "tertiary", "general", "三甲", 800),
        ("H2", "乙县人民医院", "K1", "county", "general", "二甲", 300),
        ("F1", "一镇卫生院", "T1", "township", "general", "一级", 40),
        ("F2", "二镇卫生院", "T2", "township", "general", "一级", 30),
        ("F3", "三镇卫生院", "T3", "township", "general", "一级", 20),
        ("V1", "一镇甲村卫生室", "T1", "village", "general", "未定级", 0),
    ],
    columns=["code", "name", "region_code", "tier", "category", "grade", "beds"],
)
ALLIANCE = pd.DataFrame(
    [
        ("A1", "乙县医共体", "county_community", "tight", "H2", "K1", date(2023, 1, 1)),
        ("A2", "甲市远程影像协作网", "telemedicine", "loose", "H1", "C1", date(2022, 6, 1)),
        ("A3", "甲市胸痛专科联盟", "specialty", "loose", "H1", "C1", date(2024, 6, 1)),
        ("A4", "甲市康复专科联盟", "specialty", "loose", "H1", "C1", date(2023, 3, 1)),
    ],
    columns=["code", "name", "kind", "integration", "lead_facility", "home_region", "founded"],
)
MEMBER = pd.DataFrame(
    [
        ("A1", "H2", "lead", date(2023, 1, 1)),
        ("A1", "F1", "member", date(2023, 1, 1)),
        ("A1", "F2", "member", FEB),
        ("A1", "V1", "member", date(2023, 1, 1)),
        ("A2", "H1", "lead", date(2022, 6, 1)),
        ("A2", "F2", "member", date(2022, 6, 1)),
        ("A2", "F3", "member", date(2022, 6, 1)),
        ("A3", "H1", "lead", date(2024, 6, 1)),
        ("A3", "H2", "member", date(2024, 6, 1)),
        ("A4", "H1", "lead", date(2023, 3, 1)),
        ("A4", "F2", "member", date(2023, 3, 1)),
    ],
    columns=["alliance_code", "facility_code", "role", "joined"],
)
_ACTIVITY_COLUMNS = ["alliance_code", "facility_code", "month", "doctors_sent", "nurses_sent", "pharmacists_sent",
                     "technicians_sent", "posted_physicians", "expert_clinic_sessions", "teaching_rounds", "lectures",
                     "surgery_demos", "trainees_sent_up", "new_techniques"]
ACTIVITY = pd.DataFrame(
    [
        ("A1", "F1", JAN, 2, 1, 0, 1, 1, 3, 2, 1, 0, 1, 0),
        ("A1", "F1", FEB, 1, 0, 1, 0, 2, 2, 1, 2, 1, 0, 1),
        ("A1", "V1", FEB, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0),
        ("A1", "F2", FEB, 3, 2, 0, 1, 1, 4, 1, 1, 1, 2, 0),
        ("A4", "F2", FEB, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0),
    ],
    columns=_ACTIVITY_COLUMNS,
)
SHARED = pd.DataFrame(
    [
        ("A1", "F1", JAN, "imaging", 10, 8, 6, 8, 5),
        ("A1", "F1", FEB, "imaging", 12, 10, 9, 10, 7),
        ("A2", "F2", JAN, "imaging", 20, 10, 5, 10, 4),
        ("A2", "F2", FEB, "imaging", 22, 12, 9, 12, 6),
        ("A2", "F3", JAN, "ecg", 30, 5, 4, 0, 0),
    ],
    columns=["alliance_code", "facility_code", "month", "service", "remote_cases", "cases_reviewed", "concordant",
             "films_graded", "grade_a_films"],
)
REFERRAL = pd.DataFrame(
    [
        (1, date(2024, 1, 5), "F1", "H2", "up", "IX", True, "completed"),
        (2, date(2024, 1, 9), "F1", "H2", "up", "IX", False, "completed"),
        (3, date(2024, 2, 3), "H2", "F1", "down", "IX", False, "completed"),
        (4, date(2024, 2, 4), "H2", "H1", "out_of_county", "II", False, "completed"),
        (5, date(2024, 2, 8), "H1", "H2", "returned", "II", False, "completed"),
        (6, date(2024, 2, 9), "F1", "H1", "out_of_county", "IX", False, "cancelled"),
        (7, date(2024, 2, 10), "F3", "H1", "up", "X", True, "completed"),
    ],
    columns=["referral_id", "referral_date", "from_facility", "to_facility", "direction", "disease_chapter",
             "green_channel", "status"],
)
PRIMARY = ("township", "community", "village")


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_world(tmp_path_factory.mktemp("alliances") / "tiny.duckdb", region=REGION, facility=FACILITY,
                       alliance=ALLIANCE, alliance_member=MEMBER, alliance_activity=ACTIVITY, shared_service=SHARED,
                       referral=REFERRAL)


def query(db: Path, name: str, params: dict) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return execute(con, name, params)


def selection(**places: object) -> dict:
    filters = Filters(JAN, FEB, **places)  # type: ignore[arg-type]
    return filters.sql_params() | {"kinds": list(al.KINDS), "integrations": list(al.INTEGRATIONS)}


# ---------------------------------------------------------------------------------------------- expectations


def facility_county(code: str) -> str:
    region = FACILITY.set_index("code").loc[code, "region_code"]
    row = REGION.set_index("code").loc[region]
    return str(row["parent_code"]) if row["level"] == "town" else str(region)


def members_by(month_end: date) -> pd.DataFrame:
    joined = MEMBER[MEMBER["joined"] <= month_end].merge(FACILITY, left_on="facility_code", right_on="code")
    founded = ALLIANCE[ALLIANCE["founded"] <= month_end]["code"]
    return joined[joined["alliance_code"].isin(founded)]


# ---------------------------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ({}, ["A1", "A2", "A4"]),  # A3 is founded after the period
        ({"county": "K2", "city": "C1"}, ["A2", "A4"]),  # H1 (lead of A2 and A4) and F3 sit in K2
        ({"county": "K1", "city": "C1"}, ["A1", "A2", "A4"]),  # F2 of A2 and A4 sits in K1
        ({"town": "T1", "county": "K1", "city": "C1"}, ["A1"]),
    ],
)
def test_registry_lists_alliances_with_a_member_in_the_selection(tiny_db: Path, places: dict, expected: list) -> None:
    frame = query(tiny_db, "alliance_registry", selection(**places))
    members = members_by(date(2024, 2, 29))
    in_scope = {code for code in members["facility_code"]
                if not places.get("county") or facility_county(code) == places["county"]}
    if places.get("town"):
        in_scope = set(FACILITY[FACILITY["region_code"] == places["town"]]["code"])
    independent = sorted(set(members[members["facility_code"].isin(in_scope)]["alliance_code"]))
    assert sorted(frame["code"]) == independent == expected


def test_registry_counts_members_by_tier_without_the_lead(tiny_db: Path) -> None:
    frame = query(tiny_db, "alliance_registry", selection()).set_index("code")
    members = members_by(date(2024, 2, 29))
    members = members[members["role"] != "lead"]
    for code, rows in members.groupby("alliance_code"):
        assert frame.loc[code, "members"] == len(rows)
        for tier, count in rows["tier"].value_counts().items():
            assert frame.loc[code, f"{tier}_members"] == count
    assert frame.loc["A1", "lead_name"] == "乙县人民医院"


def test_registry_at_the_end_of_january_leaves_out_a_member_who_joined_in_february(tiny_db: Path) -> None:
    params = selection() | {"month_to": JAN}
    frame = query(tiny_db, "alliance_registry", params).set_index("code")
    assert frame.loc["A1", "members"] == len(members_by(date(2024, 1, 31)).query("alliance_code == 'A1'")) - 1


def test_registry_filters_kind_and_integration(tiny_db: Path) -> None:
    specialty = query(tiny_db, "alliance_registry", selection() | {"kinds": ["specialty"]})
    assert list(specialty["code"]) == ["A4"]
    tight = query(tiny_db, "alliance_registry", selection() | {"integrations": ["tight"]})
    assert list(tight["code"]) == ["A1"]


def test_member_totals_count_a_facility_in_several_alliances_once(tiny_db: Path) -> None:
    row = query(tiny_db, "alliance_member_totals", selection()).iloc[0]
    members = members_by(date(2024, 2, 29))
    assert row["facilities"] == members["facility_code"].nunique() == 6
    assert row["memberships"] == len(members) > row["facilities"]
    assert row["alliances"] == 3


# ---------------------------------------------------------------------------------------------- activity


def test_activity_by_month_adds_up_every_alliance_and_follows_an_alliance_filter(tiny_db: Path) -> None:
    columns = [c for c in _ACTIVITY_COLUMNS if c not in ("alliance_code", "facility_code", "month")]
    every = query(tiny_db, "alliance_activity_by_month", selection())
    expected = ACTIVITY.groupby("month")[columns].sum()
    assert [m.date() for m in every["month"]] == list(expected.index)
    assert every[columns].astype("int64").to_numpy().tolist() == expected.astype("int64").to_numpy().tolist()
    only_a4 = query(tiny_db, "alliance_activity_by_month", selection(alliance="A4"))
    assert only_a4["doctors_sent"].sum() == ACTIVITY.query("alliance_code == 'A4'")["doctors_sent"].sum()


def test_activity_of_an_alliance_without_activity_is_empty(tiny_db: Path) -> None:
    assert query(tiny_db, "alliance_activity_by_month", selection(alliance="A2")).empty
    assert query(tiny_db, "alliance_activity_by_facility", selection(alliance="A2")).empty


def test_activity_by_facility_is_one_row_per_facility_across_alliances(tiny_db: Path) -> None:
    frame = query(tiny_db, "alliance_activity_by_facility", selection()).set_index("facility_code")
    assert frame.index.is_unique
    f2 = ACTIVITY[ACTIVITY["facility_code"] == "F2"]
    assert frame.loc["F2", "alliances"] == f2["alliance_code"].nunique() == 2
    assert frame.loc["F2", "doctors_sent"] == f2["doctors_sent"].sum()
    staff = ACTIVITY[["doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent"]].sum(axis=1)
    assert frame["staff_sent"].sum() == staff.sum()
    # Posted physicians are a stock: February's, not January's and February's together.
    assert frame.loc["F1", "posted_physicians"] == ACTIVITY.query("facility_code == 'F1' and month == @FEB")[
        "posted_physicians"].sum()


# ---------------------------------------------------------------------------------------------- posted


def expected_posted(alliance: str | None, month: date) -> tuple[int, int]:
    """Posted physicians at the alliance's primary members and the residents of their towns (each town once)."""
    month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    members = members_by(month_end)
    members = members[members["tier"].isin(PRIMARY)]
    if alliance:
        members = members[members["alliance_code"] == alliance]
    towns = set(members["region_code"])
    population = int(REGION[REGION["code"].isin(towns)]["population"].sum())
    pairs = set(zip(members["alliance_code"], members["facility_code"], strict=True))
    member_rows = pd.Series([(a, f) in pairs for a, f in zip(ACTIVITY["alliance_code"], ACTIVITY["facility_code"],
                                                                strict=True)], index=ACTIVITY.index)
    rows = ACTIVITY[(ACTIVITY["month"] == month) & member_rows]
    return int(rows["posted_physicians"].sum()), population


@pytest.mark.parametrize("month", [JAN, FEB])
def test_posted_physicians_per_alliance_and_all_together_count_each_town_once(tiny_db: Path, month: date) -> None:
    frame = query(tiny_db, "alliance_posted_physicians", selection() | {"month_from": month, "month_to": month})
    for alliance in ("A1", "A2", "A4", None):
        rows = frame[frame["alliance_code"].isna()] if alliance is None else frame[frame["alliance_code"] == alliance]
        posted, population = expected_posted(alliance, month)
        assert (rows["posted_physicians"].iloc[0], rows["population"].iloc[0]) == (posted, population)
    total = frame[frame["alliance_code"].isna()].iloc[0]
    by_alliance = frame.dropna(subset=["alliance_code"])
    # T2 is served by A2 and A4 (and by A1 from February): the total counts it once.
    assert total["population"] < by_alliance["population"].sum()
    assert total["population"] == REGION.query("level == 'town'")["population"].sum()


def test_posted_physicians_per_10k_value(tiny_db: Path) -> None:
    frame = query(tiny_db, "alliance_posted_physicians", selection() | {"month_from": FEB, "month_to": FEB})
    a1 = frame[frame["alliance_code"] == "A1"].iloc[0]
    posted, population = expected_posted("A1", FEB)
    assert al.per_10k(a1["posted_physicians"], a1["population"]) == pytest.approx(posted / population * 10_000)
    assert al.per_10k(0, 0) is None


# ---------------------------------------------------------------------------------------------- shared services


def test_shared_service_by_month_follows_the_alliance_not_the_facility(tiny_db: Path) -> None:
    every = query(tiny_db, "shared_service_quality_by_month", selection())
    expected = SHARED.groupby(["month", "service"])[["remote_cases", "concordant", "cases_reviewed"]].sum()
    assert [(m.date(), s) for m, s in zip(every["month"], every["service"], strict=True)] == list(expected.index)
    got = every[["remote_cases", "concordant", "cases_reviewed"]]
    assert got.astype("int64").to_numpy().tolist() == expected.astype("int64").to_numpy().tolist()
    # F2 is in A1 from February, but its shared-service rows belong to A2: A1's figures leave them out.
    only_a1 = query(tiny_db, "shared_service_quality_by_month", selection(alliance="A1"))
    assert only_a1["remote_cases"].sum() == SHARED.query("alliance_code == 'A1'")["remote_cases"].sum()


def test_quality_rates_are_ratios_of_sums(tiny_db: Path) -> None:
    quality = al.quality_by_month(query(tiny_db, "shared_service_quality_by_month", selection()))
    jan = quality[(quality["month"] == pd.Timestamp(JAN)) & (quality["indicator_code"] == "imaging_concordance_rate")]
    imaging = SHARED[(SHARED["service"] == "imaging") & (SHARED["month"] == JAN)]
    assert jan["value"].iloc[0] == pytest.approx(imaging["concordant"].sum() / imaging["cases_reviewed"].sum())
    mean_of_rates = (imaging["concordant"] / imaging["cases_reviewed"]).mean()
    assert jan["value"].iloc[0] != pytest.approx(mean_of_rates)


def test_shared_service_by_facility(tiny_db: Path) -> None:
    frame = query(tiny_db, "shared_service_by_facility", selection()).set_index("facility_code")
    assert frame.loc["F2", "imaging_cases"] == SHARED.query("facility_code == 'F2'")["remote_cases"].sum()
    assert frame.loc["F3", "ecg_cases"] == 30
    assert pd.isna(frame.loc["F1", "ecg_cases"])


def test_indicator_by_alliance_matches_the_base_tables(tiny_db: Path) -> None:
    frame = query(tiny_db, "indicator_by_alliance", selection() | {"codes": ["staff_sent_down", "remote_consults"]})
    staff = frame[frame["indicator_code"] == "staff_sent_down"].set_index("alliance_code")["numerator"]
    roles = ACTIVITY[["doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent"]].sum(axis=1)
    assert staff.to_dict() == roles.groupby(ACTIVITY["alliance_code"]).sum().astype(float).to_dict()
    remote = frame[frame["indicator_code"] == "remote_consults"].set_index("alliance_code")["numerator"]
    assert remote.to_dict() == SHARED.groupby("alliance_code")["remote_cases"].sum().astype(float).to_dict()


# ---------------------------------------------------------------------------------------------- comparison


def test_comparison_totals_count_each_town_once(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(tiny_db))
    filters = Filters(JAN, FEB)
    frame, totals = al.comparison(filters)
    assert sorted(frame["code"]) == ["A1", "A2", "A4"]
    by_code = frame.set_index("code")
    # A2 posts nobody and has no activity: a count of 0, not a missing value.
    assert by_code.loc["A2", "staff_sent_down"] == 0
    assert totals["staff_sent_down"] == ACTIVITY[["doctors_sent", "nurses_sent", "pharmacists_sent",
                                                  "technicians_sent"]].to_numpy().sum()
    posted, population = expected_posted(None, FEB)
    assert totals["posted_physicians_per_10k"] == pytest.approx(posted / population * 10_000)
    assert al.member_totals(filters)["facilities"] == 6


# ---------------------------------------------------------------------------------------------- profiles


def completed() -> pd.DataFrame:
    return REFERRAL[REFERRAL["status"] != "cancelled"]


def test_facility_referral_partners_by_side_direction_and_partner(tiny_db: Path) -> None:
    frame = query(tiny_db, "facility_referral_partners", {"facility": "H2", "month_from": JAN, "month_to": FEB})
    done = completed()
    sent = done[done["from_facility"] == "H2"].groupby(["direction", "to_facility"]).size()
    received = done[done["to_facility"] == "H2"].groupby(["direction", "from_facility"]).size()
    got = frame.set_index(["side", "direction", "partner_code"])["referrals"]
    assert {k[1:]: v for k, v in got.items() if k[0] == "sent"} == sent.to_dict()
    assert {k[1:]: v for k, v in got.items() if k[0] == "received"} == received.to_dict()


def test_county_referral_exchange_keeps_only_referrals_crossing_the_border(tiny_db: Path) -> None:
    frame = query(tiny_db, "county_referral_exchange", {"county": "K1", "month_from": JAN, "month_to": FEB})
    done = completed()
    county = {code: facility_county(code) for code in FACILITY["code"]}
    out = done[(done["from_facility"].map(county) == "K1") & (done["to_facility"].map(county) != "K1")]
    into = done[(done["to_facility"].map(county) == "K1") & (done["from_facility"].map(county) != "K1")]
    assert frame.query("side == 'out'")["referrals"].sum() == len(out) == 1  # the cancelled one is left out
    assert frame.query("side == 'in'")["referrals"].sum() == len(into) == 1


def test_facility_alliances_and_help_received_or_given(tiny_db: Path) -> None:
    memberships = query(tiny_db, "facility_alliances", {"facility": "F2", "month_to": FEB})
    assert sorted(memberships["alliance_code"]) == sorted(MEMBER.query("facility_code == 'F2'")["alliance_code"])
    lead = query(tiny_db, "facility_alliances", {"facility": "H2", "month_to": FEB})
    assert list(lead["role"]) == ["lead"]  # A3 (joined in June) is not there yet

    received = query(tiny_db, "facility_alliance_help", {"facility": "F2", "month_from": JAN, "month_to": FEB})
    assert set(received["side"]) == {"received"}
    assert received["doctors_sent"].sum() == ACTIVITY.query("facility_code == 'F2'")["doctors_sent"].sum()
    given = query(tiny_db, "facility_alliance_help", {"facility": "H2", "month_from": JAN, "month_to": FEB})
    assert list(given["side"]) == ["given"]
    assert given["facilities"].iloc[0] == ACTIVITY.query("alliance_code == 'A1'")["facility_code"].nunique()
    assert given["staff_sent"].iloc[0] == ACTIVITY.query("alliance_code == 'A1'")[
        ["doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent"]].to_numpy().sum()


def test_facility_shared_services_used_and_provided(tiny_db: Path) -> None:
    used = query(tiny_db, "facility_shared_services", {"facility": "F2", "month_from": JAN, "month_to": FEB})
    assert used["side"].unique().tolist() == ["used"]
    assert used["remote_cases"].sum() == SHARED.query("facility_code == 'F2'")["remote_cases"].sum()
    provided = query(tiny_db, "facility_shared_services", {"facility": "H1", "month_from": JAN, "month_to": FEB})
    assert provided["remote_cases"].sum() == SHARED.query("alliance_code == 'A2'")["remote_cases"].sum()


def test_facility_choices_follow_the_selection(tiny_db: Path) -> None:
    every = query(tiny_db, "facility_choices", {"city": None, "county": None, "town": None, "tiers": list(TIERS)})
    assert len(every) == len(FACILITY)
    k2 = query(tiny_db, "facility_choices", {"city": "C1", "county": "K2", "town": None, "tiers": list(TIERS)})
    assert sorted(k2["facility_code"]) == ["F3", "H1"]

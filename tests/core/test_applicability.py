"""Which indicators apply to which selection: a table of cases, no database."""

from __future__ import annotations

from datetime import date

import pytest

from healthdash.core.applicability import is_region_based, reason, split
from healthdash.core.filters import TIERS, Filters
from healthdash.core.indicators import Indicator
from healthdash.data.catalog import load_catalog

CATALOG = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
MONTH = date(2024, 6, 1)
COUNTY = Filters(MONTH, MONTH, city="C1", county="K1")
TOWN = Filters(MONTH, MONTH, city="C1", county="K1", town="T1")
PRIMARY_ONLY = Filters(MONTH, MONTH, county="K1", tiers=("township", "village"))
HOSPITALS_ONLY = Filters(MONTH, MONTH, county="K1", tiers=("tertiary", "county"))
MIXED = Filters(MONTH, MONTH, county="K1", tiers=("county", "township"))
ALLIANCE = Filters(MONTH, MONTH, alliance="A1")

CASES = [
    # code, selection, alliance kind, expected reason (None: shown)
    ("county_retention_rate", COUNTY, None, None),
    ("county_retention_rate", TOWN, None, "applies.county_only"),
    ("in_county_inpatient_share", TOWN, None, "applies.county_only"),
    ("posted_physicians_per_10k", TOWN, None, "applies.county_only"),
    ("county_retention_rate", PRIMARY_ONLY, None, None),
    ("primary_visit_share", COUNTY, None, None),
    ("primary_visit_share", TOWN, None, "applies.town_primary_only"),
    ("primary_visit_share", PRIMARY_ONLY, None, "applies.tier_filter"),
    ("primary_visit_share", HOSPITALS_ONLY, None, "applies.tier_filter"),
    ("primary_visit_share", MIXED, None, None),
    ("primary_visit_share", ALLIANCE, "specialty", "applies.hospital_alliance"),
    ("primary_visit_share", ALLIANCE, "county_community", None),
    ("primary_visit_share", ALLIANCE, "city_group", None),
    ("township_inpatient_share", ALLIANCE, "specialty", "applies.hospital_alliance"),
    ("township_inpatient_share", Filters(MONTH, MONTH, tiers=("township",)), None, "applies.tier_filter"),
    ("township_inpatient_share", TOWN, None, "applies.town_primary_only"),
    # Facility-based counts and town-level public health mean something for a town.
    ("out_of_county_referrals", TOWN, None, None),
    ("down_up_ratio", TOWN, None, None),
    ("fd_coverage", TOWN, None, None),
    ("premarital_checks", TOWN, None, None),
    ("staff_sent_down", ALLIANCE, "specialty", None),
]


@pytest.mark.parametrize(("code", "filters", "kind", "expected"), CASES,
                         ids=[f"{c}-{i}" for i, (c, *_) in enumerate(CASES)])
def test_applicability_table(code: str, filters: Filters, kind: str | None, expected: str | None) -> None:
    assert reason(CATALOG[code], filters, kind) == expected


def test_every_tier_applies_to_everything_at_county_level() -> None:
    assert Filters(MONTH, MONTH, county="K1").tiers == TIERS
    kept, excluded = split(CATALOG.values(), COUNTY)
    assert excluded == [] and len(kept) == len(CATALOG)


def test_split_keeps_order_and_names_the_reason() -> None:
    codes = ["county_retention_rate", "primary_visit_share", "down_up_ratio", "fd_coverage"]
    kept, excluded = split([CATALOG[c] for c in codes], TOWN)
    assert [i.code for i in kept] == ["down_up_ratio", "fd_coverage"]
    assert [(e.indicator.code, e.reason) for e in excluded] == [
        ("county_retention_rate", "applies.county_only"), ("primary_visit_share", "applies.town_primary_only")]


def test_region_based_indicators_are_the_residents_and_towns() -> None:
    assert is_region_based(CATALOG["county_retention_rate"]) and is_region_based(CATALOG["fd_coverage"])
    assert not is_region_based(CATALOG["outpatient_visits"]) and not is_region_based(CATALOG["down_up_ratio"])
    # An alliance's posted physicians are its own posts to its members' towns, not its home region's.
    assert not is_region_based(CATALOG["posted_physicians_per_10k"])

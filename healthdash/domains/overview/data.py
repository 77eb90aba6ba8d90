"""总览 Overview's headline indicators, in its order: the page shows them as cards, its summary speaks
about them and the briefing prints them (the briefing is the Overview on paper)."""

from __future__ import annotations

HEADLINE: list[str] = [
    "county_retention_rate",
    "primary_visit_share",
    "in_county_inpatient_share",
    "down_up_ratio",
    "out_of_county_referrals",
    "fd_coverage",
    "child_immunization_rate",
    "htn_std_mgmt_rate",
    "t2dm_std_mgmt_rate",
]

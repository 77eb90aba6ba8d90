"""Which indicators can mean anything for a selection, and why not where they cannot.

A share of one tier in all care (基层诊疗人次占比) is a trivial 100% inside a town, where every facility is a
primary one, or under a tier filter that keeps only primary tiers, and 0% in a specialty alliance of
hospitals; a county figure (县域内就诊率) has no value for one town. Such an indicator is not shown or scored;
the page says why in one line. Pure functions over the catalog rows and the selection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from healthdash.core.filters import TIERS, Filters
from healthdash.core.indicators import Indicator

PRIMARY_TIERS: frozenset[str] = frozenset({"township", "community", "village"})
# Shares of some tiers in the care of all tiers: the tiers counted in the numerator.
TIER_SHARES: dict[str, frozenset[str]] = {
    "primary_visit_share": PRIMARY_TIERS,
    "township_inpatient_share": frozenset({"township"}),
}
# Alliances whose members are hospitals only (专科联盟): no primary-care share to speak of.
HOSPITAL_ONLY_KINDS: frozenset[str] = frozenset({"specialty"})
# Figures of a county's residents as a whole (where they are treated, what the fund pays for them, physicians
# per 10,000 of them): nothing of the kind exists for one town.
COUNTY_RESIDENT_CODES: frozenset[str] = frozenset({
    "county_retention_rate", "in_county_inpatient_share", "ins_fund_in_county_share", "posted_physicians_per_10k",
    "physicians_per_1000", "nurses_per_1000",
})
# Indicators counted over a place's residents or towns, not over facilities: with an alliance selected
# they are the figures of the place it serves (its home region), not of its members. Posted physicians
# are not among them: an alliance's figure counts its own posts to its members' towns.
REGION_BASED_SECTIONS: frozenset[str] = frozenset({"public_health"})
REGION_BASED_CODES: frozenset[str] = COUNTY_RESIDENT_CODES - {"posted_physicians_per_10k"}


@dataclass(frozen=True)
class Excluded:
    """An indicator left out of a selection, with the i18n key of the reason."""

    indicator: Indicator
    reason: str


def is_region_based(indicator: Indicator) -> bool:
    return indicator.section in REGION_BASED_SECTIONS or indicator.code in REGION_BASED_CODES


def reason(indicator: Indicator, filters: Filters, alliance_kind: str | None = None) -> str | None:
    """The i18n key saying why `indicator` cannot mean anything for the selection, or None when it can."""
    if filters.town and indicator.code in COUNTY_RESIDENT_CODES:
        return "applies.county_only"
    counted = TIER_SHARES.get(indicator.code)
    if counted is None:
        return None
    if filters.town:
        return "applies.town_primary_only"
    tiers = set(filters.tiers) & set(TIERS)
    if tiers <= counted or not tiers & counted:
        return "applies.tier_filter"
    if alliance_kind in HOSPITAL_ONLY_KINDS:
        return "applies.hospital_alliance"
    return None


def split(indicators: Iterable[Indicator], filters: Filters,
          alliance_kind: str | None = None) -> tuple[list[Indicator], list[Excluded]]:
    """The indicators that apply, in order, and those that do not, each with its reason."""
    kept: list[Indicator] = []
    excluded: list[Excluded] = []
    for indicator in indicators:
        why = reason(indicator, filters, alliance_kind)
        if why is None:
            kept.append(indicator)
        else:
            excluded.append(Excluded(indicator, why))
    return kept, excluded

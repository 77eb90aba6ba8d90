"""情景推演: the what-if arithmetic. Pure and deterministic: numerators and denominators in, after-values out.

The model moves patients, referrals and contracts between the counts the indicators are built from and
recomputes each indicator as sum(numerator) / sum(denominator), so an after-value obeys the same
definition as the before-value. With every lever at zero the after-counts equal the before-counts exactly.

What each lever does (the page states the same in plain words, `ASSUMPTIONS`):
- bring_back: that share of the county's out-of-county admissions is treated in the county instead (the
  in-county admissions and visits rise, the out-of-county ones fall); that share of its out-of-county
  referrals is no longer issued (the patient stays with the county hospital, so no new referral is
  counted). The insurance fund those admissions cost outside stays in the county, at the out-of-county
  fund paid per case in the data. Outpatient visits outside the county are not moved.
- shift_primary: that share of the county hospitals' outpatient visits happens at township, community and
  village facilities instead; the total number of visits does not change.
- down_growth: down-referrals rise by that fraction over the period's actual number; up-referrals do not
  change.
- contracts_added: that many more residents sign a family-doctor contract, at most up to the population.
- reserve_appointments / reserve_beds: the share of a tertiary hospital's outpatient visits (号源) and of
  its admissions (床位周转) kept for referred patients; each hospital's reserve is shared among the places
  that refer to it in proportion to their referrals today. Demand is every up-referral and out-of-county
  referral the selection sends to that hospital (less those brought back); every referred patient is
  counted as needing both an appointment and a bed, an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

# Indicators the model changes, in the order the page lists them.
AFFECTED: tuple[str, ...] = (
    "county_retention_rate",
    "in_county_inpatient_share",
    "ins_fund_in_county_share",
    "primary_visit_share",
    "out_of_county_referrals",
    "out_of_county_referral_rate",
    "down_up_ratio",
    "down_referral_growth",
    "fd_coverage",
)


@dataclass(frozen=True)
class Levers:
    """Policy levers; shares are fractions (0.3 = 30%), contracts a number of residents."""

    bring_back: float = 0.0
    shift_primary: float = 0.0
    down_growth: float = 0.0
    contracts_added: float = 0.0
    reserve_appointments: float = 0.0
    reserve_beds: float = 0.0


@dataclass(frozen=True)
class Counts:
    """The numerators and denominators of one place (or the whole selection) over the period.

    Field names say what is counted; `admissions_out` and `fund_out_inpatient` give the out-of-county
    fund paid per admission. Missing figures are 0 (a place without the data), never None.
    """

    visits_in: float = 0.0  # residents' visits in the county, outpatient + inpatient (县域内就诊率 numerator)
    visits_total: float = 0.0  # all their visits, in and out of the county
    admissions_in: float = 0.0  # residents' admissions in the county
    admissions_total: float = 0.0  # all their admissions
    fund_out_inpatient: float = 0.0  # insurance fund paid outside the county for admissions, 元
    fund_in: float = 0.0  # insurance fund paid inside the county, 元
    fund_total: float = 0.0  # all insurance fund paid for the county's enrollees, 元
    primary_visits: float = 0.0  # outpatient visits at township, community and village facilities
    all_visits: float = 0.0  # all outpatient visits at the area's facilities
    county_hospital_visits: float = 0.0  # outpatient visits at county hospitals
    up: float = 0.0  # up-referrals
    down: float = 0.0  # down-referrals
    out_of_county: float = 0.0  # out-of-county referrals
    down_last_year: float = 0.0  # down-referrals in the same months a year earlier
    contracted: float = 0.0  # residents under a family-doctor contract at period end
    population: float = 0.0  # residents (denominator of the contract coverage)

    @property
    def admissions_out(self) -> float:
        return self.admissions_total - self.admissions_in

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def __sub__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})


def total(parts: Iterable[Counts]) -> Counts:
    result = Counts()
    for part in parts:
        result = result + part
    return result


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator == 0 or math.isnan(denominator) or math.isnan(numerator):
        return None
    return numerator / denominator


def fund_per_admission_out(counts: Counts) -> float | None:
    """Insurance fund paid per out-of-county admission (元), from the data."""
    return _ratio(counts.fund_out_inpatient, counts.admissions_out)


def apply(counts: Counts, levers: Levers) -> Counts:
    """The counts after the levers; levers at zero return `counts` unchanged (the same values)."""
    moved_admissions = counts.admissions_out * levers.bring_back
    per_case = fund_per_admission_out(counts) or 0.0
    moved_fund = moved_admissions * per_case
    moved_visits = counts.county_hospital_visits * levers.shift_primary
    contracted = counts.contracted
    if levers.contracts_added:
        contracted = min(contracted + levers.contracts_added, max(counts.population, contracted))
    return replace(
        counts,
        visits_in=counts.visits_in + moved_admissions,
        admissions_in=counts.admissions_in + moved_admissions,
        fund_out_inpatient=counts.fund_out_inpatient - moved_fund,
        fund_in=counts.fund_in + moved_fund,
        primary_visits=counts.primary_visits + moved_visits,
        county_hospital_visits=counts.county_hospital_visits - moved_visits,
        out_of_county=counts.out_of_county * (1 - levers.bring_back),
        down=counts.down * (1 + levers.down_growth),
        contracted=contracted,
    )


def fund_kept(before: Counts, after: Counts) -> float:
    """Insurance fund (元) that stays in the county because of the levers."""
    return after.fund_in - before.fund_in


def values(counts: Counts) -> dict[str, float | None]:
    """Each affected indicator from the counts, on the scale of `indicators.value` (fractions for %)."""
    growth = _ratio(counts.down - counts.down_last_year, counts.down_last_year)
    return {
        "county_retention_rate": _ratio(counts.visits_in, counts.visits_total),
        "in_county_inpatient_share": _ratio(counts.admissions_in, counts.admissions_total),
        "ins_fund_in_county_share": _ratio(counts.fund_in, counts.fund_total),
        "primary_visit_share": _ratio(counts.primary_visits, counts.all_visits),
        "out_of_county_referrals": counts.out_of_county if counts.up + counts.down + counts.out_of_county else None,
        "out_of_county_referral_rate": _ratio(counts.out_of_county, counts.up + counts.down + counts.out_of_county),
        # A referral out of the county is a referral upward too (data/INDICATORS.md).
        "down_up_ratio": _ratio(counts.down, counts.up + counts.out_of_county),
        "down_referral_growth": growth,
        "fd_coverage": _ratio(counts.contracted, counts.population),
    }


def spread_contracts(levers: Levers, share: float) -> Levers:
    """The levers for one part of the selection holding `share` of its population: added contracts are
    spread over places in proportion to their residents; shares apply everywhere as they are."""
    return replace(levers, contracts_added=levers.contracts_added * share)


# ---------------------------------------------------------------------------------------------- reserve


@dataclass(frozen=True)
class Receiver:
    """A tertiary hospital the selection refers to, over the period."""

    name: str
    referrals_received: float  # up- and out-of-county referrals it received from every place
    selection_up: float  # up-referrals from the selection
    selection_out_of_county: float  # out-of-county referrals from the selection
    outpatient_visits: float | None  # its outpatient visits (appointment capacity); None when unknown
    discharges: float | None  # its discharges (bed turnover); None when unknown


@dataclass(frozen=True)
class Reserve:
    """Reserved appointments and beds for the selection's referred patients against its demand."""

    demand: float  # referred patients sent to hospitals whose capacity is known
    appointments: float  # appointments reserved for the selection
    admissions: float  # admissions the reserved beds allow for the selection
    demand_unknown: float  # referred patients sent to hospitals without capacity data (not counted)

    @property
    def appointment_coverage(self) -> float | None:
        return _ratio(self.appointments, self.demand)

    @property
    def bed_coverage(self) -> float | None:
        return _ratio(self.admissions, self.demand)


def reserve(receivers: Iterable[Receiver], levers: Levers) -> Reserve:
    demand = appointments = admissions = unknown = 0.0
    for hospital in receivers:
        sent_before = hospital.selection_up + hospital.selection_out_of_county
        sent_after = hospital.selection_up + hospital.selection_out_of_county * (1 - levers.bring_back)
        if hospital.outpatient_visits is None or hospital.discharges is None or not hospital.referrals_received:
            unknown += sent_after
            continue
        # The selection's part of this hospital's reserve: its share of the referrals it receives today.
        part = sent_before / hospital.referrals_received
        demand += sent_after
        appointments += levers.reserve_appointments * hospital.outpatient_visits * part
        admissions += levers.reserve_beds * hospital.discharges * part
    return Reserve(demand=demand, appointments=appointments, admissions=admissions, demand_unknown=unknown)

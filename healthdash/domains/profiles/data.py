"""区县画像 / 机构画像: everything about one county or one facility, as data shaped for the profile pages.

A profile's subject comes from its URL (?county=CODE, ?facility=CODE); the period and comparison come from
the shared sidebar. A county profile covers the whole county (the sidebar's town and alliance do not
narrow it); a facility profile reads the facility's own rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from healthdash.core import indicators as ind
from healthdash.core.filters import Filters, add_months, as_date
from healthdash.data import kpi
from healthdash.data.db import run_query
from healthdash.domains.alliances import data as al

COUNTY_HEADLINE: list[str] = [
    "county_retention_rate", "in_county_inpatient_share", "primary_visit_share",
    "out_of_county_referrals", "down_up_ratio", "down_referral_growth",
    "fd_coverage", "htn_std_mgmt_rate", "posted_physicians_per_10k",
]
CARE_PATTERN: list[str] = ["county_retention_rate", "in_county_inpatient_share", "primary_visit_share"]
REFERRAL_COUNTS: list[str] = ["up_referrals", "down_referrals", "out_of_county_referrals", "returned_referrals"]
TOWN_HEALTH: list[str] = [
    "fd_coverage", "fd_key_pop_coverage", "child_immunization_rate", "cervical_screening_rate",
    "elderly_health_mgmt_rate", "htn_std_mgmt_rate", "t2dm_std_mgmt_rate",
]
FACILITY_RANKING: list[str] = ["outpatient_visits", "inpatient_discharges", "up_referrals", "down_referrals"]
FACILITY_HEADLINE: list[str] = [
    "outpatient_visits", "inpatient_discharges", "up_referrals",
    "down_referrals", "out_of_county_referrals", "green_channel_share",
]
VOLUMES: list[str] = ["outpatient_visits", "inpatient_discharges"]
WORKFORCE: list[str] = ["physicians_per_1000", "nurses_per_1000", "village_doctor_licence_rate"]
PATHOGEN: list[str] = ["pathogen_cases_sent", "pathogen_identification_rate", "pathogen_turnaround_hours"]
CARE_MONTHS = 12  # the care-pattern trend shows at least a year, so that a one-month period still has a trend


# ---------------------------------------------------------------------------------------------- county


def county_filters(filters: Filters, county: str, city: str) -> Filters:
    """The selection a county profile reads: the whole county, the sidebar's period, tiers and comparison."""
    return replace(filters, city=city, county=county, town=None, alliance=None)


def county_headline(filters: Filters) -> list[kpi.Kpi]:
    return kpi.headline(filters, COUNTY_HEADLINE)


def care_months(filters: Filters) -> tuple[date, date]:
    """The months of the care-pattern trend: the period, stretched back to a year when shorter."""
    return min(filters.month_from, add_months(filters.month_to, -(CARE_MONTHS - 1))), filters.month_to


def care_pattern(filters: Filters) -> pd.DataFrame:
    """Monthly care-pattern rates of the county: month, indicator_code, value."""
    catalog = kpi.indicator_catalog()
    month_from, month_to = care_months(filters)
    frame = run_query("indicator_monthly", codes=CARE_PATTERN, month_from=month_from, month_to=month_to,
                      **filters.scope_params())
    values = [ind.value(catalog[code], n, d) for code, n, d in
              zip(frame["indicator_code"], frame["numerator"], frame["denominator"], strict=True)]
    return frame.assign(value=values)[["month", "indicator_code", "value"]].dropna(subset=["value"])


def referral_counts(filters: Filters) -> dict[str, kpi.Kpi]:
    """Up, down, out-of-county and returned referrals of the county, with their comparison."""
    return {card.indicator.code: card for card in kpi.headline(filters, REFERRAL_COUNTS)}


def referral_exchange(filters: Filters) -> pd.DataFrame:
    """Referrals crossing the county's border by side ('out' | 'in'), direction and partner facility."""
    return run_query("county_referral_exchange", **filters.sql_params())


def county_alliances(filters: Filters) -> pd.DataFrame:
    """Alliances with a member in the county (the registry of the county)."""
    return al.registry(filters)


def town_health(filters: Filters) -> pd.DataFrame:
    """Public-health indicators of each town of the county (kpi.by_place rows)."""
    return kpi.by_place(filters, TOWN_HEALTH, "town")


def facility_ranking(filters: Filters) -> pd.DataFrame:
    """The county's facilities with their volumes and referrals over the period, one row per facility:
    facility_code, facility_name, tier and one column per FACILITY_RANKING code, busiest first."""
    rows = kpi.by_place(filters, FACILITY_RANKING, "facility")
    facilities = run_query("facility_choices", **filters.scope_params())
    if rows.empty:
        return pd.DataFrame(columns=["facility_code", "facility_name", "tier", *FACILITY_RANKING])
    wide = rows.pivot_table(index="place_code", columns="indicator_code", values="value", aggfunc="first")
    frame = facilities.set_index("facility_code").join(wide, how="inner").reset_index()
    for code in FACILITY_RANKING:
        frame[code] = frame[code].fillna(0.0) if code in frame else 0.0
    return frame.sort_values(FACILITY_RANKING[0], ascending=False).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- facility


def facility_info(code: str) -> dict | None:
    frame = run_query("facility_profile", facility=code)
    return None if frame.empty else frame.iloc[0].to_dict()


def facility_labels(codes: list[str]) -> pd.DataFrame:
    """Those of `codes` a profile can be opened for, monitored places or not (link targets include the
    provincial hospitals that receive referrals): a link's facility need not be among the sidebar's, and
    looking up the few asked for keeps a county's page from listing a province's 41,000."""
    return run_query("facility_labels", codes=sorted(set(codes)))


def facility_choices(filters: Filters) -> pd.DataFrame:
    """The facilities of the sidebar's places and tiers, for the picker."""
    return run_query("facility_choices", **filters.scope_params())


def facility_monthly(code: str, codes: list[str], month_from: date, month_to: date) -> pd.DataFrame:
    return run_query("facility_indicator_monthly", facility=code, codes=codes, month_from=month_from,
                     month_to=month_to)


def facility_kpis(code: str, filters: Filters, codes: list[str]) -> list[kpi.Kpi]:
    """Headline cards of one facility: the period's value against the comparison period, last 12 months.
    Facility indicators are flows (sums and ratios of sums); a stock would take the period's last month."""
    catalog = kpi.indicator_catalog()
    base_from, base_to = filters.base_period()
    spark_months = [add_months(filters.month_to, i - (kpi.SPARK_MONTHS - 1)) for i in range(kpi.SPARK_MONTHS)]
    first = min(base_from, spark_months[0], filters.month_from)
    monthly = facility_monthly(code, codes, first, filters.month_to)
    monthly = monthly.assign(month=[as_date(m) for m in monthly["month"]])
    active_now = _active(monthly, filters.month_from, filters.month_to)
    active_base = _active(monthly, base_from, base_to)
    cards = []
    for indicator in (catalog[c] for c in codes):
        rows = monthly[monthly["indicator_code"] == indicator.code]
        current = _period_value(indicator, rows, filters.month_from, filters.month_to, active_now)
        base = _period_value(indicator, rows, base_from, base_to, active_base)
        by_month = {r.month: ind.value(indicator, r.numerator, r.denominator) for r in rows.itertuples(index=False)}
        delta = ind.change(indicator, current, base)
        cards.append(kpi.Kpi(indicator=indicator, value=current, base=base, delta=delta,
                             meets=ind.meets_target(indicator, current),
                             improved=ind.is_improvement(indicator, delta),
                             spark=[by_month.get(month) for month in spark_months], spark_months=spark_months))
    return cards


def _active(monthly: pd.DataFrame, first: date, last: date) -> bool:
    """Whether the facility reported anything in the months from `first` to `last`."""
    return bool(((monthly["month"] >= first) & (monthly["month"] <= last)).any())


def _period_value(indicator: ind.Indicator, rows: pd.DataFrame, first: date, last: date,
                  active: bool) -> float | None:
    """The indicator over the months from `first` to `last`. The facts hold no row for a zero count, so a
    count is 0 when the facility reported anything else in those months; a rate without rows is undefined."""
    inside = rows[(rows["month"] >= first) & (rows["month"] <= last)]
    if inside.empty:
        return 0.0 if active and not indicator.is_rate else None
    if indicator.at_period_end:
        inside = inside[inside["month"] == inside["month"].max()]
    denominator = inside["denominator"].sum() if inside["denominator"].notna().any() else None
    return ind.value(indicator, inside["numerator"].sum(), denominator)


def facility_volumes(code: str, filters: Filters) -> pd.DataFrame:
    """Monthly outpatient visits and discharges of the period and of the same months a year earlier:
    month (the period's month), indicator_code, year ('current' | 'previous'), value."""
    frame = facility_monthly(code, VOLUMES, add_months(filters.month_from, -12), filters.month_to)
    frame = frame.assign(month=[as_date(m) for m in frame["month"]])
    current = frame[frame["month"] >= filters.month_from].assign(year="current")
    previous = frame[frame["month"] <= add_months(filters.month_to, -12)].assign(year="previous")
    previous = previous.assign(month=[add_months(m, 12) for m in previous["month"]])
    both = pd.concat([current, previous], ignore_index=True)
    return both.rename(columns={"numerator": "value"})[["month", "indicator_code", "year", "value"]]


def referral_partners(code: str, filters: Filters) -> pd.DataFrame:
    return run_query("facility_referral_partners", facility=code, month_from=filters.month_from,
                     month_to=filters.month_to)


def facility_alliances(code: str, filters: Filters) -> pd.DataFrame:
    return run_query("facility_alliances", facility=code, month_to=filters.month_to)


def alliance_help(code: str, filters: Filters) -> pd.DataFrame:
    return run_query("facility_alliance_help", facility=code, month_from=filters.month_from,
                     month_to=filters.month_to)


def shared_services(code: str, filters: Filters) -> pd.DataFrame:
    return run_query("facility_shared_services", facility=code, month_from=filters.month_from,
                     month_to=filters.month_to)


# ---------------------------------------------------------------------------------------------- 医养结合


def elderly_care(filters: Filters) -> pd.DataFrame:
    """Each town of the county with its elderly-care beds and residents at the period's end, admissions over
    the period, and whether it reported (queries/elderly_care_by_town.sql); occupancy as a fraction."""
    frame = run_query("elderly_care_by_town", **filters.sql_params())
    beds = frame["beds"].astype("Float64")
    occupancy = (frame["residents"].astype("Float64") / beds.where(beds > 0)).astype("float64")
    return frame.assign(occupancy=occupancy)


def county_workforce_cards(filters: Filters) -> list[kpi.Kpi]:
    """Staff per 1,000 residents and licensed village doctors of the county, against their targets."""
    return kpi.headline(filters, WORKFORCE)


def county_workforce(filters: Filters) -> pd.DataFrame:
    """Registered staff per tier of the county's facilities at the period's last month."""
    return run_query("county_workforce", **filters.sql_params())


def facility_workforce(code: str, filters: Filters) -> pd.DataFrame:
    """The facility's register at the period's end and a year before, and its pathogen-network work."""
    return run_query("facility_workforce", facility=code, month_from=filters.month_from, month_to=filters.month_to)


def everywhere(filters: Filters) -> Filters:
    """The period of `filters` over the whole jurisdiction: a facility's own flags, wherever the sidebar is."""
    return Filters(filters.month_from, filters.month_to, compare=filters.compare)

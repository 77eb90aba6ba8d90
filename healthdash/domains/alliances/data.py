"""医联体 Alliances: the registry, one alliance's structure, resources flowing down, shared-service centres
and the side-by-side comparison, as data shaped for the alliances page (no layout here).

Totals across alliances count a facility once (member counts, the residents of the towns served); the
work done (staff sent, sessions, remote cases) adds up, since each alliance's work is its own.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from healthdash.core import indicators as ind
from healthdash.core.filters import Filters, add_months, as_date
from healthdash.core.indicators import Indicator
from healthdash.data import kpi
from healthdash.data.db import per_selection, run_query
from healthdash.data.quality.rules import staff_rule_ids

KINDS: tuple[str, ...] = ("city_group", "county_community", "specialty", "telemedicine")
INTEGRATIONS: tuple[str, ...] = ("tight", "loose")
STAFF_ROLES: tuple[str, ...] = ("doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent")
EVENTS: tuple[str, ...] = ("expert_clinic_sessions", "teaching_rounds", "lectures", "surgery_demos", "trainees_sent_up")
SERVICES: tuple[str, ...] = ("imaging", "ecg", "pathology", "lab")
MEMBER_TIERS: tuple[str, ...] = ("tertiary", "county", "community", "township", "village", "public_health")
POSTED = "posted_physicians_per_10k"
QUALITY: tuple[str, ...] = ("imaging_concordance_rate", "grade_a_film_rate")
HEADLINE: list[str] = ["staff_sent_down", POSTED, "expert_clinic_sessions", "remote_consults", *QUALITY]
COMPARED: list[str] = ["staff_sent_down", POSTED, "expert_clinic_sessions", "teaching_rounds", "lectures",
                       "surgery_demos", "trainees_sent_up", "remote_consults", "regional_lab_tests", *QUALITY]
# Quality rate -> (numerator, denominator) columns of shared_service_quality_by_month.
QUALITY_COUNTS: dict[str, tuple[str, str]] = {
    "imaging_concordance_rate": ("concordant", "cases_reviewed"),
    "grade_a_film_rate": ("grade_a_films", "films_graded"),
}


# ---------------------------------------------------------------------------------------------- registry


def registry(filters: Filters, kind: str | None = None, integration: str | None = None) -> pd.DataFrame:
    """Alliances with a member in the selected places and tiers, founded by the period's end, of one kind
    and integration (None: every one). The alliance filter is not applied: this is the list one is
    picked from."""
    return run_query("alliance_registry", **filters.sql_params(), **_kinds(kind, integration))


def member_totals(filters: Filters, kind: str | None = None, integration: str | None = None) -> dict[str, int]:
    """The registry's alliances, their member facilities each counted once, and their memberships."""
    row = run_query("alliance_member_totals", **filters.sql_params(), **_kinds(kind, integration)).iloc[0]
    return {key: int(row[key]) for key in ("alliances", "facilities", "memberships")}


def _kinds(kind: str | None, integration: str | None) -> dict[str, list[str]]:
    return {"kinds": [kind] if kind else list(KINDS), "integrations": [integration] if integration else list(INTEGRATIONS)}


def members(alliance: str, month_to: date) -> pd.DataFrame:
    """The lead and every member that had joined by the end of `month_to`."""
    return run_query("alliance_members", alliance=alliance, month_to=month_to)


# ---------------------------------------------------------------------------------------------- posted


def per_10k(posted: float | None, population: float | None) -> float | None:
    if posted is None or population is None or pd.isna(posted) or pd.isna(population) or population == 0:
        return None
    return float(posted) / float(population) * 10_000


def posted_by_month(filters: Filters, month_from: date, month_to: date) -> pd.DataFrame:
    """Posted physicians and residents served per alliance and month, with `per_10k`; rows with a null
    alliance_code are all the selection's alliances together (each town once)."""
    frame = run_query("alliance_posted_physicians", **(filters.scope_params()
                                                        | {"month_from": month_from, "month_to": month_to}))
    return frame.assign(per_10k=[per_10k(p, n) for p, n in zip(frame["posted_physicians"], frame["population"],
                                                                  strict=True)])


def _posted_total(filters: Filters, month: date) -> float | None:
    """The selection's physicians per 10,000 at the end of `month` (a stock)."""
    frame = posted_by_month(filters, month, month)
    total = frame[frame["alliance_code"].isna()]
    return None if total.empty else total["per_10k"].iloc[0]


def posted_kpi(filters: Filters) -> kpi.Kpi:
    """The posted-physician density at the period's end, against the comparison period's end."""
    indicator = kpi.indicator_catalog()[POSTED]
    current = _posted_total(filters, filters.month_to)
    base = _posted_total(filters, filters.base_period()[1])
    months = [add_months(filters.month_to, i - (kpi.SPARK_MONTHS - 1)) for i in range(kpi.SPARK_MONTHS)]
    series = posted_by_month(filters, months[0], months[-1])
    by_month = {as_date(m): v for m, v in zip(series.loc[series["alliance_code"].isna(), "month"],
                                               series.loc[series["alliance_code"].isna(), "per_10k"], strict=True)}
    delta = ind.change(indicator, current, base)
    return kpi.Kpi(indicator=indicator, value=current, base=base, delta=delta,
                   meets=ind.meets_target(indicator, current), improved=ind.is_improvement(indicator, delta),
                   spark=[by_month.get(month) for month in months], spark_months=months)


@per_selection
def headline(filters: Filters) -> list[kpi.Kpi]:
    """The alliance-work headline of the selection (with an alliance selected, that alliance's)."""
    cards = kpi.headline(filters, [code for code in HEADLINE if code != POSTED])
    cards.insert(HEADLINE.index(POSTED), posted_kpi(filters))
    return cards


# ---------------------------------------------------------------------------------------------- flows


def activity_by_month(filters: Filters) -> pd.DataFrame:
    return run_query("alliance_activity_by_month", **filters.sql_params())


def activity_by_facility(filters: Filters) -> pd.DataFrame:
    frame = run_query("alliance_activity_by_facility", **filters.sql_params())
    return frame.assign(posted_physicians=frame["posted_physicians"].fillna(0))


def workforce(filters: Filters) -> pd.DataFrame:
    """Registered staff of each alliance's members at the period's end against its posted physicians, with
    `posted_share` = posted / registered physicians at the primary members (None without any)."""
    frame = run_query("alliance_workforce", **filters.sql_params())
    return frame.assign(posted_share=[float(p) / float(r) if r else None
                                      for p, r in zip(frame["posted_physicians"], frame["primary_physicians"],
                                                      strict=True)])


def pathogen_by_month(filters: Filters) -> pd.DataFrame:
    """The pathogen network's months with `identification_rate` and `turnaround` (sum over sum)."""
    return _pathogen_rates(run_query("pathogen_by_month", **filters.sql_params()))


def pathogen_by_facility(filters: Filters) -> pd.DataFrame:
    return _pathogen_rates(run_query("pathogen_by_facility", **filters.sql_params()))


def _pathogen_rates(frame: pd.DataFrame) -> pd.DataFrame:
    sent, identified, hours = (frame[c].astype("float64") for c in ("cases_sent", "cases_identified",
                                                                   "turnaround_hours"))
    return frame.assign(identification_rate=(identified / sent.where(sent > 0)).astype("float64"),
                        turnaround=(hours / identified.where(identified > 0)).astype("float64"))


def pathogen_totals(frame: pd.DataFrame) -> dict[str, float | None]:
    """Cases sent and identified, identification rate and turnaround of `pathogen_by_*` rows together."""
    sent, identified = float(frame["cases_sent"].sum()), float(frame["cases_identified"].sum())
    hours = float(frame["turnaround_hours"].sum())
    return {"cases_sent": sent, "cases_identified": identified,
            "identification_rate": identified / sent if sent else None,
            "turnaround": hours / identified if identified else None}


def staff_flags(filters: Filters) -> pd.DataFrame:
    """Facilities whose reports the staff on their register cannot support (rules of the quality engine)."""
    return run_query("staff_flags", **filters.sql_params(), checks=staff_rule_ids())


def shared_by_month(filters: Filters) -> pd.DataFrame:
    return run_query("shared_service_quality_by_month", **filters.sql_params())


def shared_by_facility(filters: Filters) -> pd.DataFrame:
    return run_query("shared_service_by_facility", **filters.sql_params())


def quality_by_month(shared: pd.DataFrame) -> pd.DataFrame:
    """Monthly imaging quality rates (sum/sum) from `shared_by_month` rows: month, indicator_code, value."""
    imaging = shared[shared["service"] == "imaging"]
    rows = []
    for month, numerators in imaging.groupby("month"):
        for code, (numerator, denominator) in QUALITY_COUNTS.items():
            total = numerators[denominator].sum()
            if total > 0:
                rows.append({"month": month, "indicator_code": code, "value": numerators[numerator].sum() / total})
    return pd.DataFrame(rows, columns=["month", "indicator_code", "value"])


# ---------------------------------------------------------------------------------------------- comparison


@per_selection
def comparison(
    filters: Filters, kind: str | None = None, integration: str | None = None
) -> tuple[pd.DataFrame, dict[str, float | None]]:
    """Each alliance of the registry (of one kind and integration, None: every one) on the COMPARED
    indicators over the period, within the selected places and tiers, and the same indicators for all of
    them together.

    Returns (one row per alliance: code, name, kind, integration, members, one column per indicator code;
    {code: total}). Totals add the work of every alliance and count each town's residents once.
    """
    catalog = kpi.indicator_catalog()
    alliances = registry(filters, kind, integration)
    codes = [code for code in COMPARED if code != POSTED]
    facts = run_query("indicator_by_alliance", codes=codes, **filters.sql_params())
    facts = facts[facts["alliance_code"].isin(alliances["code"])]
    frame = alliances[["code", "name", "kind", "integration", "members"]].copy()
    for code in codes:
        rows = facts[facts["indicator_code"] == code]
        sums = dict(zip(rows["alliance_code"], zip(rows["numerator"], rows["denominator"], strict=True), strict=True))
        frame[code] = [_value(catalog[code], sums.get(alliance)) for alliance in frame["code"]]
    posted = posted_by_month(filters, filters.month_to, filters.month_to)
    per_alliance = posted.dropna(subset=["alliance_code"]).set_index("alliance_code")["per_10k"]
    frame[POSTED] = [per_alliance.get(code) for code in frame["code"]]

    totals: dict[str, float | None] = {}
    for code in codes:
        rows = facts[facts["indicator_code"] == code]
        indicator = catalog[code]
        if rows.empty:
            totals[code] = 0.0 if not indicator.is_rate else None
        else:
            totals[code] = ind.value(indicator, rows["numerator"].sum(), rows["denominator"].sum())
    everything = posted[posted["alliance_code"].isna()]
    totals[POSTED] = None if everything.empty else everything["per_10k"].iloc[0]
    return frame, totals


def _value(indicator: Indicator, sums: tuple[float, float] | None) -> float | None:
    """An alliance's value from its (numerator, denominator); a count without rows is 0 (no work
    recorded), a rate without rows undefined."""
    if sums is None:
        return None if indicator.is_rate else 0.0
    return ind.value(indicator, *sums)

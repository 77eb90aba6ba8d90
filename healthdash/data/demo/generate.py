"""Monthly facts of the demo: first as expected values (which calibrate.py may reshape), then drawn.

Every table is built on a grid of keys × months with numpy, never a loop per row. Expected values carry
the story: seasons, trends that differ between places (so rankings differ), policy effects; drawing
adds the noise; targets from calibration.csv then pin the published totals exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthdash.data.demo.calendar import MONTHS, N_MONTHS, T_YEARS, season
from healthdash.data.demo.places import shared_services
from healthdash.data.demo.targets import (
    Target,
    apply_floors,
    apply_rates,
    apply_shares,
    apply_sums,
    draw_counts,
    of_table,
)

PRIMARY_TIERS = ("township", "community", "village")
STREAMS = ("volume", "care", "activity", "shared", "public_health", "referral_cells", "referral_events", "income",
           "poverty", "serious_illness", "elderly_care",
           "workforce", "pathogen")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per table, so changing one table's logic leaves the others' data alone."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def grid(keys: pd.DataFrame) -> pd.DataFrame:
    """Every key row repeated for every month, with month index t (key-major order)."""
    out = keys.loc[keys.index.repeat(N_MONTHS)].reset_index(drop=True)
    out["t"] = np.tile(np.arange(N_MONTHS), len(keys))
    return out


def noise(rng: np.random.Generator, shape: tuple[int, ...], sd: float) -> np.ndarray:
    """Multiplicative noise with mean 1."""
    return np.exp(rng.normal(-sd * sd / 2, sd, shape))


def trend(growth: np.ndarray) -> np.ndarray:
    """(keys, months) compound growth from 2017-01 at the given yearly rates."""
    return (1 + np.asarray(growth))[:, None] ** T_YEARS[None, :]


def _county_effect(rng: np.random.Generator, counties: pd.Series, sd: float) -> np.ndarray:
    codes, index = np.unique(counties.to_numpy(dtype=str), return_inverse=True)
    return rng.normal(0, sd, len(codes))[index]


def _lookup(table: dict[tuple[str, str], float], tier: pd.Series, category: pd.Series) -> np.ndarray:
    return np.array([table.get((t, c), table.get((t, "*"), 0.0)) for t, c in zip(tier, category, strict=True)])


# Yearly visits per bed, discharges per bed, share of discharges critically ill, cost per discharge (元, 2017).
_VISITS_PER_BED = {("tertiary", "general"): 600, ("tertiary", "tcm"): 750, ("tertiary", "psychiatric"): 110,
                   ("county", "general"): 800, ("county", "tcm"): 900, ("county", "maternal_child"): 1500,
                   ("county", "psychiatric"): 120}
_DISCHARGES_PER_BED = {("tertiary", "general"): 35, ("tertiary", "tcm"): 30, ("tertiary", "psychiatric"): 8,
                       ("county", "general"): 40, ("county", "tcm"): 33, ("county", "maternal_child"): 50,
                       ("county", "psychiatric"): 8, ("township", "*"): 30, ("community", "*"): 15}
_CRITICAL_SHARE = {("tertiary", "general"): 0.06, ("tertiary", "tcm"): 0.02, ("county", "general"): 0.06,
                   ("county", "tcm"): 0.02, ("county", "maternal_child"): 0.03, ("tertiary", "psychiatric"): 0.01,
                   ("county", "psychiatric"): 0.01}
_COST_PER_DISCHARGE = {("tertiary", "*"): 12000, ("county", "general"): 6500, ("county", "tcm"): 5200,
                       ("county", "maternal_child"): 4200, ("county", "psychiatric"): 9000,
                       ("tertiary", "psychiatric"): 10000, ("township", "*"): 1900, ("community", "*"): 1700}
# Mean yearly growth of visits by tier: the policy pushes patients down to primary care, villages shrink.
_GROWTH = {"tertiary": 0.02, "county": 0.03, "township": 0.05, "community": 0.06, "village": -0.01}


def service_volume(geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    fac = geo[geo["in_scope"] & (geo["tier"] != "public_health")].reset_index(drop=True)
    n = len(fac)
    tier, category = fac["tier"], fac["category"]
    beds = fac["beds"].to_numpy(dtype=np.float64)
    town_pop = fac["town_population"].to_numpy()
    visits_year = np.select(
        [tier == "township", tier == "community", tier == "village"],
        [town_pop * rng.uniform(1.4, 2.6, n), town_pop * rng.uniform(1.0, 2.0, n), rng.uniform(4000, 12000, n)],
        beds * _lookup(_VISITS_PER_BED, tier, category) * rng.uniform(0.8, 1.2, n),
    )
    discharges_year = beds * _lookup(_DISCHARGES_PER_BED, tier, category) * rng.uniform(0.8, 1.2, n)
    county = _county_effect(rng, fac["county_code"], 0.015)
    growth = tier.map(_GROWTH).to_numpy() + county + rng.normal(0, 0.015, n)
    cost_growth = 0.04 + _county_effect(rng, fac["county_code"], 0.015)

    out = grid(fac[["code", "county_code", "tier"]].rename(columns={"code": "facility_code"}))
    shape = (n, N_MONTHS)
    visits = visits_year[:, None] / 12 * season("outpatient") * trend(growth) * noise(rng, shape, 0.05)
    discharges = discharges_year[:, None] / 12 * season("inpatient") * trend(growth * 0.8) * noise(rng, shape, 0.06)
    critical = discharges * _lookup(_CRITICAL_SHARE, tier, category)[:, None] * noise(rng, shape, 0.15)
    cost = _lookup(_COST_PER_DISCHARGE, tier, category)[:, None] * rng.uniform(0.85, 1.15, n)[:, None]
    out["outpatient_visits"] = visits.ravel()
    out["inpatient_discharges"] = discharges.ravel()
    out["critical_cases"] = critical.ravel()
    out["cost_per_discharge"] = (cost * trend(cost_growth) * noise(rng, shape, 0.03)).ravel()
    return out


def resident_care(region: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    counties = region[(region["level"] == "county") & region["in_scope"]].reset_index(drop=True)
    n = len(counties)
    urban = counties["urban"].to_numpy()
    pop = counties["population"].to_numpy(dtype=np.float64)
    frames = []
    for setting, per_resident, r0_rural, r0_urban, gain, cap, fund_in, fund_out in (
        ("outpatient", 5.5, (0.80, 0.90), (0.90, 0.95), 0.006, 0.965, 45.0, 90.0),
        ("inpatient", 0.19, (0.70, 0.84), (0.86, 0.92), 0.012, 0.95, 3600.0, 9500.0),
    ):
        keys = counties[["code"]].rename(columns={"code": "county_code"})
        keys["setting"] = setting
        frame = grid(keys)
        shape = (n, N_MONTHS)
        kind = "outpatient" if setting == "outpatient" else "inpatient"
        total = (pop * per_resident * rng.uniform(0.85, 1.15, n) / 12)[:, None] * season(kind)
        total = total * trend(rng.normal(0.02, 0.01, n)) * noise(rng, shape, 0.04)
        r0 = np.where(urban, rng.uniform(*r0_urban, n), rng.uniform(*r0_rural, n))
        retention = np.minimum(r0[:, None] + gain * rng.uniform(0.5, 1.5, n)[:, None] * T_YEARS[None, :], cap)
        retention = np.clip(retention + rng.normal(0, 0.004, shape), 0.5, 0.995)
        frame["visits_in_county"] = (total * retention).ravel()
        frame["visits_out_of_county"] = (total * (1 - retention)).ravel()
        price = trend(np.full(n, 0.04))
        frame["fund_in_per_visit"] = (fund_in * price * noise(rng, shape, 0.03)).ravel()
        frame["fund_out_per_visit"] = (fund_out * price * noise(rng, shape, 0.03)).ravel()
        frames.append(frame)
    care = pd.concat(frames, ignore_index=True)
    # Primary care's share of the in-county fund (drawn last, so the streams above keep their seeds):
    # most outpatient money, a small part of inpatient money.
    outpatient_share = dict(zip(counties["code"], rng.uniform(0.35, 0.55, n), strict=True))
    inpatient_share = dict(zip(counties["code"], rng.uniform(0.10, 0.22, n), strict=True))
    care["primary_share"] = np.where(care["setting"] == "outpatient", care["county_code"].map(outpatient_share),
                                     care["county_code"].map(inpatient_share)).astype(np.float64)
    return care


def _member_months(world: dict[str, pd.DataFrame], geo: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    """(alliance, member facility) pairs of the given kinds, one row per month since the member joined."""
    members = world["alliance_member"].merge(world["alliance"], left_on="alliance_code", right_on="code")
    members = members[(members["role"] == "member") & members["kind"].isin(kinds)]
    members = members.merge(geo[["code", "tier", "county_code", "city_code"]], left_on="facility_code", right_on="code",
                            suffixes=("", "_f"))
    keys = members[["alliance_code", "facility_code", "tier", "county_code", "city_code", "integration", "kind",
                    "joined", "founded"]].reset_index(drop=True)
    out = grid(keys)
    joined = pd.to_datetime(out["joined"]).dt.to_period("M")
    start = (joined.dt.year - 2017) * 12 + joined.dt.month - 1
    founded = pd.to_datetime(out["founded"]).dt.to_period("M")
    out["years_in"] = (out["t"] - ((founded.dt.year - 2017) * 12 + founded.dt.month - 1)) / 12
    return out[out["t"] >= start].reset_index(drop=True)


# Monthly rates at a tight alliance's member; loose alliances do about half.
_ACTIVITY = {"staff_sent": 1.0, "expert_clinic_sessions": 2.0, "teaching_rounds": 1.0, "lectures": 0.7,
             "surgery_demos": 0.35, "trainees_sent_up": 0.25, "new_techniques": 0.06}
_STAFF_ROLES = ("doctors_sent", "nurses_sent", "pharmacists_sent", "technicians_sent")
_STAFF_SHARES = np.array([0.55, 0.25, 0.08, 0.12])


def alliance_activity(world: dict[str, pd.DataFrame], geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = _member_months(world, geo, ("city_group", "county_community", "specialty"))
    n = len(out)
    tight = np.where(out["integration"] == "tight", 1.0, 0.45)
    member_factor = np.exp(rng.normal(0, 0.3, out["facility_code"].nunique()))
    level = member_factor[pd.factorize(out["facility_code"])[0]] * tight
    growth = 1.08 ** np.clip(out["years_in"].to_numpy(), 0, None)
    flat = season("flat")[out["t"].to_numpy()]
    for column, rate in _ACTIVITY.items():
        out[column] = rate * level * growth * flat * noise(rng, (n,), 0.2)
    primary = out["tier"].isin(PRIMARY_TIERS).to_numpy()
    # Physicians posted for 6+ months only reach primary facilities of tight alliances, building up over 3 years.
    posted = np.where(primary & (tight == 1.0), 1.6 * level * np.clip(out["years_in"].to_numpy() / 3, 0, 1), 0.0)
    out["posted_physicians"] = posted
    return out


# Per member and month: remote cases, share reviewed by the centre, whether films are graded.
_SERVICES = {"imaging": (25.0, 0.5, True), "ecg": (40.0, 0.3, False), "pathology": (3.0, 1.0, False), "lab": (450.0, 0.0, False)}


def shared_service(world: dict[str, pd.DataFrame], geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    base = _member_months(world, geo, ("telemedicine", "county_community"))
    base = base[base["tier"].isin(["township", "community"])]
    alliance = world["alliance"]
    services = {code: shared_services(name, kind, integration)
                for code, name, kind, integration in alliance[["code", "name", "kind", "integration"]].itertuples(index=False)}
    frames = [base[base["alliance_code"].map(lambda code, s=service: s in services[code])].assign(service=service)
              for service in _SERVICES]
    out = pd.concat(frames, ignore_index=True)
    n = len(out)
    years = np.clip(out["years_in"].to_numpy(), 0, None)
    ramp = np.clip(years * 2, 0.2, 1.0)  # half a year to get going
    cases = out["service"].map({k: v[0] for k, v in _SERVICES.items()}).to_numpy()
    out["remote_cases"] = cases * ramp * 1.10**years * noise(rng, (n,), 0.25)
    out["review_share"] = out["service"].map({k: v[1] for k, v in _SERVICES.items()}).to_numpy()
    out["graded"] = out["service"].map({k: v[2] for k, v in _SERVICES.items()}).to_numpy()
    # Quality climbs from a start to a plateau over two years after the alliance is founded.
    codes, index = np.unique(out["alliance_code"].to_numpy(dtype=str), return_inverse=True)
    start, plateau = rng.uniform(0.60, 0.78, len(codes))[index], rng.uniform(0.86, 0.94, len(codes))[index]
    progress = np.clip(years / 2, 0, 1)
    out["concordance"] = np.clip(start + (plateau - start) * progress + rng.normal(0, 0.02, n), 0.05, 0.99)
    a_start, a_plateau = rng.uniform(0.45, 0.60, len(codes))[index], rng.uniform(0.66, 0.80, len(codes))[index]
    out["grade_a_rate"] = np.clip(a_start + (a_plateau - a_start) * progress + rng.normal(0, 0.02, n), 0.05, 0.99)
    return out


def public_health(region: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Town × month × indicator numerators and denominators (conventions: see data/indicators.csv)."""
    towns = region[(region["level"] == "town") & region["in_scope"]].reset_index(drop=True)
    n = len(towns)
    shape = (n, N_MONTHS)
    pop = towns["population"].to_numpy(dtype=np.float64)
    col = {c: towns[c].to_numpy(dtype=np.float64) for c in ("pop_65plus", "pop_children_1_7", "pop_women_35_64", "pop_key_groups")}
    years = T_YEARS[None, :]
    county = towns["parent_code"]

    def rising(start: tuple[float, float], per_year: tuple[float, float], cap: float, sd: float = 0.004) -> np.ndarray:
        level = rng.uniform(*start, n)[:, None] + _county_effect(rng, county, 0.03)[:, None]
        return np.clip(level + rng.uniform(*per_year, n)[:, None] * years + rng.normal(0, sd, shape), 0.02, cap)

    def const(values: np.ndarray) -> np.ndarray:
        return np.repeat(values[:, None], N_MONTHS, axis=1)

    # Screening and elderly checks run as campaigns in spring and autumn.
    campaign = np.array([0.5, 0.4, 1.1, 1.4, 1.4, 1.2, 0.9, 0.8, 1.2, 1.3, 1.1, 0.7])[MONTHS.month - 1][None, :]

    def in_campaign(rate: np.ndarray) -> np.ndarray:
        return np.minimum(rate * campaign, 1.0)

    hpv_start = rng.uniform(2019.5, 2022.5, len(np.unique(county)))[pd.factorize(county)[0]]
    hpv_on = (np.asarray(MONTHS.year + (MONTHS.month - 1) / 12)[None, :] >= hpv_start[:, None]).astype(float)
    couples = pop[:, None] * rng.uniform(0.0002, 0.0005, n)[:, None] * noise(rng, shape, 0.2)
    htn_patients = const(pop * rng.uniform(0.045, 0.075, n)) * (1.015 ** years)
    due = const(col["pop_children_1_7"] * 0.32 / 12) * noise(rng, shape, 0.08)

    # Yearly programmes: a month's numerator is its share of the year's rate (campaign months weigh more);
    # denominators are the target population, a stock (year-to-date and rolling coverage read it at the
    # period's last month).
    def monthly_share(yearly: np.ndarray) -> np.ndarray:
        return in_campaign(yearly) / 12

    pop_60plus = const(np.rint(col["pop_65plus"] * rng.uniform(1.30, 1.45, n)))
    indicators: dict[str, tuple[np.ndarray, np.ndarray | None]] = {
        "fd_coverage": (rising((0.32, 0.50), (0.020, 0.040), 0.85), const(pop)),
        "fd_key_pop_coverage": (rising((0.55, 0.72), (0.025, 0.045), 0.95), const(col["pop_key_groups"])),
        "child_immunization_rate": (rising((0.84, 0.97), (0.001, 0.005), 0.995, 0.01), np.rint(due)),
        "hpv_first_doses": (pop[:, None] * rng.uniform(0.001, 0.006, n)[:, None] * hpv_on * 1.1**years, None),
        # About a tenth of the women screened a year: five-year coverage near the 50% goal, rising.
        "cervical_screening_rate": (monthly_share(rising((0.06, 0.11), (0.003, 0.008), 0.19, 0.004)), const(col["pop_women_35_64"])),
        "breast_screening_rate": (monthly_share(rising((0.12, 0.22), (0.005, 0.012), 0.45, 0.006)), const(col["pop_women_35_64"])),
        "elderly_health_mgmt_rate": (monthly_share(rising((0.45, 0.68), (0.01, 0.03), 0.95, 0.01)), const(col["pop_65plus"])),
        "elderly_60plus_check_rate": (monthly_share(rising((0.30, 0.50), (0.01, 0.03), 0.90, 0.01)), pop_60plus),
        "htn_std_mgmt_rate": (rising((0.55, 0.68), (0.010, 0.020), 0.88), np.rint(htn_patients)),
        "t2dm_std_mgmt_rate": (rising((0.50, 0.65), (0.010, 0.020), 0.85), np.rint(const(pop * rng.uniform(0.015, 0.028, n)) * 1.02**years)),
        "htn_bp_control_rate": (rising((0.42, 0.55), (0.010, 0.020), 0.80), np.rint(htn_patients)),
        "ehr_coverage": (rising((0.72, 0.86), (0.005, 0.015), 0.96), const(pop)),
        "premarital_checks": (couples, None),
        "prepregnancy_checks": (couples * rng.uniform(0.5, 0.9, n)[:, None], None),
        "fd_teams": (const(pop / 1800) * (0.8 + 0.05 * years), None),
    }
    # The monitoring set's additions (drawn last, so the figures above keep their random streams): managed
    # chronic patients admitted ~12% a year, falling; crude NCD deaths at 30–69 ~0.4% a year; village clinics
    # (about one per 1,500 residents) with a linked ECG device, rising towards full coverage.
    chronic_patients = htn_patients + const(pop * rng.uniform(0.015, 0.028, n)) * 1.02**years
    pop_30_69 = const(np.rint(pop * rng.uniform(0.50, 0.58, n)))
    villages = const(np.maximum(np.rint(pop / 1500), 1))
    indicators |= {
        "chronic_mgmt_admission_rate": (
            (rng.uniform(0.10, 0.15, n)[:, None] * 0.97**years * noise(rng, shape, 0.1)) / 12, np.rint(chronic_patients)),
        "ncd_premature_mortality": (
            (rng.uniform(0.0035, 0.0050, n)[:, None] * 0.98**years * noise(rng, shape, 0.15)) / 12, pop_30_69),
        "ecg_village_coverage": (np.rint(rising((0.15, 0.40), (0.03, 0.07), 1.0, 0.0) * villages) / villages, villages),
    }
    frames = []
    keys = towns[["code", "parent_code"]].rename(columns={"code": "town_code", "parent_code": "county_code"})
    for code, (value, denominator) in indicators.items():
        frame = grid(keys)
        frame["indicator_code"] = code
        # Rates are generated as rates and stored as numerators; counts are the numerator itself.
        frame["numerator"] = (value if denominator is None else value * denominator).ravel()
        frame["denominator"] = np.nan if denominator is None else denominator.ravel()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def staff_income(region: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The yearly staff-income report of every county (reported in December): the lead hospital's average
    income grows about 5% a year, primary care's catches up from 55–80% of it by a point or two a year (the
    community's pay reform), urban counties paying more."""
    counties = region[(region["level"] == "county") & region["in_scope"]].reset_index(drop=True)
    n = len(counties)
    years = np.arange(MONTHS[0].year, MONTHS[-1].year + 1)
    elapsed = (years - years[0])[None, :]
    lead = np.where(counties["urban"].to_numpy(), 165_000.0, 128_000.0) * rng.uniform(0.9, 1.1, n)
    lead = lead[:, None] * (1 + rng.normal(0.05, 0.01, n))[:, None] ** elapsed * noise(rng, (n, len(years)), 0.02)
    ratio = rng.uniform(0.55, 0.80, n)[:, None] + rng.uniform(0.005, 0.025, n)[:, None] * elapsed
    ratio = np.clip(ratio + rng.normal(0, 0.01, (n, len(years))), 0.4, 0.98)
    return pd.DataFrame({
        "county_code": np.repeat(counties["code"].to_numpy(), len(years)),
        "month": np.tile([pd.Timestamp(year, 12, 1) for year in years], n),
        "primary_avg_income": np.round(lead * ratio, -1).ravel(),
        "lead_avg_income": np.round(lead, -1).ravel(),
    })


def expected_facts(world: dict[str, pd.DataFrame], geo: pd.DataFrame, rngs: dict[str, np.random.Generator]) -> dict[str, pd.DataFrame]:
    """Expected values of every fact table except referrals (see referrals.py)."""
    return {
        "service_volume": service_volume(geo, rngs["volume"]),
        "resident_care": resident_care(world["region"], rngs["care"]),
        "alliance_activity": alliance_activity(world, geo, rngs["activity"]),
        "shared_service": shared_service(world, geo, rngs["shared"]),
        "public_health": public_health(world["region"], rngs["public_health"]),
    }


def _month(t: pd.Series) -> np.ndarray:
    return MONTHS[t.to_numpy()].to_numpy()


def realise(raw: dict[str, pd.DataFrame], targets: list[Target], rngs: dict[str, np.random.Generator]) -> dict[str, pd.DataFrame]:
    """Whole numbers from expected values, hitting every target; returns the tables as schema.sql names them."""
    return {
        "service_volume": _realise_volume(raw["service_volume"], of_table(targets, "service_volume")),
        "resident_care": _realise_care(raw["resident_care"], of_table(targets, "resident_care")),
        "alliance_activity": _realise_activity(raw["alliance_activity"], of_table(targets, "alliance_activity"), rngs["activity"]),
        "shared_service": _realise_shared(raw["shared_service"], of_table(targets, "shared_service"), rngs["shared"]),
        "public_health": _realise_public_health(raw["public_health"], of_table(targets, "public_health")),
    }


def _realise_volume(raw: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    df = raw.copy()
    columns = ("outpatient_visits", "inpatient_discharges", "critical_cases")
    for column in columns:
        df[column] = np.rint(df[column])
    apply_sums(df, targets, columns, None)
    return pd.DataFrame({
        "facility_code": df["facility_code"],
        "month": _month(df["t"]),
        **{column: df[column].astype(np.int64) for column in columns},
        "inpatient_spending": np.round(df["inpatient_discharges"] * df["cost_per_discharge"], 2),
    })


def _realise_care(raw: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    df = raw.copy()
    for column in ("visits_in_county", "visits_out_of_county"):
        df[column] = np.rint(df[column])
    apply_sums(df, targets, ("visits_in_county", "visits_out_of_county"), None)
    apply_shares(df, targets)
    fund_out = np.round(df["visits_out_of_county"] * df["fund_out_per_visit"], 2)
    fund_in = np.round(df["visits_in_county"] * df["fund_in_per_visit"], 2)
    return pd.DataFrame({
        "county_code": df["county_code"],
        "month": _month(df["t"]),
        "setting": df["setting"],
        "visits_in_county": df["visits_in_county"].astype(np.int64),
        "visits_out_of_county": df["visits_out_of_county"].astype(np.int64),
        "fund_in_county": fund_in,
        "fund_out_of_county": fund_out,
        # Patients pay the rest: out-of-county care is reimbursed at a lower rate (about 55%).
        "spending_out_of_county": np.round(fund_out / 0.55, 2),
        "fund_primary": np.round(fund_in * df["primary_share"], 2),
    })


def _realise_activity(raw: pd.DataFrame, targets: list[Target], rng: np.random.Generator) -> pd.DataFrame:
    df = raw.copy()
    draw_counts(df, targets, tuple(_ACTIVITY), rng)
    staff = rng.multinomial(df["staff_sent"].to_numpy(dtype=np.int64), _STAFF_SHARES)
    out = pd.DataFrame({"alliance_code": df["alliance_code"], "facility_code": df["facility_code"], "month": _month(df["t"])})
    for i, role in enumerate(_STAFF_ROLES):
        out[role] = staff[:, i]
    out["posted_physicians"] = np.rint(df["posted_physicians"]).astype(np.int64)
    for column in _ACTIVITY:
        if column != "staff_sent":
            out[column] = df[column].astype(np.int64)
    return out


def _realise_shared(raw: pd.DataFrame, targets: list[Target], rng: np.random.Generator) -> pd.DataFrame:
    df = raw.copy()
    draw_counts(df, targets, ("remote_cases",), rng)
    remote = df["remote_cases"].to_numpy(dtype=np.int64)
    df["cases_reviewed"] = rng.binomial(remote, df["review_share"].to_numpy())
    df["concordant"] = rng.binomial(df["cases_reviewed"].to_numpy(), df["concordance"].to_numpy())
    df["films_graded"] = np.where(df["graded"], df["cases_reviewed"], 0)
    df["grade_a_films"] = rng.binomial(df["films_graded"].to_numpy(), df["grade_a_rate"].to_numpy())
    apply_rates(df, targets)
    columns = ("remote_cases", "cases_reviewed", "concordant", "films_graded", "grade_a_films")
    return pd.DataFrame({
        "alliance_code": df["alliance_code"], "facility_code": df["facility_code"], "month": _month(df["t"]),
        "service": df["service"], **{column: df[column].astype(np.int64) for column in columns},
    })


def _realise_public_health(raw: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    df = raw.copy()
    df["numerator"] = np.rint(df["numerator"])
    apply_sums(df, targets, ("numerator",), None)
    apply_floors(df, targets)
    return pd.DataFrame({
        "town_code": df["town_code"], "month": _month(df["t"]), "indicator_code": df["indicator_code"],
        "numerator": df["numerator"].astype(np.float64), "denominator": df["denominator"],
    })

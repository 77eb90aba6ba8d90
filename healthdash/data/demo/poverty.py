"""防止因病返贫 and 医养结合 in the demo (issue 26): the towns' monthly reports of their monitored population,
serious-illness treatment and elderly-care beds.

The 自贡 report's 2018 task is reproduced exactly from calibration.csv: the households and people out of
poverty in 2018 add up to it, and the city's village clinics up to the standard rise by its count over
2018. 六安's townships all have elderly-care beds from 2022 on (its report of 2023); elsewhere some towns
still have none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthdash.data.columns import ILLNESSES_ADDED_2018, SERIOUS_ILLNESSES
from healthdash.data.demo.calendar import MONTHS, N_MONTHS, YEARS, season
from healthdash.data.demo.targets import allocate

# calibration.csv measures this module reproduces itself (calibrate.py leaves them to it).
MEASURES = ("poverty_exit_task_households", "poverty_exit_task_people", "poor_village_clinics_to_standard_task",
            "elderly_care_town_coverage")
_PEOPLE_PER_HOUSEHOLD = 2.7
_MONTH_OF_YEAR = np.asarray(MONTHS.month)


def _towns(region: pd.DataFrame) -> pd.DataFrame:
    """In-scope towns with their county, city and whether the county is urban."""
    county = region[region["level"] == "county"].set_index("code")
    towns = region[(region["level"] == "town") & region["in_scope"]].reset_index(drop=True).copy()
    towns["city_code"] = towns["parent_code"].map(county["parent_code"])
    towns["county_urban"] = towns["parent_code"].map(county["urban"]).astype(bool)
    return towns


def _task(calibration: pd.DataFrame, region: pd.DataFrame, measure: str) -> tuple[str, int, np.ndarray] | None:
    """(city code, value, months mask) of a city's calibration row for `measure`, or None."""
    rows = calibration[calibration["measure"] == measure]
    if rows.empty:
        return None
    row = rows.iloc[0]
    city = region.loc[(region["name"] == row["place"]) & (region["level"] == "city"), "code"].item()
    period = (MONTHS >= pd.Timestamp(row["period_from"] + "-01")) & (MONTHS <= pd.Timestamp(row["period_to"] + "-01"))
    return str(city), int(round(float(row["value"]))), np.asarray(period)


def poverty_monitoring(region: pd.DataFrame, facility: pd.DataFrame, calibration: pd.DataFrame,
                       rng: np.random.Generator) -> pd.DataFrame:
    """One row per town and month: the monitored population, contracts, exits, inpatient bills and the
    village clinics. Exits run until 2020 (脱贫攻坚), then a few 监测对象 a month have their risk removed."""
    towns = _towns(region)
    n = len(towns)
    share = np.where(towns["county_urban"], rng.uniform(0.004, 0.015, n), rng.uniform(0.03, 0.07, n))
    people0 = np.rint(towns["population"].to_numpy() * share)
    # New 监测对象 join slowly after 2020; the stock of 脱贫人口 stays (people who left poverty stay monitored).
    growth = 1 + np.clip(YEARS - 2020, 0, None)[None, :] * rng.uniform(0.004, 0.012, n)[:, None]
    people = np.rint(people0[:, None] * growth).astype(np.int64)
    households = np.rint(people / (_PEOPLE_PER_HOUSEHOLD * rng.uniform(0.93, 1.07, n))[:, None]).astype(np.int64)

    # Contract coverage of the monitored: ramps up to 2019, then holds near each town's own level.
    final = rng.uniform(0.83, 0.995, n)
    start = rng.uniform(0.55, 0.78, n)
    ramp = np.clip((np.arange(N_MONTHS) - 0) / 30.0, 0, 1)[None, :]
    coverage = start[:, None] + (final - start)[:, None] * ramp + rng.normal(0, 0.004, (n, N_MONTHS))
    contracted = np.minimum(np.rint(people * np.clip(coverage, 0, 1)), people).astype(np.int64)

    # Exits: most of the poor leave in 2017–2019; each town's yearly exits in proportion to its monitored people.
    yearly_share = {2017: 0.22, 2018: 0.30, 2019: 0.22, 2020: 0.08}
    exited_people = np.zeros((n, N_MONTHS), dtype=np.int64)
    weights = people0[:, None] * rng.uniform(0.5, 1.5, (n, N_MONTHS)) * season("flat")[None, :]
    for year, part in yearly_share.items():
        months = YEARS == year
        total = int(people0.sum() * part)
        exited_people[:, months] = allocate(total, weights[:, months].ravel()).reshape(n, months.sum())
    after = YEARS > 2020
    exited_people[:, after] = rng.poisson(np.maximum(people0, 1)[:, None] * 0.0008, (n, int(after.sum())))
    task = _task(calibration, region, "poverty_exit_task_people")
    if task is not None:
        city, total, period = task
        mask = (towns["city_code"] == city).to_numpy()[:, None] & period[None, :]
        exited_people[mask] = allocate(total, weights[mask])
    exited_households = np.minimum(np.floor(exited_people / _PEOPLE_PER_HOUSEHOLD + rng.uniform(0, 1, (n, N_MONTHS))),
                                   exited_people).astype(np.int64)
    task = _task(calibration, region, "poverty_exit_task_households")
    if task is not None:
        city, total, period = task
        mask = (towns["city_code"] == city).to_numpy()[:, None] & period[None, :]
        exited_households[mask] = np.minimum(allocate(total, exited_people[mask]), exited_people[mask])
        # Households capped at people may fall short of the total: the rest go where people allow.
        short = total - int(exited_households[mask].sum())
        room = exited_people[mask] - exited_households[mask]
        exited_households[mask] += allocate(short, room) if short > 0 else 0

    # Inpatient bills: about 1.1% of the monitored admitted a month at ~6,000 元; the part paid out of pocket
    # falls from a fifth to about a tenth by 2019 (健康扶贫), then drifts back up a little in the transition.
    bills = people * rng.uniform(0.008, 0.014, n)[:, None] * rng.uniform(5000, 7500, n)[:, None]
    bills = np.round(bills * season("inpatient")[None, :] * rng.lognormal(0, 0.08, (n, N_MONTHS)), -2)
    floor = rng.uniform(0.07, 0.125, n)
    years = np.arange(N_MONTHS) / 12.0
    oop_share = floor[:, None] + (rng.uniform(0.18, 0.24, n) - floor)[:, None] * np.exp(-years / 0.9)[None, :]
    oop_share = oop_share + np.clip(YEARS - 2021, 0, None)[None, :] * 0.002 + rng.normal(0, 0.006, (n, N_MONTHS))
    out_of_pocket = np.round(bills * np.clip(oop_share, 0.02, 0.6), -1)

    # Village clinics: the demo's village clinics of the town; the clinics below the standard are fixed by
    # 2020, except one clinic in a few towns still short today.
    clinics = towns["code"].map(facility[facility["tier"] == "village"].groupby("region_code").size()).fillna(0)
    clinics = clinics.to_numpy(dtype=np.int64)
    short0 = np.minimum(rng.binomial(clinics, 0.35), clinics)
    fixed_by = rng.integers(0, 42, n)  # months after 2017-01 by which the town's clinics are up to standard
    lagging = (rng.uniform(0, 1, n) < 0.06) & (clinics > 0)
    shortfall = np.where(np.arange(N_MONTHS)[None, :] < fixed_by[:, None], short0[:, None], 0)
    shortfall = np.maximum(shortfall, np.where(lagging, 1, 0)[:, None])
    task = _task(calibration, region, "poor_village_clinics_to_standard_task")
    if task is not None:
        city, total, period = task
        shortfall = _clinic_task(towns, clinics, shortfall, city, total, period, rng)
    standard = clinics[:, None] - np.minimum(shortfall, clinics[:, None])

    return pd.DataFrame({
        "town_code": np.repeat(towns["code"].to_numpy(), N_MONTHS),
        "month": np.tile(MONTHS.to_numpy(), n),
        "monitored_households": np.maximum(households, 1).ravel(),
        "monitored_people": people.ravel(),
        "contracted_people": contracted.ravel(),
        "households_exited": exited_households.ravel(),
        "people_exited": exited_people.ravel(),
        "inpatient_spending": bills.ravel(),
        "out_of_pocket": np.minimum(out_of_pocket, bills).ravel(),
        "village_clinics": np.repeat(clinics, N_MONTHS),
        "village_clinics_standard": standard.ravel(),
    })


def _clinic_task(towns: pd.DataFrame, clinics: np.ndarray, shortfall: np.ndarray, city: str, total: int,
                 period: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The city's clinics short of the standard before the period, `total` of them brought up during it
    (a few a month), the rest of the shortfall cleared the year after."""
    mine = np.flatnonzero((towns["city_code"] == city).to_numpy() & (clinics > 0))
    first, last = int(np.flatnonzero(period)[0]), int(np.flatnonzero(period)[-1])
    fixed = allocate(total, clinics[mine].astype(np.float64))
    fixed = np.minimum(fixed, clinics[mine])
    while (missing := total - int(fixed.sum())) > 0:  # towns too small for their share pass it on
        room = clinics[mine] - fixed
        fixed += np.minimum(allocate(missing, room.astype(np.float64)), room)
    remaining = np.minimum(rng.binomial(clinics[mine] - fixed, 0.15), clinics[mine] - fixed)
    out = shortfall.copy()
    months = np.arange(N_MONTHS)
    for row, town in enumerate(mine):
        done = np.sort(rng.integers(first, last + 1, fixed[row]))  # the month each of its clinics passed
        still = fixed[row] - np.searchsorted(done, months, side="right")
        out[town] = np.where(months < first, fixed[row], still) + np.where(months <= last + 12, remaining[row], 0)
    return out


def serious_illness(poverty: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per town, month and disease group covered then: this year's cases so far and those treated.
    New cases come at about 0.3% of the monitored a year; most are treated within a month or two."""
    people = poverty.pivot(index="town_code", columns="month", values="monitored_people")
    towns, n = people.index.to_numpy(), len(people)
    weights = {"child_heart": 0.05, "child_leukemia": 0.03, "esophageal": 0.10, "gastric": 0.12,
               "colorectal": 0.08, "renal": 0.10, "mental": 0.12, "mdr_tb": 0.03, "lung": 0.16, "breast": 0.07,
               "cervical": 0.07, "child_cancer": 0.02, "pneumoconiosis": 0.03, "other": 0.02}
    backlog = rng.uniform(0.01, 0.10, n)  # share of a town's cases still waiting at month end
    frames = []
    for code, _zh, _en in SERIOUS_ILLNESSES:
        covered = MONTHS.year >= (2018 if code in ILLNESSES_ADDED_2018 else 2017)
        if code == "other":
            covered = MONTHS.year >= 2019
        rate = people.to_numpy() * 0.003 / 12 * weights[code]
        new = rng.poisson(rate) * covered[None, :]
        cases = np.zeros_like(new)
        for year in np.unique(YEARS):
            months = YEARS == year
            cases[:, months] = np.cumsum(new[:, months], axis=1)
        waiting = rng.binomial(cases, np.clip(backlog[:, None] + rng.normal(0, 0.02, cases.shape), 0, 1))
        frame = pd.DataFrame({
            "town_code": np.repeat(towns, N_MONTHS), "month": np.tile(MONTHS.to_numpy(), n), "disease": code,
            "cases": cases.ravel(), "treated": (cases - waiting).ravel(), "covered": np.tile(covered, n),
        })
        frames.append(frame[frame["covered"]].drop(columns="covered"))
    return pd.concat(frames, ignore_index=True)


def elderly_care(region: pd.DataFrame, calibration: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per town, month and setting. A town's health centre opens elderly-care beds in a month of its
    own (before: a reported 0), a nursing home under contract in about half the towns; in the city of the
    calibration row every town has beds by the row's period, elsewhere about one town in eight never does."""
    towns = _towns(region)
    n = len(towns)
    opens = rng.integers(0, N_MONTHS + 6, n)  # months after 2017-01; beyond the series: never
    mine = np.zeros(n, dtype=bool)
    task = _task(calibration, region, "elderly_care_town_coverage")
    if task is not None:
        city, _value, period = task
        first = int(np.flatnonzero(period)[0])
        mine = (towns["city_code"] == city).to_numpy()
        opens = np.where(mine, np.minimum(opens, rng.integers(0, max(first - 12, 1), n)), opens)
    never = ~mine & (rng.uniform(0, 1, n) < 0.12)
    opens = np.where(never, N_MONTHS + 1, opens)
    months = np.arange(N_MONTHS)[None, :]
    open_now = months >= opens[:, None]
    centre_beds = np.where(open_now, rng.integers(1, 5, n)[:, None] * 10, 0)
    nursing = (rng.uniform(0, 1, n) < 0.5) & ~never
    home_open = open_now & (months >= (opens + rng.integers(3, 24, n))[:, None]) & nursing[:, None]
    home_beds = np.where(home_open, rng.integers(2, 7, n)[:, None] * 10, 0)
    frames = []
    for setting, beds, reported in (("health_centre", centre_beds, np.ones_like(open_now)),
                                    ("nursing_home", home_beds, home_open)):
        occupancy = np.clip(rng.uniform(0.5, 0.88, n)[:, None] + rng.normal(0, 0.04, beds.shape), 0, 1)
        residents = np.minimum(np.rint(beds * occupancy), beds).astype(np.int64)
        admissions = rng.poisson(residents * 0.06)
        frame = pd.DataFrame({
            "town_code": np.repeat(towns["code"].to_numpy(), N_MONTHS), "month": np.tile(MONTHS.to_numpy(), n),
            "setting": setting, "beds": beds.ravel().astype(np.int64), "residents": residents.ravel(),
            "admissions": admissions.ravel(), "reported": reported.ravel().astype(bool),
        })
        frames.append(frame[frame["reported"]].drop(columns="reported"))
    return pd.concat(frames, ignore_index=True)

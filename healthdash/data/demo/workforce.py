"""The demo's licensing registers and pathogen identification network (issue 26).

Registered staff (智慧卫监: 执业医师/护士电子注册, 乡村医生执业注册) are stocks per facility and month, growing a
few percent a year, with village doctors getting their licences over the years. Two township centres lose
their physicians from the register in the last quarter while still admitting patients, and one member of a
shared-service centre its technicians: data-quality flags the rules of data/validation_rules.csv find.
The pathogen network (自贡, seed report 000) is its CDC laboratory and six district and county CDCs sending
cases, more in the winter respiratory season, identified more often and faster as the network matures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthdash.data.demo.calendar import MONTH_OF_YEAR, MONTHS, N_MONTHS, T_YEARS
from healthdash.data.demo.places import PATHOGEN_NETWORK

# Staff per bed (or per facility where beds are none) by tier: (physicians, nurses, technicians) per bed and
# a floor of each per facility.
_PER_BED = {"tertiary": (0.40, 0.60, 0.07), "county": (0.38, 0.48, 0.07), "township": (0.30, 0.25, 0.03),
            "community": (0.25, 0.30, 0.03), "village": (0.0, 0.0, 0.0), "public_health": (0.0, 0.0, 0.0)}
_FLOOR = {"tertiary": (0, 0, 0), "county": (0, 0, 0), "township": (7, 4, 2), "community": (8, 6, 2),
          "village": (0, 0, 0), "public_health": (24, 6, 14)}
_GROWTH = {"tertiary": 0.03, "county": 0.035, "township": 0.04, "community": 0.04, "village": 0.0,
           "public_health": 0.02}
# The last quarter, in which the demo's register gaps show.
_GAP_FROM = N_MONTHS - 3


def workforce_register(geo: pd.DataFrame, world: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """facility × month: physicians, nurses, technicians, village doctors and those licensed (month-end)."""
    fac = geo[geo["in_scope"]].sort_values("code").reset_index(drop=True)
    n = len(fac)
    tier = fac["tier"]
    beds = fac["beds"].to_numpy(dtype=np.float64)
    per_bed = np.array([_PER_BED[t] for t in tier])
    floor = np.array([_FLOOR[t] for t in tier], dtype=np.float64)
    growth = (1 + tier.map(_GROWTH).to_numpy(dtype=np.float64)[:, None] + rng.normal(0, 0.008, (n, 1))) ** T_YEARS
    base = np.maximum(beds[:, None] * per_bed, floor) * rng.uniform(0.85, 1.15, (n, 1))
    staff = np.rint(base[:, :, None] * growth[:, None, :])  # (facility, role, month)
    # Village clinics: one to three village doctors, each licensed from a month of their own (most by 2025).
    village = (tier == "village").to_numpy()
    doctors = np.where(village, rng.integers(1, 4, n), 0)
    licensed_from = rng.uniform(-386, 128, (n, 3))  # about 75% licensed in 2017, 96% by the end of 2025
    slots = np.arange(3)[None, :, None] < doctors[:, None, None]
    licensed = (slots & (licensed_from[:, :, None] <= np.arange(N_MONTHS)[None, None, :])).sum(axis=1)
    # Register gaps (see the module's docstring), chosen by code so that a rebuild picks the same ones.
    townships = fac.index[tier.eq("township")].to_numpy()
    no_physician = rng.choice(townships, 2, replace=False)
    staff[no_physician, 0, _GAP_FROM:] = 0
    served = _shared_members(world)
    readers = fac.index[fac["code"].isin(served) & tier.isin(["township", "community"])].to_numpy()
    no_technician = rng.choice(np.setdiff1d(readers, no_physician), 1)
    staff[no_technician, 2, _GAP_FROM:] = 0
    return pd.DataFrame({
        "facility_code": np.repeat(fac["code"].to_numpy(), N_MONTHS),
        "month": np.tile(MONTHS.to_numpy(), n),
        "physicians": staff[:, 0, :].ravel().astype(np.int64),
        "nurses": staff[:, 1, :].ravel().astype(np.int64),
        "technicians": staff[:, 2, :].ravel().astype(np.int64),
        "village_doctors": np.repeat(doctors, N_MONTHS).astype(np.int64),
        "village_doctors_licensed": licensed.ravel().astype(np.int64),
    })


def _shared_members(world: dict[str, pd.DataFrame]) -> set[str]:
    """Members of the alliances whose centres read imaging for them (telemedicine networks, county communities)."""
    alliance = world["alliance"]
    kinds = alliance.loc[alliance["kind"].isin(["telemedicine", "county_community"])
                         & alliance["name"].ne(PATHOGEN_NETWORK), "code"]
    members = world["alliance_member"]
    return set(members.loc[members["alliance_code"].isin(kinds) & members["role"].eq("member"), "facility_code"])


# Respiratory and enteric seasons: more cases in winter and high summer.
_PATHOGEN_SEASON = np.array([1.35, 1.15, 1.0, 0.9, 0.9, 1.0, 1.15, 1.2, 0.95, 0.85, 1.0, 1.3])


def pathogen_test(world: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """network × member × month: cases sent, identified, and the total hours to their reports."""
    alliance = world["alliance"]
    network = alliance.loc[alliance["name"].eq(PATHOGEN_NETWORK)]
    if network.empty:
        return pd.DataFrame(columns=["alliance_code", "facility_code", "month", "cases_sent", "cases_identified",
                                     "turnaround_hours"])
    code, founded = network["code"].iloc[0], pd.Timestamp(network["founded"].iloc[0])
    members = world["alliance_member"]
    members = members[members["alliance_code"].eq(code) & members["role"].eq("member")].reset_index(drop=True)
    n = len(members)
    start = (founded.year - MONTHS[0].year) * 12 + founded.month - 1
    months = np.arange(start, N_MONTHS)
    years_in = (months - start) / 12.0
    size = rng.uniform(18, 55, (n, 1))
    expected = size * _PATHOGEN_SEASON[MONTH_OF_YEAR[months] - 1][None, :] * 1.06 ** years_in[None, :]
    sent = rng.poisson(expected)
    # Identification climbs from about 80% to about 95% over three years; turnaround falls from ~72 to ~36 hours.
    progress = np.clip(years_in / 3, 0, 1)[None, :]
    share = np.clip(rng.uniform(0.76, 0.84, (n, 1)) + (rng.uniform(0.93, 0.97, (n, 1)) - 0.80) * progress, 0, 1)
    identified = rng.binomial(sent, share)
    hours = rng.uniform(64, 80, (n, 1)) - rng.uniform(30, 40, (n, 1)) * progress
    total = np.round(identified * hours * np.exp(rng.normal(0, 0.08, identified.shape)), 1)
    return pd.DataFrame({
        "alliance_code": code,
        "facility_code": np.repeat(members["facility_code"].to_numpy(), len(months)),
        "month": np.tile(MONTHS[months].to_numpy(), n),
        "cases_sent": sent.ravel().astype(np.int64),
        "cases_identified": identified.ravel().astype(np.int64),
        "turnaround_hours": total.ravel(),
    })

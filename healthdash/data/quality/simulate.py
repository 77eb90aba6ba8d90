"""The demo's reporting history, simulated: when each report came in, and a few gaps and errors for the
quality view to find, all in the second half of 2025, after every published figure the demo reproduces
(data/calibration.csv ends in mid-2024).

What is seeded (GAPS, OUTLIERS): a village clinic that opened in April 2025 and one that closed in June,
facilities and a town missing months, a township centre closed for renovation with an exception recorded,
two habitually late reporters, an extra zero (outpatient visits and HPV doses ×10), a negative correction
of discharges and films graded above cases reviewed. Facilities are picked by place and rank, never by
a random draw, so every seed shows the same story; delivery times are drawn from the seed. The receipts
say 'simulated', the exception's reason starts with （模拟）.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from healthdash.data.quality.units import unit_columns

SIMULATED_NOTE = ("演示数据的上报时间与以下缺报、逾期、异常均为模拟：2025年的机构开业与停业、缺报月份、装修停诊例外、"
                  "习惯性逾期、多录一个0、负数冲减、评级片数超过复核例数")
RECORDED_BY = "演示数据管理员"
_STREAM = 20  # this module's random stream, apart from the generator's (healthdash/data/demo/generate.py STREAMS)
_LATE_UNITS_SHARE = 0.08  # deliveries that come a few days after the county's batch


@dataclass(frozen=True)
class Pick:
    """A facility: the `rank`-th (0 first) of `tier` in the county `county`, in code order."""

    county: str
    tier: str
    rank: int = 0


# What goes missing: (facility or town pick, datasets, months). Towns are picked as their township centre's town.
OPENED = (Pick("450224", "village"), date(2025, 4, 15))          # 融安县: a new village clinic
CLOSED = (Pick("450222", "village"), date(2025, 6, 30))          # 柳城县: merged into its township centre
MISSING = (
    (Pick("511822", "township"), ("service_volume", "alliance_activity", "shared_service"), ("2025-10", "2025-11")),
    (Pick("410811", "community", 1), ("service_volume", "alliance_activity", "shared_service"), ("2025-12",)),
    (Pick("410822", "village", 2), ("service_volume",), ("2025-03", "2025-07", "2025-08")),
    (Pick("450222", "township", 1), ("alliance_activity",), ("2025-11",)),
)
MISSING_TOWN = (Pick("410821", "township", 1), ("2025-09",))     # 修武县: a town's public health
RENOVATION = (Pick("450224", "township", 2), ("2025-05", "2025-06"), "（模拟）院区改造停诊两个月")
HABITUALLY_LATE = (Pick("341522", "township", 3), Pick("341523", "village", 5))
EXTRA_ZERO = (Pick("450224", "township", 1), "outpatient_visits", "2025-08")
EXTRA_ZERO_TOWN = (Pick("410821", "township", 2), "hpv_first_doses", "2025-05")
NEGATIVE = (Pick("450222", "township", 2), "inpatient_discharges", "2025-06", -38)
FILMS_ABOVE_REVIEWED = ("410822", "2025-04", 12)  # 博爱县: films graded exceed cases reviewed by 12


def _month(text: str) -> np.datetime64:
    return np.datetime64(f"{text}-01", "ns")


def picked(tables: dict[str, pd.DataFrame], pick: Pick) -> tuple[str, str]:
    """(the picked facility's code, its region code: its town for primary care)."""
    facility, region = tables["facility"], tables["region"]
    county_of = region.set_index("code")["parent_code"].where(region.set_index("code")["level"] == "town")
    county = facility["region_code"].map(county_of).fillna(facility["region_code"])
    found = facility[(county == pick.county) & (facility["tier"] == pick.tier)].sort_values("code")
    row = found.iloc[pick.rank]
    return str(row["code"]), str(row["region_code"])


def _drop(frame: pd.DataFrame, column: str, code: str, months: list[np.datetime64]) -> pd.DataFrame:
    keep = ~((frame[column] == code) & pd.to_datetime(frame["month"]).isin(months))
    return frame[keep].reset_index(drop=True)


def _drop_referrals(referral: pa.Table, code: str, first: np.datetime64 | None, last: np.datetime64 | None,
                    months: list[np.datetime64] | None = None) -> pa.Table:
    """Referrals sent or received by `code` before `first`, after `last`, or sent in `months`."""
    day = pc.cast(referral["referral_date"], pa.timestamp("ns"))
    involved = pc.or_(pc.equal(referral["from_facility"], code), pc.equal(referral["to_facility"], code))
    outside = pa.array([False] * referral.num_rows)
    if first is not None:
        outside = pc.or_(outside, pc.less(day, pa.scalar(first.astype("datetime64[ns]").item(), pa.timestamp("ns"))))
    if last is not None:
        outside = pc.or_(outside, pc.greater(day, pa.scalar(last.astype("datetime64[ns]").item(), pa.timestamp("ns"))))
    drop = pc.and_(involved, outside)
    if months:
        month = pc.floor_temporal(day, unit="month")
        sent = pc.and_(pc.equal(referral["from_facility"], code),
                       pc.is_in(month, value_set=pa.array(months, pa.timestamp("ns"))))
        drop = pc.or_(drop, sent)
    return referral.filter(pc.invert(drop))


def seed(tables: dict[str, pd.DataFrame | pa.Table], seed_value: int) -> dict[str, pd.DataFrame | pa.Table]:
    """The demo's fact tables with the gaps and errors above, and its facility_dates, report_exception and
    report_receipt (one simulated delivery per reported unit and month)."""
    out = dict(tables)
    rng = np.random.default_rng([seed_value, _STREAM])
    facts = ("service_volume", "alliance_activity", "shared_service")

    opened, opened_on = picked(out, OPENED[0])[0], OPENED[1]
    closed, closed_on = picked(out, CLOSED[0])[0], CLOSED[1]
    opened_month, closed_month = _month(f"{opened_on:%Y-%m}"), _month(f"{closed_on:%Y-%m}")
    for name in facts:
        frame = out[name]
        month = pd.to_datetime(frame["month"])
        out[name] = frame[~(((frame["facility_code"] == opened) & (month < opened_month))
                            | ((frame["facility_code"] == closed) & (month > closed_month)))].reset_index(drop=True)
    referral = _drop_referrals(out["referral"], opened, np.datetime64(opened_on), None)
    referral = _drop_referrals(referral, closed, None, np.datetime64(closed_on))

    renovated = picked(out, RENOVATION[0])[0]
    gaps = [*MISSING, (RENOVATION[0], facts, RENOVATION[1])]
    for pick, datasets, months in gaps:
        code = picked(out, pick)[0]
        stamps = [_month(month) for month in months]
        for name in datasets:
            out[name] = _drop(out[name], "facility_code", code, stamps)
        if "service_volume" in datasets:
            referral = _drop_referrals(referral, code, None, None, stamps)
    out["referral"] = referral
    town = picked(out, MISSING_TOWN[0])[1]
    out["public_health"] = _drop(out["public_health"], "town_code", town, [_month(m) for m in MISSING_TOWN[1]])

    _outliers(out)
    out["facility_dates"] = pd.DataFrame({"facility_code": [opened, closed], "opened": [opened_on, None],
                                          "closed": [None, closed_on]})
    out["report_exception"] = pd.DataFrame([{
        "exception_id": 1, "unit_code": renovated, "dataset": None,
        "month_from": date.fromisoformat(f"{RENOVATION[1][0]}-01"), "month_to": date.fromisoformat(f"{RENOVATION[1][-1]}-01"),
        "reason": RENOVATION[2], "recorded_by": RECORDED_BY, "recorded_at": datetime(2025, 5, 6, 9, 30),
        "withdrawn_by": None, "withdrawn_at": None}])
    late = {picked(out, pick)[0] for pick in HABITUALLY_LATE}
    out["report_receipt"] = receipts(out, late, rng)
    return out


def _outliers(out: dict[str, pd.DataFrame | pa.Table]) -> None:
    volume = out["service_volume"]
    code, _ = picked(out, EXTRA_ZERO[0])
    row = (volume["facility_code"] == code) & (pd.to_datetime(volume["month"]) == _month(EXTRA_ZERO[2]))
    volume.loc[row, EXTRA_ZERO[1]] = volume.loc[row, EXTRA_ZERO[1]] * 10
    code, _ = picked(out, NEGATIVE[0])
    row = (volume["facility_code"] == code) & (pd.to_datetime(volume["month"]) == _month(NEGATIVE[2]))
    volume.loc[row, NEGATIVE[1]] = NEGATIVE[3]
    health = out["public_health"]
    town = picked(out, EXTRA_ZERO_TOWN[0])[1]
    row = ((health["town_code"] == town) & (health["indicator_code"] == EXTRA_ZERO_TOWN[1])
           & (pd.to_datetime(health["month"]) == _month(EXTRA_ZERO_TOWN[2])))
    health.loc[row, "numerator"] = health.loc[row, "numerator"] * 10
    shared = out["shared_service"]
    county, month, excess = FILMS_ABOVE_REVIEWED
    facility = out["facility"].set_index("code")["region_code"].str[:6]
    candidates = shared[(shared["facility_code"].map(facility) == county) & (shared["service"] == "imaging")
                        & (pd.to_datetime(shared["month"]) == _month(month))].sort_values("facility_code")
    if len(candidates):
        first = candidates.index[0]
        shared.loc[first, "films_graded"] = shared.loc[first, "cases_reviewed"] + excess
        shared.loc[first, "grade_a_films"] = min(shared.loc[first, "grade_a_films"], shared.loc[first, "films_graded"])


def receipts(tables: dict[str, pd.DataFrame | pa.Table], late: set[str], rng: np.random.Generator) -> pd.DataFrame:
    """One simulated delivery per reported unit and month: each county's data officer loads its month on a
    day from the 2nd to the 8th of the next month; a few reports come one to twenty days after that, and
    the facilities in `late` miss the 10th about three months in four."""
    county_of = _county_of(tables)
    frames = []
    for dataset in ("service_volume", "alliance_activity", "shared_service", "public_health", "resident_care"):
        unit, alliance = unit_columns(dataset)
        frame = tables[dataset]
        keys = pd.DataFrame({"unit_code": frame[unit].astype(str),
                             "alliance_code": frame[alliance].astype(str) if alliance else "",
                             "month": pd.to_datetime(frame["month"])}).drop_duplicates(ignore_index=True)
        frames.append(keys.assign(dataset=dataset))
    units = pd.concat(frames, ignore_index=True)
    units["county"] = units["unit_code"].map(county_of).fillna(units["unit_code"])
    batches = units[["county", "month"]].drop_duplicates()
    batches["day"] = rng.integers(2, 9, len(batches))
    units = units.merge(batches, on=["county", "month"], how="left")
    n = len(units)
    delay = np.where(rng.random(n) < _LATE_UNITS_SHARE, rng.integers(1, 21, n), 0)
    habitual = units["unit_code"].isin(late).to_numpy() & (rng.random(n) < 0.75)
    day = np.where(habitual, rng.integers(12, 26, n), units["day"].to_numpy() + delay)
    minutes = rng.integers(8 * 60, 18 * 60, n)
    next_month = units["month"] + pd.DateOffset(months=1)
    units["received_at"] = (next_month + pd.to_timedelta(day - 1, unit="D")
                            + pd.to_timedelta(minutes, unit="min")).dt.floor("min")
    return pd.DataFrame({"dataset": units["dataset"], "unit_code": units["unit_code"],
                         "alliance_code": units["alliance_code"], "month": units["month"].dt.date,
                         "batch_id": pd.array([None] * n, dtype="Int32"), "received_at": units["received_at"],
                         "source": "simulated"})


def _county_of(tables: dict[str, pd.DataFrame | pa.Table]) -> pd.Series:
    """Facility or town code -> its county code."""
    region = tables["region"].set_index("code")
    town_county = region["parent_code"].where(region["level"] == "town").dropna()
    facility = tables["facility"].set_index("code")["region_code"]
    return pd.concat([facility.map(town_county).fillna(facility), town_county])


"""Make the demo reproduce every published figure of data/calibration.csv.

Two steps. Before generation, the populations the figures imply (名山区 254,000 residents, the key-group
and 65+ denominators behind the published rates) are set on the towns. After the expected values are
generated, each figure rescales the whole monthly series it touches (so the published period does not
jump out of its neighbours) and leaves a target that the drawing step hits exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from healthdash.core.paths import CALIBRATION_CSV
from healthdash.data.demo.calendar import month_index
from healthdash.data.demo.places import sum_populations
from healthdash.data.demo.poverty import MEASURES as _POVERTY
from healthdash.data.demo.targets import ExactSum, RateFloor, RateTarget, ShareTarget, Target, allocate

# Figures implied by others in the file (a share with its total, a rate with its count, a growth with its
# base): reproduced by construction, the tests check them.
_IMPLIED = {
    "township_outpatient_share", "township_inpatient_share", "outpatient_visits_growth", "inpatient_discharges_growth",
    "fd_coverage", "fd_key_pop_coverage", "resident_population",
}
# Figures the world's places and alliances are built with (places.py), not drawn: nothing to calibrate.
_BUILT = {"pathogen_network_members"}
# Public-health counts: measure -> indicator code whose numerators add up to it.
_PUBLIC_HEALTH_SUMS = {
    "hpv_first_doses": "hpv_first_doses", "cervical_screenings": "cervical_screening_rate",
    "breast_screenings": "breast_screening_rate", "premarital_checks": "premarital_checks",
    "prepregnancy_checks": "prepregnancy_checks", "elderly_60plus_checks": "elderly_60plus_check_rate",
}
# Public-health stocks at the period's last month: measure -> indicator code.
_PUBLIC_HEALTH_STOCKS = {"fd_contracted_residents": "fd_coverage", "fd_key_pop_contracted": "fd_key_pop_coverage",
                         "fd_teams": "fd_teams"}
_ACTIVITY = {"staff_sent_down": "staff_sent", "lectures": "lectures", "teaching_rounds": "teaching_rounds",
             "surgery_demos": "surgery_demos"}
_SHARED = {"remote_imaging_consults": "imaging", "regional_lab_tests": "lab"}
_QUALITY = {"imaging_concordance_rate_primary": ("concordance", "concordant", "cases_reviewed"),
            "grade_a_film_rate_primary": ("grade_a_rate", "grade_a_films", "films_graded")}


def load_calibration(path: Path = CALIBRATION_CSV) -> pd.DataFrame:
    cal = pd.read_csv(path, dtype=str, keep_default_na=False)
    cal["value"] = cal["value"].astype(float)
    return cal


def place_code(region: pd.DataFrame, place: str, parent: str) -> str:
    """Region code of a calibration row's place (a county under its city, or a city)."""
    if not parent:
        return str(region.loc[(region["name"] == place) & (region["level"] == "city"), "code"].item())
    city = region.loc[(region["name"] == parent) & (region["level"] == "city"), "code"].item()
    return str(region.loc[(region["name"] == place) & (region["parent_code"] == city), "code"].item())


def _row(cal: pd.DataFrame, like: pd.Series, measure: str) -> pd.Series | None:
    same = cal[(cal["place"] == like["place"]) & (cal["period_from"] == like["period_from"])
               & (cal["period_to"] == like["period_to"]) & (cal["measure"] == measure)]
    return same.iloc[0] if len(same) else None


def calibrate_world(world: dict[str, pd.DataFrame], cal: pd.DataFrame) -> None:
    """Set the populations the published figures imply, on the towns, and re-sum counties and cities."""
    region = world["region"]

    def set_total(county: str, column: str, total: int) -> None:
        towns = region.index[(region["parent_code"] == county) & (region["level"] == "town")]
        region.loc[towns, column] = allocate(total, region.loc[towns, column].to_numpy(dtype=np.float64))

    for _, row in cal.iterrows():
        code = place_code(region, row["place"], row["parent"])
        if row["measure"] == "resident_population":
            set_total(code, "population", int(row["value"]))
        elif row["measure"] == "fd_key_pop_coverage" and (count := _row(cal, row, "fd_key_pop_contracted")) is not None:
            set_total(code, "pop_key_groups", round(count["value"] / (row["value"] / 100)))
    world["region"] = sum_populations(region)


class _Facts:
    """The expected-value tables and the helpers that select rows of a place and period."""

    def __init__(self, raw: dict[str, pd.DataFrame], world: dict[str, pd.DataFrame]) -> None:
        self.raw = raw
        region = world["region"]
        self.region = region
        self.county_city = dict(zip(region["code"], region["parent_code"], strict=True))

    def place(self, table: str, code: str) -> np.ndarray:
        counties = self.raw[table]["county_code"]
        if (self.region.loc[self.region["code"] == code, "level"] == "city").any():
            return counties.map(self.county_city).eq(code).to_numpy()
        return counties.eq(code).to_numpy()

    def period(self, table: str, first: str, last: str) -> np.ndarray:
        t = self.raw[table]["t"].to_numpy()
        return (t >= month_index(first)) & (t <= month_index(last))

    def column(self, table: str, name: str) -> np.ndarray:
        return self.raw[table][name].to_numpy(dtype=np.float64, copy=True)

    def scale(self, table: str, column: str, series: np.ndarray, period: np.ndarray, total: float) -> None:
        """Multiply the whole series by one factor so that its period adds up to total."""
        values = self.column(table, column)
        values[series] *= total / values[period].sum()
        self.raw[table][column] = values


def calibrate_facts(raw: dict[str, pd.DataFrame], world: dict[str, pd.DataFrame], cal: pd.DataFrame,
                    scale: float) -> list[Target]:
    """Reshape expected values in place and return the targets the drawing step must hit."""
    facts = _Facts(raw, world)
    targets: list[Target] = []
    for _, row in cal.iterrows():
        measure = row["measure"]
        code = place_code(world["region"], row["place"], row["parent"])
        handler = _HANDLERS.get(measure)
        if handler is not None:
            targets += handler(facts, cal, row, code, scale)
        elif measure not in _IMPLIED and measure not in _QUALITY and measure not in _POVERTY \
                and measure not in _BUILT:
            raise ValueError(f"calibration.csv: no rule for measure {measure!r}")
    for (place, parent, measure), rows in cal[cal["measure"].isin(list(_QUALITY))].groupby(["place", "parent", "measure"]):
        targets += _quality(facts, rows, place_code(world["region"], place, parent), measure)
    _consistent_care(facts)
    _within_population(facts)
    return targets


def _volume(column: str) -> Callable[..., list[Target]]:
    """Service volume of a county in a period; with a township share, township centres and the rest
    separately; with a growth figure, the same months of the previous year too."""

    def handle(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
        place = facts.place("service_volume", code)
        tier = facts.raw["service_volume"]["tier"].to_numpy()
        share = _row(cal, row, f"township_{'outpatient' if column == 'outpatient_visits' else 'inpatient'}_share")
        growth = _row(cal, row, f"{column}_growth")
        total = int(row["value"])
        if share is None:
            groups = [(place, total)]
        else:
            township = round(total * share["value"] / 100)
            groups = [(place & (tier == "township"), township), (place & (tier != "township"), total - township)]
        targets: list[Target] = []
        for series, group_total in groups:
            period = series & facts.period("service_volume", row["period_from"], row["period_to"])
            facts.scale("service_volume", column, series, period, group_total)
            targets.append(ExactSum("service_volume", period, column, group_total))
            if growth is not None:
                targets.append(_previous_year(facts, column, series, row, round(group_total / (1 + growth["value"] / 100))))
        return targets

    return handle


def _previous_year(facts: _Facts, column: str, series: np.ndarray, row: pd.Series, total: int) -> ExactSum:
    """Pin the same months a year earlier by tilting everything before the published period: a factor on
    the earlier year that fades out over the months between, so the series stays smooth."""
    first, last = month_index(row["period_from"]), month_index(row["period_to"])
    t = facts.raw["service_volume"]["t"].to_numpy()
    earlier = series & (t >= first - 12) & (t <= last - 12)
    values = facts.column("service_volume", column)
    factor = total / values[earlier].sum()
    fade = np.clip((first - t) / max(first - (last - 12), 1), 0, 1)  # 1 up to the earlier period's end, 0 from `first`
    values[series] *= factor ** fade[series]
    facts.raw["service_volume"][column] = values
    return ExactSum("service_volume", earlier, column, total)


def _critical(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
    series = facts.place("service_volume", code) & (facts.raw["service_volume"]["tier"].to_numpy() == "county")
    period = series & facts.period("service_volume", row["period_from"], row["period_to"])
    facts.scale("service_volume", "critical_cases", series, period, row["value"])
    return [ExactSum("service_volume", period, "critical_cases", int(row["value"]))]


def _referrals(tier: str | None, direction: str) -> Callable[..., list[Target]]:
    def handle(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
        cells = facts.raw["referral"]
        series = facts.place("referral", code) & (cells["direction"].to_numpy() == direction)
        if tier is not None:
            series &= cells["tier"].to_numpy() == tier
        period = series & facts.period("referral", row["period_from"], row["period_to"])
        total = round(row["value"] * scale)
        facts.scale("referral", "referrals", series, period, total)
        return [ExactSum("referral", period, "referrals", total)]

    return handle


def _retention(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
    series = facts.place("resident_care", code)
    period = series & facts.period("resident_care", row["period_from"], row["period_to"])
    share = row["value"] / 100
    inside = facts.column("resident_care", "visits_in_county")[period].sum()
    facts.scale("resident_care", "visits_out_of_county", series, period, inside * (1 - share) / share)
    return [ShareTarget("resident_care", period, "visits_in_county", "visits_out_of_county", share)]


def _shared(service: str) -> Callable[..., list[Target]]:
    def handle(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
        series = facts.place("shared_service", code) & (facts.raw["shared_service"]["service"].to_numpy() == service)
        period = series & facts.period("shared_service", row["period_from"], row["period_to"])
        facts.scale("shared_service", "remote_cases", series, period, row["value"])
        return [ExactSum("shared_service", period, "remote_cases", int(row["value"]))]

    return handle


def _activity(column: str) -> Callable[..., list[Target]]:
    def handle(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
        series = facts.place("alliance_activity", code)
        period = series & facts.period("alliance_activity", row["period_from"], row["period_to"])
        facts.scale("alliance_activity", column, series, period, row["value"])
        return [ExactSum("alliance_activity", period, column, int(row["value"]))]

    return handle


def _public_health(indicator: str, at_end: bool) -> Callable[..., list[Target]]:
    """A sum of numerators over a period, or (at_end) a stock at the period's last month."""

    def handle(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
        ph = facts.raw["public_health"]
        series = facts.place("public_health", code) & (ph["indicator_code"].to_numpy() == indicator)
        first = row["period_to"] if at_end else row["period_from"]
        period = series & facts.period("public_health", first, row["period_to"])
        facts.scale("public_health", "numerator", series, period, row["value"])
        denominator = ph["denominator"].to_numpy()
        capped = np.where(np.isnan(denominator), np.inf, denominator)
        ph["numerator"] = np.minimum(ph["numerator"].to_numpy(), capped)
        return [ExactSum("public_health", period, "numerator", int(row["value"]))]

    return handle


def _year_to_date_rate(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
    """A year-to-date rate with its count: the population the two imply, at the period's last month,
    becomes the denominator of the place's towns (a stock, the same every month)."""
    count = _row(cal, row, "elderly_60plus_checks")
    if count is None:
        raise ValueError("calibration.csv: elderly_60plus_check_rate needs elderly_60plus_checks for the same place and period")
    ph = facts.raw["public_health"]
    series = facts.place("public_health", code) & (ph["indicator_code"].to_numpy() == "elderly_60plus_check_rate")
    at_end = series & facts.period("public_health", row["period_to"], row["period_to"])
    towns = ph.loc[at_end, "town_code"].to_numpy()
    people = allocate(round(count["value"] / (row["value"] / 100)), ph.loc[at_end, "denominator"].to_numpy(dtype=np.float64))
    by_town = dict(zip(towns, people, strict=True))
    denominator = ph["denominator"].to_numpy(dtype=np.float64, copy=True)
    denominator[series] = ph.loc[series, "town_code"].map(by_town).to_numpy(dtype=np.float64)
    ph["denominator"] = denominator
    return []


def _consistent_care(facts: _Facts) -> None:
    """Residents' visits inside a county cannot exceed the visits at its facilities (for an urban district,
    at its city's): where they would, in- and out-of-county visits shrink together, keeping the retention."""
    volume = facts.raw["service_volume"]
    care = facts.raw["resident_care"]
    city_of = facts.county_city
    urban = dict(zip(facts.region["code"], facts.region["urban"], strict=True))
    keys = {"outpatient": "outpatient_visits", "inpatient": "inpatient_discharges"}
    by_county = volume.groupby(["county_code", "t"])[list(keys.values())].sum()
    by_city = volume.assign(city_code=volume["county_code"].map(city_of)).groupby(["city_code", "t"])[list(keys.values())].sum()
    place = np.where(care["county_code"].map(urban).fillna(False).to_numpy(dtype=bool),
                     care["county_code"].map(city_of), care["county_code"])
    for setting, column in keys.items():
        rows = care["setting"].to_numpy() == setting
        county_total = by_county[column].reindex(pd.MultiIndex.from_arrays([place, care["t"]])).to_numpy()
        city_total = by_city[column].reindex(pd.MultiIndex.from_arrays([place, care["t"]])).to_numpy()
        available = np.where(np.isnan(county_total), city_total, county_total)
        inside = care["visits_in_county"].to_numpy(dtype=np.float64)
        # Other counties' residents use a county's facilities too: at most 90% of their visits are its own.
        factor = np.where(rows & (inside > 0), np.minimum(1.0, 0.9 * np.nan_to_num(available) / np.where(inside > 0, inside, 1)), 1.0)
        for column_name in ("visits_in_county", "visits_out_of_county"):
            care[column_name] = care[column_name].to_numpy(dtype=np.float64) * factor


def _within_population(facts: _Facts) -> None:
    """A year-to-date programme never reaches more people than live there: once a town's sum since January
    would pass 97% of its population, the rest of that year's months get only what is left."""
    ph = facts.raw["public_health"]
    ytd = ph["indicator_code"].isin(["elderly_health_mgmt_rate", "elderly_60plus_check_rate"]).to_numpy()
    rows = ph[ytd].sort_values(["town_code", "indicator_code", "t"])
    year = rows["t"] // 12
    room = 0.97 * rows["denominator"]
    before = rows.groupby([rows["town_code"], rows["indicator_code"], year])["numerator"].cumsum() - rows["numerator"]
    capped = np.clip(np.minimum(rows["numerator"], room - before.clip(upper=room)), 0, None)
    # Re-run the sum with the capped months: a month after one that was cut may still be too many.
    after = capped.groupby([rows["town_code"], rows["indicator_code"], year]).cumsum()
    capped = np.where(after > room, np.clip(capped - (after - room), 0, None), capped)
    ph.loc[rows.index, "numerator"] = capped


def _immunization_floor(facts: _Facts, cal: pd.DataFrame, row: pd.Series, code: str, scale: float) -> list[Target]:
    """Every town at or above the floor: lift the whole series of towns that fall short in expectation."""
    ph = facts.raw["public_health"]
    series = facts.place("public_health", code) & (ph["indicator_code"].to_numpy() == "child_immunization_rate")
    period = series & facts.period("public_health", row["period_from"], row["period_to"])
    floor = row["value"] / 100
    sums = ph[period].groupby("town_code")[["numerator", "denominator"]].sum()
    short = sums.index[sums["numerator"] / sums["denominator"] < floor + 0.01]
    lift = ((floor + 0.015) * sums.loc[short, "denominator"] / sums.loc[short, "numerator"]).to_dict()
    factor = ph["town_code"].map(lift).fillna(1.0).to_numpy()
    values = np.where(series, ph["numerator"].to_numpy() * factor, ph["numerator"].to_numpy())
    ph["numerator"] = np.where(series, np.minimum(values, ph["denominator"].to_numpy() * 0.995), values)
    return [RateFloor("public_health", period, "town_code", "numerator", "denominator", floor)]


def _quality(facts: _Facts, rows: pd.DataFrame, code: str, measure: str) -> list[Target]:
    """Quality rates of a city's primary facilities: a curve through the published points (flat before the
    first and after the last), keeping each facility's deviation from the month's mean; exact at the points."""
    rate_column, numerator, denominator = _QUALITY[measure]
    shared = facts.raw["shared_service"]
    series = (facts.place("shared_service", code) & (shared["service"].to_numpy() == "imaging")
              & shared["tier"].isin(["township", "community", "village"]).to_numpy())
    anchors = sorted((month_index(r["period_from"]), r["value"] / 100) for _, r in rows.iterrows())
    t = shared["t"].to_numpy()
    curve = np.interp(t, [a for a, _ in anchors], [v for _, v in anchors])
    rates = shared[rate_column].to_numpy(dtype=np.float64, copy=True)
    month_mean = pd.Series(rates[series]).groupby(t[series]).transform("mean").to_numpy()
    rates[series] = np.clip(curve[series] * rates[series] / month_mean, 0.05, 0.99)
    shared[rate_column] = rates
    return [RateTarget("shared_service", series & (t == month), numerator, denominator, value) for month, value in anchors]


_HANDLERS: dict[str, Callable[..., list[Target]]] = {
    "outpatient_visits": _volume("outpatient_visits"),
    "inpatient_discharges": _volume("inpatient_discharges"),
    "critical_cases_treated": _critical,
    "up_referrals_from_township": _referrals("township", "up"),
    "out_of_county_referrals": _referrals(None, "out_of_county"),
    "county_retention_rate": _retention,
    "child_immunization_rate_min_town": _immunization_floor,
    "elderly_60plus_check_rate": _year_to_date_rate,
    **{measure: _shared(service) for measure, service in _SHARED.items()},
    **{measure: _activity(column) for measure, column in _ACTIVITY.items()},
    **{measure: _public_health(code, at_end=False) for measure, code in _PUBLIC_HEALTH_SUMS.items()},
    **{measure: _public_health(code, at_end=True) for measure, code in _PUBLIC_HEALTH_STOCKS.items()},
}

"""The selection every page shares: places, alliance, tiers, period and comparison.

Pure functions only (no Streamlit, no database): the URL is parsed into a `Filters` value against the
codes that exist, anything unknown is dropped with a note, and `Filters.sql_params()` is the only way a
selection reaches SQL — as bound parameters, never as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

TIERS: tuple[str, ...] = ("tertiary", "county", "township", "community", "village")
# Counted back from the latest month with data, so a link made with them moves on as reports come in.
RELATIVE_PERIODS: tuple[str, ...] = ("month", "quarter", "ytd", "last12", "last_year")
# One calendar year, quarter or month, named by its first month (`from` in the URL).
FIXED_PERIODS: tuple[str, ...] = ("year", "quarter_of", "month_of")
PERIOD_PRESETS: tuple[str, ...] = (*RELATIVE_PERIODS, *FIXED_PERIODS, "custom")
COMPARISONS: tuple[str, ...] = ("yoy", "mom")
DEFAULT_PERIOD = "ytd"
DEFAULT_COMPARE = "yoy"

# URL keys of the shared selection; pages may add their own keys next to these.
URL_KEYS: tuple[str, ...] = ("city", "county", "town", "alliance", "tiers", "period", "from", "to", "cmp")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def as_date(value: object) -> date:
    """A month as a plain date: DuckDB and pandas hand back Timestamps or datetimes, which do not equal
    the dates that filters and dictionaries are keyed by."""
    return value.date() if hasattr(value, "date") else value  # type: ignore[return-value]


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Number of months from `first` to `last`, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def parse_month(text: str) -> date | None:
    match = _MONTH_RE.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class FilterOptions:
    """The codes a selection may use, read from the database."""

    cities: Mapping[str, str]
    counties: Mapping[str, tuple[str, str]]  # code -> (name, city code)
    towns: Mapping[str, tuple[str, str]]  # code -> (name, county code)
    alliances: Mapping[str, tuple[str, str]]  # code -> (name, home region code)
    first_month: date
    last_month: date

    def city_of(self, region: str | None) -> str | None:
        if region in self.cities:
            return region
        if region in self.counties:
            return self.counties[region][1]
        if region in self.towns:
            return self.city_of(self.towns[region][1])
        return None

    def counties_of(self, city: str | None) -> list[str]:
        return [code for code, (_, parent) in self.counties.items() if city is None or parent == city]

    def towns_of(self, county: str | None) -> list[str]:
        if county is None:
            return []
        return [code for code, (_, parent) in self.towns.items() if parent == county]

    def alliances_in(self, city: str | None, county: str | None) -> list[str]:
        """Alliances serving the selected place (all of them when nothing is selected)."""
        if city is None:
            return list(self.alliances)
        places = {county} if county else {city, *self.counties_of(city)}
        return [code for code, (_, home) in self.alliances.items() if home in places]

    def months(self) -> list[date]:
        count = months_between(self.first_month, self.last_month)
        return [add_months(self.first_month, i) for i in range(count)]


@dataclass(frozen=True)
class Filters:
    month_from: date
    month_to: date
    city: str | None = None
    county: str | None = None
    town: str | None = None
    alliance: str | None = None
    tiers: tuple[str, ...] = TIERS
    period: str = DEFAULT_PERIOD
    compare: str = DEFAULT_COMPARE

    @property
    def place(self) -> str | None:
        """The narrowest place selected, or None for everything."""
        return self.town or self.county or self.city

    @property
    def level(self) -> str:
        """Level of the selected place: 'all', 'city', 'county' or 'town'."""
        if self.town:
            return "town"
        if self.county:
            return "county"
        if self.city:
            return "city"
        return "all"

    def base_period(self) -> tuple[date, date]:
        """The comparison period: same months a year earlier (同比) or the months just before (环比)."""
        if self.compare == "yoy":
            return add_months(self.month_from, -12), add_months(self.month_to, -12)
        length = months_between(self.month_from, self.month_to)
        return add_months(self.month_from, -length), add_months(self.month_from, -1)

    def scope_params(self) -> dict[str, object]:
        """Bound parameters of the scope macros (`scoped_facts`, `scoped_facilities`)."""
        return {
            "city": self.city,
            "county": self.county,
            "town": self.town,
            "alliance": self.alliance,
            "tiers": list(self.tiers),
        }

    def sql_params(self) -> dict[str, object]:
        base_from, base_to = self.base_period()
        return {
            **self.scope_params(),
            "month_from": self.month_from,
            "month_to": self.month_to,
            "base_from": base_from,
            "base_to": base_to,
        }

    def to_query(self) -> dict[str, str]:
        """URL parameters for this selection; defaults are left out to keep links short."""
        query: dict[str, str] = {}
        # The narrowest place alone: its parents follow from it (parse_query), and a link to a county or
        # town then reads the same as the page writes it, so opening one adds one step to the history.
        if self.place:
            query[self.level] = self.place
        if self.alliance:
            query["alliance"] = self.alliance
        if set(self.tiers) != set(TIERS):
            query["tiers"] = ",".join(self.tiers)
        if self.period != DEFAULT_PERIOD:
            query["period"] = self.period
        if self.period in FIXED_PERIODS:
            query["from"] = month_key(self.month_from)
        if self.period == "custom":
            query["from"] = month_key(self.month_from)
            query["to"] = month_key(self.month_to)
        if self.compare != DEFAULT_COMPARE:
            query["cmp"] = self.compare
        return query


def preset_range(period: str, last_month: date) -> tuple[date, date]:
    """Month range of a preset, counted back from the latest month with data."""
    if period == "month":
        return last_month, last_month
    if period == "quarter":
        return date(last_month.year, (last_month.month - 1) // 3 * 3 + 1, 1), last_month
    if period == "last12":
        return add_months(last_month, -11), last_month
    if period == "last_year":
        return date(last_month.year - 1, 1, 1), date(last_month.year - 1, 12, 1)
    return date(last_month.year, 1, 1), last_month


def period_start(kind: str, month: date) -> date:
    """The first month of the calendar year, quarter or month (`kind`, one of FIXED_PERIODS) holding `month`."""
    if kind == "year":
        return date(month.year, 1, 1)
    if kind == "quarter_of":
        return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    return date(month.year, month.month, 1)


def fixed_range(kind: str, start: date, options: FilterOptions) -> tuple[date, date]:
    """Months of the calendar year, quarter or month beginning at `start`, within the months with data (a
    year still running ends at the latest month)."""
    length = {"year": 12, "quarter_of": 3}.get(kind, 1)
    end = add_months(start, length - 1)
    return max(start, options.first_month), min(end, options.last_month)


def period_starts(kind: str, options: FilterOptions) -> list[date]:
    """The years, quarters or months with data that a fixed period can name, latest first, each by its
    first month (date(2024, 4, 1) for 2024年第二季度)."""
    step = {"year": 12, "quarter_of": 3}.get(kind, 1)
    starts = []
    month = period_start(kind, options.first_month)
    while month <= options.last_month:
        starts.append(month)
        month = add_months(month, step)
    return starts[::-1]


def default_filters(options: FilterOptions) -> Filters:
    month_from, month_to = preset_range(DEFAULT_PERIOD, options.last_month)
    return Filters(month_from=month_from, month_to=month_to)


def narrow(filters: Filters, options: FilterOptions, level: str, code: str | None) -> Filters | None:
    """`filters` narrowed to one place (a click on a city, county or town in a chart): the place's parents
    follow, deeper levels are cleared, an alliance that does not serve the place is dropped. None when
    `code` is not a place of `level`. Level "all" widens the selection to every place."""
    if level == "all":
        city, county, town = None, None, None
    elif level == "city" and code in options.cities:
        city, county, town = code, None, None
    elif level == "county" and code in options.counties:
        city, county, town = options.counties[code][1], code, None
    elif level == "town" and code in options.towns:
        county = options.towns[code][1]
        city, town = options.counties[county][1], code
    else:
        return None
    alliance = filters.alliance if filters.alliance in options.alliances_in(city, county) else None
    return replace(filters, city=city, county=county, town=town, alliance=alliance)


@dataclass
class ParsedQuery:
    filters: Filters
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (URL key, rejected value)


def _single(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is None:
        return None
    return str(value)


def parse_query(raw: Mapping[str, object], options: FilterOptions) -> ParsedQuery:
    """Read a selection from URL parameters, keeping only values that exist in `options`."""
    result = ParsedQuery(default_filters(options))
    dropped = result.dropped
    values: dict[str, object] = {}

    def take(key: str, valid: bool, value: str) -> None:
        if valid:
            values[key] = value
        else:
            dropped.append((key, value))

    city = _single(raw, "city")
    if city is not None:
        take("city", city in options.cities, city)
    county = _single(raw, "county")
    if county is not None:
        take("county", county in options.counties, county)
    town = _single(raw, "town")
    if town is not None:
        parent = options.towns[town][1] if town in options.towns else None
        take("town", parent is not None and values.get("county", parent) == parent, town)
    # A deeper place implies its parents, so `?town=...` alone is a complete link; a county that
    # contradicts the city is dropped together with its town.
    if "town" in values:
        values["county"] = options.towns[str(values["town"])][1]
    if "county" in values:
        county_city = options.city_of(str(values["county"]))
        if values.get("city", county_city) != county_city:
            dropped.append(("county", str(values.pop("county"))))
            values.pop("town", None)
        else:
            values["city"] = county_city

    alliance = _single(raw, "alliance")
    if alliance is not None:
        take("alliance", alliance in options.alliances, alliance)

    tiers_text = _single(raw, "tiers")
    if tiers_text is not None:
        tiers = tuple(dict.fromkeys(part for part in tiers_text.split(",") if part))
        if tiers and all(tier in TIERS for tier in tiers):
            values["tiers"] = tiers
        else:
            dropped.append(("tiers", tiers_text))

    compare = _single(raw, "cmp")
    if compare is not None:
        take("compare", compare in COMPARISONS, compare)

    period = _single(raw, "period")
    if period is not None:
        take("period", period in PERIOD_PRESETS, period)
    chosen = str(values.get("period", DEFAULT_PERIOD))
    if chosen in FIXED_PERIODS:
        start = _month_within(raw, "from", options, dropped)
        if start is None:
            values.pop("period", None)
            chosen = DEFAULT_PERIOD
        else:
            values["month_from"], values["month_to"] = fixed_range(chosen, period_start(chosen, start), options)
    elif chosen == "custom":
        month_range = _custom_range(raw, options, dropped)
        if month_range is None:
            values.pop("period", None)
            chosen = DEFAULT_PERIOD
        else:
            values["month_from"], values["month_to"] = month_range
    if chosen in RELATIVE_PERIODS:
        values["month_from"], values["month_to"] = preset_range(chosen, options.last_month)

    result.filters = replace(result.filters, **values)
    return result


def _custom_range(
    raw: Mapping[str, object], options: FilterOptions, dropped: list[tuple[str, str]]
) -> tuple[date, date] | None:
    bounds: list[date] = []
    for key in ("from", "to"):
        month = _month_within(raw, key, options, dropped)
        if month is None:
            return None
        bounds.append(month)
    if bounds[0] > bounds[1]:
        dropped.append(("to", month_key(bounds[1])))
        return None
    return bounds[0], bounds[1]


def _month_within(
    raw: Mapping[str, object], key: str, options: FilterOptions, dropped: list[tuple[str, str]]
) -> date | None:
    """The month `raw[key]` names when it has data, else None (and the value noted as dropped)."""
    text = _single(raw, key)
    month = parse_month(text) if text is not None else None
    if month is None or not options.first_month <= month <= options.last_month:
        dropped.append((key, text or ""))
        return None
    return month

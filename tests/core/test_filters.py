"""The selection's URL form: every filter round-trips, and anything malformed is dropped, never used."""

from datetime import date, datetime

import pandas as pd
import pytest

from healthdash.core.filters import (
    RELATIVE_PERIODS,
    TIERS,
    FilterOptions,
    Filters,
    add_months,
    as_date,
    parse_query,
    period_starts,
    preset_range,
)

OPTIONS = FilterOptions(
    cities={"450200": "柳州市", "511800": "雅安市"},
    counties={"450223": ("鹿寨县", "450200"), "511803": ("名山区", "511800")},
    towns={"450223101": ("中渡镇", "450223"), "511803001": ("蒙阳街道", "511803")},
    alliances={"A01": ("鹿寨县医共体", "450223")},
    first_month=date(2017, 1, 1),
    last_month=date(2025, 12, 1),
)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(date(2025, 1, 1), date(2025, 12, 1)),
        Filters(date(2025, 1, 1), date(2025, 12, 1), city="450200"),
        Filters(date(2025, 1, 1), date(2025, 12, 1), city="450200", county="450223", town="450223101"),
        Filters(date(2025, 1, 1), date(2025, 12, 1), alliance="A01", tiers=("county", "township")),
        Filters(date(2024, 1, 1), date(2024, 6, 1), period="custom", compare="mom"),
        Filters(date(2025, 12, 1), date(2025, 12, 1), period="month", city="511800"),
        Filters(date(2025, 10, 1), date(2025, 12, 1), period="quarter"),
        Filters(date(2025, 1, 1), date(2025, 12, 1), period="last12"),
        Filters(date(2024, 1, 1), date(2024, 12, 1), period="last_year"),
        Filters(date(2018, 1, 1), date(2018, 12, 1), period="year", county="450223", city="450200"),
        Filters(date(2024, 4, 1), date(2024, 6, 1), period="quarter_of", compare="mom"),
        Filters(date(2021, 7, 1), date(2021, 7, 1), period="month_of"),
    ],
)
def test_every_filter_round_trips_through_the_url(filters: Filters) -> None:
    # preset periods are re-derived from the data's last month, so build them the same way
    if filters.period in RELATIVE_PERIODS and filters.period != "ytd":
        start, end = preset_range(filters.period, OPTIONS.last_month)
        assert (filters.month_from, filters.month_to) == (start, end)
    parsed = parse_query(filters.to_query(), OPTIONS)
    assert parsed.dropped == []
    assert parsed.filters == filters


@pytest.mark.parametrize(
    ("query", "dropped_key"),
    [
        ({"county": "' OR 1=1 --"}, "county"),
        ({"city": "450200'; drop table region; --"}, "city"),
        ({"town": "999999999"}, "town"),
        ({"alliance": "<script>alert(1)</script>"}, "alliance"),
        ({"tiers": "county,hospital"}, "tiers"),
        ({"cmp": "weekly"}, "compare"),
        ({"period": "forever"}, "period"),
        ({"period": "custom", "from": "2099-13", "to": "2024-06"}, "from"),
        ({"period": "custom", "from": "2024-01", "to": "2099-01"}, "to"),
        ({"period": "custom", "from": "2024-06", "to": "2024-01"}, "to"),
        ({"period": "custom", "from": "2024-1", "to": "2024-06"}, "from"),
        ({"city": "511800", "county": "450223"}, "county"),
        ({"county": "450223", "town": "511803001"}, "town"),
    ],
)
def test_malformed_or_unknown_values_are_dropped_with_a_note(query: dict, dropped_key: str) -> None:
    parsed = parse_query(query, OPTIONS)
    assert dropped_key in [key for key, _ in parsed.dropped]
    values = parsed.filters.sql_params()
    for _, rejected in parsed.dropped:
        assert rejected not in [values["city"], values["county"], values["town"], values["alliance"]]
    assert set(parsed.filters.tiers) <= set(TIERS)


def test_a_town_alone_implies_its_county_and_city() -> None:
    parsed = parse_query({"town": "450223101"}, OPTIONS)
    assert (parsed.filters.city, parsed.filters.county, parsed.filters.town) == ("450200", "450223", "450223101")
    assert parsed.dropped == []


def test_repeated_url_keys_take_the_last_value() -> None:
    assert parse_query({"city": ["450200", "511800"]}, OPTIONS).filters.city == "511800"


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("month", (date(2025, 12, 1), date(2025, 12, 1))),
        ("quarter", (date(2025, 10, 1), date(2025, 12, 1))),
        ("ytd", (date(2025, 1, 1), date(2025, 12, 1))),
        ("last12", (date(2025, 1, 1), date(2025, 12, 1))),
        ("last_year", (date(2024, 1, 1), date(2024, 12, 1))),
    ],
)
def test_presets_count_back_from_the_latest_month(period: str, expected: tuple[date, date]) -> None:
    assert preset_range(period, date(2025, 12, 1)) == expected


@pytest.mark.parametrize(
    ("compare", "month_from", "month_to", "base"),
    [
        ("yoy", date(2024, 1, 1), date(2024, 6, 1), (date(2023, 1, 1), date(2023, 6, 1))),
        ("mom", date(2024, 1, 1), date(2024, 6, 1), (date(2023, 7, 1), date(2023, 12, 1))),
        ("mom", date(2024, 3, 1), date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 1))),
        ("yoy", date(2024, 2, 1), date(2024, 2, 1), (date(2023, 2, 1), date(2023, 2, 1))),
    ],
)
def test_comparison_period(compare: str, month_from: date, month_to: date, base: tuple[date, date]) -> None:
    assert Filters(month_from, month_to, compare=compare).base_period() == base


def test_add_months_crosses_years() -> None:
    assert add_months(date(2024, 11, 1), 3) == date(2025, 2, 1)
    assert add_months(date(2024, 1, 1), -1) == date(2023, 12, 1)


def test_only_bound_parameters_leave_the_selection() -> None:
    params = Filters(date(2024, 1, 1), date(2024, 6, 1), county="450223").sql_params()
    assert set(params) == {"city", "county", "town", "alliance", "tiers", "month_from", "month_to",
                           "base_from", "base_to"}


def test_a_link_names_the_narrowest_place_alone() -> None:
    town = Filters(date(2025, 1, 1), date(2025, 12, 1), city="450200", county="450223", town="450223101")
    assert town.to_query() == {"town": "450223101"}
    assert parse_query({"town": "450223101"}, OPTIONS).filters == town


@pytest.mark.parametrize(
    ("query", "months"),
    [
        ({"period": "year", "from": "2018-01"}, (date(2018, 1, 1), date(2018, 12, 1))),
        ({"period": "year", "from": "2018-07"}, (date(2018, 1, 1), date(2018, 12, 1))),  # the year holding it
        ({"period": "quarter_of", "from": "2024-05"}, (date(2024, 4, 1), date(2024, 6, 1))),
        ({"period": "month_of", "from": "2024-06"}, (date(2024, 6, 1), date(2024, 6, 1))),
    ],
)
def test_a_year_quarter_or_month_names_its_whole_months(query: dict[str, str], months: tuple[date, date]) -> None:
    parsed = parse_query(query, OPTIONS)
    assert parsed.dropped == []
    assert (parsed.filters.month_from, parsed.filters.month_to) == months


def test_a_year_still_running_ends_at_the_latest_month_and_unknown_years_are_dropped() -> None:
    running = FilterOptions(**{**OPTIONS.__dict__, "last_month": date(2025, 8, 1)})
    parsed = parse_query({"period": "year", "from": "2025-01"}, running)
    assert (parsed.filters.month_from, parsed.filters.month_to) == (date(2025, 1, 1), date(2025, 8, 1))
    dropped = parse_query({"period": "year", "from": "1066-01"}, running)
    assert dropped.filters.period == "ytd" and ("from", "1066-01") in dropped.dropped


def test_the_choices_of_a_fixed_period_are_those_with_data_latest_first() -> None:
    assert period_starts("year", OPTIONS)[:2] == [date(2025, 1, 1), date(2024, 1, 1)]
    assert period_starts("year", OPTIONS)[-1] == date(2017, 1, 1)
    assert period_starts("quarter_of", OPTIONS)[0] == date(2025, 10, 1)
    assert len(period_starts("month_of", OPTIONS)) == 9 * 12


def test_as_date_turns_database_months_into_the_dates_filters_compare() -> None:
    assert as_date(pd.Timestamp("2024-06-01")) == date(2024, 6, 1)
    assert type(as_date(datetime(2024, 6, 1, 0, 0))) is date
    assert as_date(date(2024, 6, 1)) == date(2024, 6, 1)

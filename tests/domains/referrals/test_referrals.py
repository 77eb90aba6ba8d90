"""The referrals page's queries against an independent computation in pandas over the base `referral`
table of a tiny database, for every kind of selection; the direction rule; the shaping helpers.

The world: one city with two rural counties (甲县 with two towns and an alliance, 乙县 with the city's
tertiary hospital), and a provincial hospital outside the scope that receives and returns patients. Every
direction occurs, a cancelled referral must not count, and two years of months let last year's line and
the comparison period be checked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.core.filters import Filters, as_date
from healthdash.core.indicators import Indicator
from healthdash.core.indicators import value as indicator_value
from healthdash.data.catalog import load_catalog
from healthdash.domains.referrals import data as referrals
from tests.support.reading import execute
from tests.support.referral_world import FACILITIES, MEMBERS, REFERRALS, REGIONS, ROUTES, write_tiny


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("referrals") / "tiny.duckdb")


@pytest.fixture(scope="module")
def con(tiny_db: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tiny_db), read_only=True)
    yield connection
    connection.close()


# ---------------------------------------------------------------------------------------------- independent side


def _geo() -> pd.DataFrame:
    """Facility -> town, county, city, in scope: walked from the frames above, not from facility_geo."""
    regions = REGIONS.set_index("code")
    rows = []
    for facility in FACILITIES.itertuples(index=False):
        region = regions.loc[facility.region_code]
        town = facility.region_code if region["level"] == "town" else None
        county = region["parent_code"] if town else facility.region_code
        rows.append({"code": facility.code, "tier": facility.tier, "town": town, "county": county,
                     "city": regions.loc[county, "parent_code"], "in_scope": bool(regions.loc[county, "in_scope"])})
    return pd.DataFrame(rows).set_index("code")


GEO = _geo()


def scope(filters: Filters) -> set[str]:
    """Facilities of the selection, computed directly."""
    geo = GEO[GEO["in_scope"] & GEO["tier"].isin(filters.tiers)]
    for column, wanted in (("city", filters.city), ("county", filters.county), ("town", filters.town)):
        if wanted:
            geo = geo[geo[column] == wanted]
    if filters.alliance:
        geo = geo[geo.index.isin(MEMBERS.loc[MEMBERS["alliance_code"] == filters.alliance, "facility_code"])]
    return set(geo.index)


def events(filters: Filters, first: date, last: date, facility: str | None = None) -> pd.DataFrame:
    """Counted referrals of the selection in [first, last]: not cancelled, home facility in scope."""
    frame = REFERRALS[REFERRALS["status"] != "cancelled"].copy()
    frame["month"] = frame["referral_date"].map(lambda d: d.replace(day=1))
    frame["home"] = frame["to_facility"].where(frame["direction"] == "returned", frame["from_facility"])
    frame = frame[frame["home"].isin(scope(filters)) & (frame["month"] >= first) & (frame["month"] <= last)]
    if facility:
        frame = frame[(frame["from_facility"] == facility) | (frame["to_facility"] == facility)]
    return frame


SELECTIONS = {
    "all": Filters(date(2024, 1, 1), date(2024, 3, 1)),
    "city": Filters(date(2024, 1, 1), date(2024, 3, 1), city="C1"),
    "county": Filters(date(2024, 1, 1), date(2024, 3, 1), city="C1", county="K1"),
    "town": Filters(date(2024, 1, 1), date(2024, 3, 1), city="C1", county="K1", town="T1"),
    "alliance": Filters(date(2024, 1, 1), date(2024, 3, 1), alliance="A1"),
    "tiers": Filters(date(2024, 1, 1), date(2024, 3, 1), tiers=("township", "village")),
    "one_month_mom": Filters(date(2024, 2, 1), date(2024, 2, 1), county="K1", city="C1", compare="mom"),
}


def params(filters: Filters, **extra: object) -> dict[str, object]:
    return {**filters.sql_params(), "facility": None, **extra}


# ---------------------------------------------------------------------------------------------- the rule


def test_every_route_gets_its_direction_from_the_macro(con: duckdb.DuckDBPyConnection) -> None:
    got = dict(
        ((sender, receiver), direction)
        for sender, receiver, direction in con.execute("""
            select s.facility_code, r.facility_code, referral_direction(s, r)
            from facility_geo s, facility_geo r
        """).fetchall()
    )
    for sender, receiver, direction in ROUTES:
        assert got[(sender, receiver)] == direction, (sender, receiver)
    # Equal tiers inside one county are no referral at all.
    assert got[("S1", "S2")] is None


# ---------------------------------------------------------------------------------------------- queries


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_monthly_referrals_by_direction(con: duckdb.DuckDBPyConnection, name: str) -> None:
    filters = SELECTIONS[name]
    first, last = referrals.trend_window(filters.month_from, filters.month_to)
    got = execute(con, "referrals_by_month", params(filters, month_from=first, month_to=last))
    expected = (
        events(filters, date(first.year - 1, first.month, 1), last)
        .groupby(["month", "direction"]).size().rename("referrals").reset_index()
    )
    got = got.assign(month=got["month"].map(as_date), referrals=got["referrals"].astype(int))
    pd.testing.assert_frame_equal(
        got.sort_values(["month", "direction"]).reset_index(drop=True),
        expected.sort_values(["month", "direction"]).reset_index(drop=True),
        check_dtype=False,
    )


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_monthly_totals_match_the_headline_counts(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The trend and the headline KPIs (indicator_fact) count the same referrals."""
    filters = SELECTIONS[name]
    codes = ["up_referrals", "down_referrals", "out_of_county_referrals", "returned_referrals"]
    totals = execute(con, "indicator_totals", {"codes": codes, **filters.sql_params()})
    current = totals[totals["period"] == "current"].set_index("indicator_code")["numerator"]
    monthly = execute(con, "referrals_by_month", params(filters))
    in_period = monthly[monthly["month"].map(as_date) >= filters.month_from]
    by_direction = in_period.groupby("direction")["referrals"].sum()
    for direction, code in zip(referrals.DIRECTIONS, codes, strict=True):
        assert by_direction.get(direction, 0) == current.get(code, 0), direction


@pytest.mark.parametrize("name", list(SELECTIONS))
@pytest.mark.parametrize("facility", [None, "H1"])
def test_tier_flows(con: duckdb.DuckDBPyConnection, name: str, facility: str | None) -> None:
    filters = SELECTIONS[name]
    got = execute(con, "referral_tier_flows", params(filters, facility=facility))
    frame = events(filters, filters.month_from, filters.month_to, facility)
    frame = frame.assign(
        from_tier=[("outside" if d == "returned" else GEO.loc[f, "tier"])
                   for f, d in zip(frame["from_facility"], frame["direction"], strict=True)],
        to_tier=[("outside" if d == "out_of_county" else GEO.loc[f, "tier"])
                 for f, d in zip(frame["to_facility"], frame["direction"], strict=True)],
    )
    expected = frame.groupby(["from_tier", "to_tier", "direction"]).size().to_dict()
    assert {(r.from_tier, r.to_tier, r.direction): int(r.referrals) for r in got.itertuples()} == expected


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_facility_pairs_between_the_largest_senders_and_receivers(con: duckdb.DuckDBPyConnection, name: str) -> None:
    filters = SELECTIONS[name]
    top = 3
    got = execute(con, "referral_facility_pairs", params(filters, top=top))
    frame = events(filters, filters.month_from, filters.month_to)
    pairs = frame.groupby(["from_facility", "to_facility"]).size()
    sent = frame.groupby("from_facility").size()
    received = frame.groupby("to_facility").size()
    senders = set(sorted(sent.index, key=lambda code: (-sent[code], code))[:top])
    receivers = set(sorted(received.index, key=lambda code: (-received[code], code))[:top])
    expected = {pair: count for pair, count in pairs.items() if pair[0] in senders and pair[1] in receivers}
    assert {(r.from_facility, r.to_facility): int(r.referrals) for r in got.itertuples()} == expected
    names = FACILITIES.set_index("code")["name"]
    assert all(names[r.from_facility] == r.from_name and names[r.to_facility] == r.to_name for r in got.itertuples())
    assert all(r.from_total == sent[r.from_facility] for r in got.itertuples())


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_out_of_county_receivers_and_diseases(con: duckdb.DuckDBPyConnection, name: str) -> None:
    filters = SELECTIONS[name]
    got = execute(con, "referral_out_of_county_receivers", params(filters))
    base_from, base_to = filters.base_period()
    expected: dict[tuple[str, str], list[int]] = {}
    for column, (first, last) in enumerate(((filters.month_from, filters.month_to), (base_from, base_to))):
        frame = events(filters, first, last)
        frame = frame[frame["direction"] == "out_of_county"]
        for key, count in frame.groupby(["to_facility", "disease_chapter"]).size().items():
            expected.setdefault(key, [0, 0])[column] = count
    assert {(r.to_facility, r.disease_chapter): [int(r.referrals), int(r.base_referrals)]
            for r in got.itertuples()} == expected

    shaped = referrals.receivers(got)
    if expected:
        total = sum(current for current, _ in expected.values())
        assert shaped["share"].sum() == pytest.approx(1.0)
        assert shaped["referrals"].sum() == total
        assert set("、".join(shaped["chapters"]).split("、")) <= {"循环系统疾病", "肿瘤", "呼吸系统疾病"}
        by_chapter = referrals.diseases(got)
        assert by_chapter["referrals"].sum() == total
        assert set(by_chapter["name"]) <= {"循环系统疾病", "肿瘤", "呼吸系统疾病"}
    else:
        assert shaped.empty and referrals.diseases(got).empty


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_figures_per_facility(con: duckdb.DuckDBPyConnection, name: str) -> None:
    filters = SELECTIONS[name]
    got = execute(con, "referral_by_facility", filters.sql_params()).set_index("facility_code")
    frame = REFERRALS[REFERRALS["status"] != "cancelled"]
    frame = frame[frame["referral_date"].map(lambda d: filters.month_from <= d.replace(day=1) <= filters.month_to)]
    members = scope(filters)
    sent = frame[frame["from_facility"].isin(members)].groupby(["from_facility", "direction"]).size()
    green = frame[frame["green_channel"] & (frame["direction"] == "up")].groupby("from_facility").size()
    received = frame[frame["to_facility"].isin(members)].groupby(["to_facility", "direction"]).size()
    active = set(sent.index.get_level_values(0)) | set(received.index.get_level_values(0))
    assert set(got.index) == active
    for code in active:
        row = got.loc[code]
        assert row["up_sent"] == sent.get((code, "up"), 0)
        assert row["down_sent"] == sent.get((code, "down"), 0)
        assert row["out_of_county_sent"] == sent.get((code, "out_of_county"), 0)
        assert row["green_up_sent"] == (green.get(code, 0) if code in members else 0)
        assert row["returned_received"] == received.get((code, "returned"), 0)
        assert row["up_received"] == received.get((code, "up"), 0)
        assert row["down_received"] == received.get((code, "down"), 0)


def test_facility_table_has_one_row_per_facility_with_rates(con: duckdb.DuckDBPyConnection) -> None:
    frame = execute(con, "referral_by_facility", SELECTIONS["county"].sql_params())
    keys = ["facility", "tier", "county", "town", "up", "down", "out_of_county", "returned", "up_received",
            "down_received", "down_up_ratio", "out_of_county_rate", "green_share"]
    table = referrals.facility_table(frame, {key: key.upper() for key in keys}, {"county": "县级医院"})
    assert list(table.columns) == [key.upper() for key in keys]
    h1 = table[table["FACILITY"] == "甲县人民医院"].iloc[0]
    row = frame[frame["facility_code"] == "H1"].iloc[0]
    assert h1["TIER"] == "县级医院"
    issued = row["up_sent"] + row["down_sent"] + row["out_of_county_sent"]
    assert h1["OUT_OF_COUNTY_RATE"] == pytest.approx(round(100 * row["out_of_county_sent"] / issued, 2))
    # The county hospital refers nobody up: its ratio is undefined, not infinite.
    assert pd.isna(h1["DOWN_UP_RATIO"]) and pd.isna(h1["GREEN_SHARE"])


def test_a_town_without_referrals_gives_empty_results(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(date(2024, 1, 1), date(2024, 3, 1), city="C1", county="K2", town="T9")
    for name in ("referrals_by_month", "referral_tier_flows", "referral_out_of_county_receivers",
                 "referral_by_facility"):
        assert execute(con, name, params(filters)).empty, name
    assert execute(con, "referral_facility_pairs", params(filters, top=5)).empty
    assert referrals.receivers(execute(con, "referral_out_of_county_receivers", params(filters))).empty


# ---------------------------------------------------------------------------------------------- shaping


def test_trend_window_is_at_least_a_year() -> None:
    assert referrals.trend_window(date(2024, 6, 1), date(2024, 6, 1)) == (date(2023, 7, 1), date(2024, 6, 1))
    assert referrals.trend_window(date(2022, 1, 1), date(2024, 6, 1)) == (date(2022, 1, 1), date(2024, 6, 1))


def test_trend_frame_puts_last_year_under_this_years_months() -> None:
    monthly = pd.DataFrame({
        "month": [date(2023, 1, 1), date(2024, 1, 1), date(2024, 2, 1)],
        "direction": ["up", "up", "down"],
        "referrals": [5.0, 7.0, 3.0],
    })
    trend = referrals.trend_frame(monthly, date(2024, 1, 1), date(2024, 2, 1), this_period="本期", last_year="上年")
    up = trend[trend["direction"] == "up"].set_index(["series", "month"])["referrals"]
    assert up[("本期", pd.Timestamp(2024, 1, 1))] == 7
    assert up[("上年", pd.Timestamp(2024, 1, 1))] == 5
    # No data reaches back to 2023-02 for last year's February? It does (2023-01 is the earliest), so zero.
    assert up[("上年", pd.Timestamp(2024, 2, 1))] == 0
    assert set(trend["direction"]) == set(referrals.DIRECTIONS)
    assert "2023年1月" in trend[(trend["series"] == "上年") & (trend["direction"] == "up")]["text"].iloc[0]


def test_referral_indicators_in_the_headline_exist_in_the_catalog() -> None:
    catalog = {row["code"]: Indicator.from_row(row) for row in load_catalog().to_dict("records")}
    assert all(code in catalog for code in referrals.HEADLINE)
    growth = catalog["down_referral_growth"]
    assert growth.growth_of == "down_referrals" and growth.target == 10
    assert indicator_value(catalog["down_up_ratio"], 3, 0) is None


def test_growth_ranking_compares_each_place_with_the_same_months_a_year_earlier(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthdash.data.kpi import by_place

    monkeypatch.setenv("HEALTHDASH_DB", str(tiny_db))
    filters = SELECTIONS["city"]
    got = by_place(filters, ["down_referral_growth"], "county").set_index("place_code")["value"]
    for county in ("K1", "K2"):
        place = Filters(filters.month_from, filters.month_to, city="C1", county=county)
        now = events(place, filters.month_from, filters.month_to)
        before = events(place, date(2023, 1, 1), date(2023, 3, 1))
        down_now = (now["direction"] == "down").sum()
        down_before = (before["direction"] == "down").sum()
        assert got[county] == pytest.approx((down_now - down_before) / down_before)

"""Jurisdictions against the tiny registry of world.py: written and parsed, checked, and resolved by
queries/scope_*.sql into the regions, facilities and alliances an account may see, deny by default; which
selections a page may show an account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from healthdash.access.errors import AccessError
from healthdash.access.scope import (
    PROVINCE,
    Reader,
    Scope,
    Visible,
    check_scope,
    file_reader,
    parse_scope,
    resolve,
)
from healthdash.data.db import CATALOG, execute, open_readonly
from tests.access.world import write_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """The tiny registry through one read-only connection (file_reader opens one a query: the CLI's way)."""
    with open_readonly(write_registry(tmp_path_factory.mktemp("scope") / "tiny.duckdb")) as con:
        yield lambda name, params: execute(con, name, dict(params), catalog=CATALOG)


@pytest.mark.parametrize(("text", "scope"), [
    ("province", PROVINCE), (" Province ", PROVINCE), ("city:C1", Scope("city", "C1")),
    ("county:450223", Scope("county", "450223")), ("COUNTY: 450223 ", Scope("county", "450223")),
    ("alliance:A1", Scope("alliance", "A1")), ("facility:H450223001", Scope("facility", "H450223001")),
])
def test_a_scope_is_written_kind_colon_code(text: str, scope: Scope) -> None:
    assert parse_scope(text) == scope
    assert parse_scope(scope.text) == scope


@pytest.mark.parametrize("text", ["", "county", "county:", "town:T1", "province:X", "region:K1", "county:K1:T1",
                                  "全省"])
def test_anything_else_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(AccessError) as refused:
        parse_scope(text)
    assert refused.value.zh.startswith(f"无法识别的管辖范围「{text}」")


@pytest.mark.parametrize(("scope", "name"), [(PROVINCE, "全省"), (Scope("city", "C1"), "甲市"),
                                             (Scope("county", "K1"), "乙县"), (Scope("alliance", "A2"), "甲市远程影像协作网"),
                                             (Scope("facility", "F2"), "二镇卫生院")])
def test_a_scope_that_exists_is_named(registry, scope: Scope, name: str) -> None:
    assert check_scope(registry, scope) == name


@pytest.mark.parametrize(("scope", "message"), [
    (Scope("county", "K9"), "管辖范围「county:K9」不存在：数据库中没有这个区县。"),
    (Scope("alliance", "K1"), "「乙县」（K1）是区县，不是医联体：请写 county:K1。"),
    (Scope("county", "T1"), "「一镇」（T1）是乡镇/街道：管辖范围只能是全省、市、区县、医联体或机构。"),
    (Scope("city", "P0"), "「省城」（P0）不在监测范围内，不能作为管辖范围。"),
    (Scope("facility", "HP"), "「省人民医院」（HP）不在监测范围内，不能作为管辖范围。"),
])
def test_a_scope_that_does_not_exist_here_is_refused(registry, scope: Scope, message: str) -> None:
    with pytest.raises(AccessError) as refused:
        check_scope(registry, scope)
    assert refused.value.zh == message


# scope -> (regions, facilities, alliances) it covers, read off the map in world.py.
COVERS = {
    "province": ("C1 K1 K2 T1 T2 T3 C2 K3 T4", "H1 H2 F1 F2 V1 F3 H3 F4 HP", "A1 A2 A3 A4"),
    "city:C1": ("C1 K1 K2 T1 T2 T3", "H1 H2 F1 F2 V1 F3", "A1 A2"),
    "county:K1": ("K1 T1 T2", "H2 F1 F2 V1", "A1"),
    "county:K2": ("K2 T3", "H1 F3", ""),
    "city:C2": ("C2 K3 T4", "H3 F4", "A3 A4"),        # A4 serves C2; its member H1 stays out of C2's facilities
    "alliance:A2": ("", "H1 F2 F3", "A2"),
    "facility:F2": ("", "F2", ""),
    # Deny by default: a code of another level, a place outside the monitored ones, a code nobody has.
    "city:K1": ("", "", ""),
    "county:C1": ("", "", ""),
    "county:P1": ("", "", ""),
    "county:K9": ("", "", ""),
    "alliance:K1": ("", "", ""),
    "facility:K1": ("", "", ""),
}


@pytest.mark.parametrize("text", list(COVERS))
def test_a_scope_covers_its_region_and_everything_below_and_nothing_else(registry, text: str) -> None:
    visible = resolve(registry, parse_scope(text))
    regions, facilities, alliances = (set(words.split()) for words in COVERS[text])
    assert (set(visible.regions), set(visible.facilities), set(visible.alliances)) == (regions, facilities, alliances)


def test_no_scope_sees_nothing(registry) -> None:
    visible = resolve(registry, None)
    assert visible.nothing and visible.level is None
    assert not visible.allows_selection(None, None, None, None)
    assert not any(visible.allows_region(code) for code in ("C1", "K1", None))


def test_the_queries_read_the_database_through_bound_parameters(registry) -> None:
    # A code that would change the query if it were pasted into the SQL text covers nothing.
    visible = resolve(registry, Scope("county", "K1' or '1'='1"))
    assert visible.nothing


SELECTIONS = [
    # scope, (city, county, town, alliance), may show
    ("province", (None, None, None, None), True),
    ("province", ("C2", "K3", None, "A3"), True),
    ("city:C1", ("C1", None, None, None), True),
    ("city:C1", ("C1", "K2", "T3", None), True),
    ("city:C1", (None, None, None, None), False),       # the all-cities total is above a city
    ("city:C1", ("C2", None, None, None), False),
    ("city:C1", ("C1", None, None, "A3"), False),       # an alliance of another city
    ("city:C1", ("C1", None, None, "A2"), True),
    ("county:K1", ("C1", "K1", None, None), True),
    ("county:K1", (None, "K1", "T2", None), True),
    ("county:K1", ("C1", None, None, None), False),     # the city's total is above a county
    ("county:K1", ("C1", "K2", None, None), False),
    ("county:K1", ("C1", "K1", "T3", None), False),     # a town of another county
    ("county:K1", ("C2", "K1", None, None), False),     # an inconsistent city
    ("county:K1", ("C1", "K1", None, "A1"), True),
    ("county:K1", ("C1", "K1", None, "A2"), False),     # the city-wide network is above the county
    ("alliance:A2", (None, None, None, "A2"), True),
    ("alliance:A2", (None, None, None, "A1"), False),
    ("alliance:A2", ("C1", None, None, "A2"), False),   # a place's totals are not the alliance's
    ("alliance:A2", (None, None, None, None), False),
    ("facility:F2", (None, None, None, None), False),   # a hospital sees its own profile only
    ("facility:F2", ("C1", "K1", "T2", None), False),
]


@pytest.mark.parametrize(("text", "selection", "allowed"), SELECTIONS)
def test_a_page_may_show_only_selections_inside_the_scope(registry, text: str, selection: tuple,
                                                          allowed: bool) -> None:
    assert resolve(registry, parse_scope(text)).allows_selection(*selection) is allowed


@pytest.mark.parametrize(("text", "start"), [("province", (None, None, None)), ("city:C1", ("C1", None, None)),
                                             ("county:K3", ("C2", "K3", None)), ("alliance:A1", (None, None, "A1")),
                                             ("facility:F1", (None, None, None))])
def test_the_sidebar_starts_from_the_accounts_own_place(registry, text: str, start: tuple) -> None:
    visible = resolve(registry, parse_scope(text))
    assert visible.default_selection() == start
    city, county, alliance = start
    if visible.scope.kind != "facility":
        assert visible.allows_selection(city, county, None, alliance)


@pytest.mark.parametrize(("outer", "inner", "covered"), [
    ("province", "city:C2", True), ("province", "province", True), ("city:C1", "county:K2", True),
    ("city:C1", "county:K3", False), ("city:C1", "province", False), ("county:K1", "facility:F1", True),
    ("county:K1", "facility:F3", False), ("county:K1", "alliance:A1", True), ("county:K1", "alliance:A2", False),
    ("alliance:A1", "facility:F2", True), ("facility:F2", "facility:F2", True), ("facility:F2", "county:K1", False),
])
def test_an_admin_may_grant_only_scopes_inside_their_own(registry, outer: str, inner: str, covered: bool) -> None:
    assert resolve(registry, parse_scope(outer)).covers(parse_scope(inner)) is covered


def test_the_level_of_totals_is_the_scopes_kind(registry) -> None:
    assert [resolve(registry, parse_scope(text)).level for text in ("province", "city:C1", "county:K1", "alliance:A1",
                                                                    "facility:F1")] == [
        "province", "city", "county", "alliance", "facility"]
    assert Visible(PROVINCE).everything and not Visible(Scope("city", "C1")).everything


def test_a_scope_reads_the_database_as_it_is_now(tmp_path: Path) -> None:
    db = write_registry(tmp_path / "tiny.duckdb", communities=False)
    assert resolve(file_reader(db), parse_scope("county:K1")).alliances == frozenset()
    write_registry(db)  # a load adds the county medical community
    assert resolve(file_reader(db), parse_scope("county:K1")).alliances == {"A1"}


def test_a_load_names_the_codes_outside_the_officers_county(registry) -> None:
    county = resolve(registry, parse_scope("county:K1"))
    found = county.outside(regions=["T1", "T3", "K1", "T3"], facilities=["F1", "H1", "F9"], alliances=["A1", "A2"])
    assert found == {"regions": ["T3"], "facilities": ["H1", "F9"], "alliances": ["A2"]}
    assert county.outside(regions=["T1", "T2"], facilities=["V1"]) == {"regions": [], "facilities": [],
                                                                      "alliances": []}
    assert resolve(registry, PROVINCE).outside(regions=["T9"], facilities=["F9"]) == {
        "regions": [], "facilities": [], "alliances": []}
    assert resolve(registry, None).outside(facilities=["F1"])["facilities"] == ["F1"]

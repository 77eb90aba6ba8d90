"""Building databases: determinism, the atomic swap, the direction rule, rollups against base tables."""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from healthdash.data.build import write_database
from healthdash.data.catalog import load_catalog
from healthdash.data.demo import build_demo

# Scale only multiplies the referral volume: 0.05 keeps it near 60,000 events so that two extra builds
# cost seconds, while every other table is generated in full.
SMALL_SCALE = 0.05


def _checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every table (meta without its build time)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [row[0] for row in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        sums = {}
        for name in names:
            where = "where x.key <> 'built_at'" if name == "meta" else ""
            sums[name] = con.execute(f'select count(*), coalesce(sum(hash(x)), 0) from "{name}" x {where}').fetchone()
        return sums


@pytest.fixture(scope="module")
def small_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[tuple]]:
    """Two builds with the same seed, made while any attempt to open a network connection is recorded."""
    attempts: list[tuple] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access during a build")

    folder = tmp_path_factory.mktemp("small")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        first = folder / "first.duckdb"
        second = folder / "second.duckdb"
        build_demo(first, scale=SMALL_SCALE)
        build_demo(second, scale=SMALL_SCALE)
    return first, second, attempts


def test_same_seed_builds_identical_tables(small_builds: tuple[Path, Path, list[tuple]]) -> None:
    first, second, _ = small_builds
    assert _checksums(first) == _checksums(second)


def test_another_seed_builds_other_data(small_builds: tuple[Path, Path, list[tuple]], tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    build_demo(other, scale=SMALL_SCALE, seed=7)
    assert _checksums(other)["referral"] != _checksums(small_builds[0])["referral"]


def test_build_opens_no_network_connection(small_builds: tuple[Path, Path, list[tuple]]) -> None:
    assert small_builds[2] == []


def test_failed_build_leaves_existing_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "health.duckdb"
    path.write_bytes(b"the database readers have open")
    with pytest.raises(duckdb.Error):
        write_database(path, {"region": pd.DataFrame({"no_such_column": [1]})}, "demo")
    assert path.read_bytes() == b"the database readers have open"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_write_database_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "health.duckdb"
    path.write_bytes(b"old")
    messages: list[tuple[float, str]] = []
    write_database(path, {"indicator": load_catalog()}, "production", lambda f, m: messages.append((f, m)))
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select value from meta where key = 'dataset_kind'").fetchone() == ("production",)
        assert con.execute("select count(*) from indicator").fetchone()[0] == len(load_catalog())
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.fixture(scope="module")
def con(demo_db: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(demo_db), read_only=True)
    yield connection
    connection.close()


def test_meta_describes_the_demo(con: duckdb.DuckDBPyConnection) -> None:
    meta = dict(con.execute("select key, value from meta").fetchall())
    events = con.execute("select count(*) from referral").fetchone()[0]
    assert meta["dataset_kind"] == "demo"
    assert meta["schema_version"] == "6", "a new database has the last layout of healthdash/data/migrate.py"
    assert meta["scale"] == "1" and meta["seed"].isdigit() and meta["built_at"]
    assert int(meta["referral_events"]) == events
    assert 1_000_000 <= events <= 1_300_000


def test_every_referral_direction_follows_the_macro(con: duckdb.DuckDBPyConnection) -> None:
    disagreements = con.execute("""
        select x.direction, referral_direction(s, r) as rule, count(*)
        from referral x
        join facility_geo s on s.facility_code = x.from_facility
        join facility_geo r on r.facility_code = x.to_facility
        where referral_direction(s, r) is distinct from x.direction
        group by all
    """).fetchall()
    assert disagreements == []


@pytest.mark.parametrize(
    ("sender", "receiver", "direction"),
    [
        ("鹿寨县鹿寨镇卫生院", "鹿寨县人民医院", "up"),
        ("鹿寨县人民医院", "鹿寨县中渡镇卫生院", "down"),
        ("鹿寨县人民医院", "柳州市人民医院", "out_of_county"),
        ("柳州市人民医院", "鹿寨县人民医院", "returned"),
        ("四川大学华西医院", "雅安市人民医院", "returned"),
        ("自贡市第一人民医院", "大安区人民医院", "down"),
        ("自贡市第一人民医院", "四川大学华西医院", "out_of_county"),
        ("鹿寨县人民医院", "鹿寨县中医医院", None),
    ],
)
def test_direction_rule_cases(con: duckdb.DuckDBPyConnection, sender: str, receiver: str, direction: str | None) -> None:
    result = con.execute("""
        select referral_direction(s, r)
        from facility_geo s, facility_geo r
        where s.facility_name = $sender and r.facility_name = $receiver
    """, {"sender": sender, "receiver": receiver}).fetchone()
    assert result == (direction,)


def test_referral_rollups_count_every_event(con: duckdb.DuckDBPyConnection) -> None:
    events = con.execute("""
        select direction, count(*), count(*) filter (where green_channel)
        from referral where status <> 'cancelled' group by 1 order by 1
    """).fetchall()
    flows = con.execute("""
        select direction, sum(referrals), sum(green_referrals) from referral_flow_monthly group by 1 order by 1
    """).fetchall()
    by_disease = con.execute("select direction, sum(referrals) from referral_disease_monthly group by 1 order by 1").fetchall()
    facts = con.execute("""
        select replace(indicator_code, '_referrals', ''), sum(numerator) from indicator_fact
        where indicator_code in ('up_referrals', 'down_referrals', 'out_of_county_referrals', 'returned_referrals')
        group by 1 order by 1
    """).fetchall()
    assert flows == events
    assert by_disease == [(d, n) for d, n, _ in events]
    assert dict(facts) == {d: n for d, n, _ in events}


@pytest.mark.parametrize(
    ("indicator", "base"),
    [
        ("outpatient_visits", "select sum(outpatient_visits) from service_volume"),
        ("inpatient_discharges", "select sum(inpatient_discharges) from service_volume"),
        ("staff_sent_down", "select sum(doctors_sent + nurses_sent + pharmacists_sent + technicians_sent) from alliance_activity"),
        ("regional_lab_tests", "select sum(remote_cases) from shared_service where service = 'lab'"),
        ("fd_coverage", "select sum(numerator) from public_health where indicator_code = 'fd_coverage'"),
        ("county_retention_rate", "select sum(visits_in_county) from resident_care"),
    ],
)
def test_indicator_fact_adds_up_to_base_tables(con: duckdb.DuckDBPyConnection, indicator: str, base: str) -> None:
    rolled = con.execute("select sum(numerator) from indicator_fact where indicator_code = $code", {"code": indicator}).fetchone()[0]
    assert rolled == con.execute(base).fetchone()[0]


def test_every_catalog_indicator_has_facts(con: duckdb.DuckDBPyConnection) -> None:
    missing = con.execute("""
        select i.code from indicator i
        where i.aggregation <> 'growth'
          and not exists (select 1 from indicator_fact f where f.indicator_code = i.code)
    """).fetchall()
    assert missing == []


def test_catalog_is_loaded_whole(con: duckdb.DuckDBPyConnection) -> None:
    catalog = load_catalog()
    assert con.execute("select count(*) from indicator").fetchone()[0] == len(catalog)
    growth = catalog[catalog["aggregation"] == "growth"]
    assert set(growth["growth_of"]) <= set(catalog["code"])


def test_places_the_seed_reports_name(con: duckdb.DuckDBPyConnection) -> None:
    def count(sql: str) -> int:
        return con.execute(sql).fetchone()[0]

    assert count("select count(*) from facility_geo where county_code = '450223' and tier = 'township'") == 9
    assert count("""select count(*) from facility_geo g join region c on c.code = g.county_code
                    where c.name = '名山区' and g.tier in ('township', 'community')""") == 13
    members = con.execute("""
        select g.tier, count(*) from alliance a
        join alliance_member m on m.alliance_code = a.code
        join facility_geo g on g.facility_code = m.facility_code
        where a.name = '鹿寨县医共体' group by 1 order by 1
    """).fetchall()
    assert members == [("county", 3), ("township", 9)]
    assert count("select sum(population) from region where parent_code = '511803'") == 254_000


def test_public_health_targets_split_the_towns(con: duckdb.DuckDBPyConnection) -> None:
    """Some towns meet the immunisation target and some do not, so the page has something to show."""
    below, meeting = con.execute("""
        with towns as (
            select town_code, sum(numerator) / sum(denominator) as rate from public_health
            where indicator_code = 'child_immunization_rate' and year(month) = 2025 group by 1
        )
        select count(*) filter (where rate < 0.9), count(*) filter (where rate >= 0.9) from towns
    """).fetchone()
    assert below > 0 and meeting > 0

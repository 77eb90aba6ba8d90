"""Loads in scope: a data officer's file with any row outside their jurisdiction is refused whole, the rows
named, the database file byte for byte as it was; a file inside it loads. The jurisdiction is the one the
scope rules resolve (healthdash.access.scope) on the tiny world of tests/support/load_world.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from healthdash.access.scope import Scope, file_reader, resolve
from healthdash.ingest import loader
from tests.support.load_world import FEB, build_tiny, csv_bytes, sha256, table

VOLUME = {"outpatient_visits": 10, "inpatient_discharges": 1, "critical_cases": 0, "inpatient_spending": 1}


@pytest.fixture(scope="module")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("jurisdiction") / "health.duckdb")


@pytest.fixture
def db(tiny_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "health.duckdb"
    shutil.copyfile(tiny_master, path)
    return path


def allows_of(db: Path, scope: Scope):
    visible = resolve(file_reader(db), scope)
    checks = {"region": visible.allows_region, "facility": visible.allows_facility,
              "alliance": visible.allows_alliance}
    return lambda kind, code: checks[kind](code)


def sources(*files: tuple[str, bytes]) -> list:
    return loader.read_uploads(list(files))


def test_a_file_with_a_row_outside_the_county_is_refused_whole_and_nothing_changes(db: Path) -> None:
    """乙县's officer: a row for 甲市第一人民医院 (丙区) among their own hospital's rows."""
    report = csv_bytes("service_volume", [{"facility_code": "HK1", "month": "2024-02", **VOLUME},
                                          {"facility_code": "HD1", "month": "2024-02", **VOLUME}])
    before = sha256(db)
    county = allows_of(db, Scope("county", "K1"))
    checked = loader.dry_run(db, sources(("门急诊与住院服务量.csv", report)), allows=county)
    assert not checked.ok
    problems = checked.checked.problems
    assert list(problems["value"]) == ["HD1"] and list(problems["row"]) == [3]
    assert "不在您的管辖范围内" in problems["message_zh"].iloc[0]
    applied = loader.apply(db, sources(("门急诊与住院服务量.csv", report)), "officer", allows=county)
    assert not applied.applied
    assert sha256(db) == before, "the database file is byte-identical"


def test_public_health_of_another_county_and_a_referral_sent_from_outside_are_refused(db: Path) -> None:
    health = csv_bytes("public_health", [{"town_code": "T3", "month": "2024-01", "indicator_code": "fd_coverage",
                                          "numerator": 1, "denominator": 2}])
    referral = csv_bytes("referral", [{"from_facility": "CT3", "to_facility": "HD1", "referral_date": "2024-02-11",
                                       "direction": "up", "disease_chapter": "IX", "green_channel": "否",
                                       "status": "已完成"}])
    county = allows_of(db, Scope("county", "K1"))
    for name, data, code in (("公共卫生.csv", health, "T3"), ("双向转诊.csv", referral, "CT3")):
        result = loader.dry_run(db, sources((name, data)), allows=county)
        assert not result.ok and list(result.checked.problems["value"]) == [code], name


def test_rows_inside_the_jurisdiction_load_and_referrals_out_of_the_county_are_theirs(db: Path) -> None:
    """A referral from the county's hospital to a hospital elsewhere is the county's own report."""
    report = csv_bytes("service_volume", [{"facility_code": "HK1", "month": "2024-02", **VOLUME}])
    referral = csv_bytes("referral", [{"from_facility": "HK1", "to_facility": "HD1", "referral_date": "2024-02-12",
                                       "direction": "out_of_county", "disease_chapter": "IX", "green_channel": "否",
                                       "status": "已完成"}])
    county = allows_of(db, Scope("county", "K1"))
    result = loader.apply(db, sources(("门急诊与住院服务量.csv", report), ("双向转诊.csv", referral)), "officer",
                          allows=county)
    assert result.applied, result.checked.problems.to_dict("records")
    volume = table(db, "service_volume")
    assert volume.loc[(volume["facility_code"] == "HK1") & (pd.to_datetime(volume["month"]) == pd.Timestamp(FEB)), "outpatient_visits"].tolist() == [10]


def test_an_account_without_a_jurisdiction_loads_nothing(db: Path) -> None:
    report = csv_bytes("service_volume", [{"facility_code": "HK1", "month": "2024-02", **VOLUME}])
    result = loader.dry_run(db, sources(("门急诊与住院服务量.csv", report)), allows=allows_of(db, None))
    assert not result.ok

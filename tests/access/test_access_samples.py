"""The demo's sample accounts: one per role and level, on places the database has, each signing in with the
password printed once; a second run renews the passwords."""

from __future__ import annotations

from pathlib import Path

from healthdash.access import accounts, signin
from healthdash.access.roles import Role
from healthdash.access.samples import create_sample_accounts
from healthdash.access.scope import Scope, file_reader
from healthdash.access.store import Store
from tests.access.conftest import FAST
from tests.access.world import write_registry


def test_one_account_per_role_and_level_each_signing_in(tmp_path: Path) -> None:
    registry = file_reader(write_registry(tmp_path / "tiny.duckdb"))
    store = Store(tmp_path / "accounts.sqlite", iterations=FAST)
    made = create_sample_accounts(store, registry)
    assert [(sample.name, sample.role, sample.scope, sample.place) for sample in made] == [
        ("demo-admin", Role.ADMIN, Scope("province"), "全省"),
        ("demo-city-analyst", Role.ANALYST, Scope("city", "C1"), "甲市"),
        ("demo-county-viewer", Role.VIEWER, Scope("county", "K1"), "乙县"),
        ("demo-county-officer", Role.OFFICER, Scope("county", "K1"), "乙县"),
        ("demo-alliance-viewer", Role.VIEWER, Scope("alliance", "A1"), "乙县医共体"),
        ("demo-facility-viewer", Role.VIEWER, Scope("facility", "F1"), "一镇卫生院"),
    ]
    assert {sample.role for sample in made} == set(Role)
    for sample in made:
        result = signin.sign_in(store, sample.name, sample.password, None)
        assert result.ok and not result.must_change, sample.name

    again = create_sample_accounts(store, registry)
    assert len(accounts.list_accounts(store)) == len(made)
    for old, new in zip(made, again, strict=True):
        assert old.password != new.password
        assert signin.sign_in(store, old.name, old.password, None).outcome == "wrong"
        assert signin.sign_in(store, new.name, new.password, None).ok


def test_without_a_county_medical_community_only_the_admin_is_made(tmp_path: Path) -> None:
    registry = file_reader(write_registry(tmp_path / "tiny.duckdb", communities=False))
    made = create_sample_accounts(Store(tmp_path / "accounts.sqlite", iterations=FAST), registry)
    assert [(sample.name, sample.scope) for sample in made] == [("demo-admin", Scope("province"))]

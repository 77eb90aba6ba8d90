"""Account administration on SQLite and PostgreSQL: add, list, change role or scope, disable, reset; bad
input refused in Chinese with nothing changed; the last province admin kept; every change audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthdash.access import accounts, audit
from healthdash.access.audit import Action
from healthdash.access.errors import AccessError
from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE, Scope, file_reader
from healthdash.access.store import Store
from tests.access.world import write_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    return file_reader(write_registry(tmp_path_factory.mktemp("registry") / "tiny.duckdb"))


def changes(store: Store) -> list[dict[str, object]]:
    return [dict(entry.detail) for entry in reversed(audit.entries(store, action=Action.ACCOUNT_CHANGE))]


def test_an_added_account_is_listed_with_its_role_and_scope(store: Store, registry) -> None:
    accounts.add_account(store, "Wang.Li", "analyst", Scope("city", "C1"), "0123456789", by="admin",
                         address="10.0.0.1", registry=registry)
    accounts.add_account(store, "张三", "查看", None, "0123456789", by="admin")
    listed = {account.name: account for account in accounts.list_accounts(store)}
    assert set(listed) == {"wang.li", "张三"}
    assert (listed["wang.li"].role, listed["wang.li"].scope) == (Role.ANALYST, Scope("city", "C1"))
    assert listed["wang.li"].enabled and listed["wang.li"].must_change
    assert listed["张三"].scope is None  # no jurisdiction: sees nothing
    entry = audit.entries(store, action=Action.ACCOUNT_CHANGE)[-1]
    assert (entry.actor, entry.address, entry.detail) == (
        "admin", "10.0.0.1", {"change": "add", "account": "wang.li", "role": "analyst", "scope": "city:C1"})


@pytest.mark.parametrize(("change", "message"), [
    ({"name": "Zhang"}, "账户「zhang」已存在。"),
    ({"name": "a"}, "账户名「a」无效"),
    ({"name": "bad name"}, "账户名「bad name」无效"),
    ({"role": "boss"}, "未知角色「boss」"),
    ({"scope": Scope("county", "K9")}, "管辖范围「county:K9」不存在：数据库中没有这个区县。"),
    ({"scope": Scope("city", "K1")}, "「乙县」（K1）是区县，不是市：请写 county:K1。"),
    ({"scope": Scope("county", "P1")}, "「省城区」（P1）不在监测范围内"),
    ({"password": "too-short"}, "密码至少需要 10 个字符。"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(store: Store, registry, change: dict,
                                                             message: str) -> None:
    accounts.add_account(store, "zhang", "viewer", None, "0123456789", by="admin")
    before = (accounts.list_accounts(store), audit.entries(store))
    arguments = {"name": "li", "role": "viewer", "scope": Scope("county", "K1"), "password": "0123456789", **change}
    with pytest.raises(AccessError) as refused:
        accounts.add_account(store, arguments["name"], arguments["role"], arguments["scope"], arguments["password"],
                             by="admin", registry=registry)
    assert message in refused.value.zh
    assert (accounts.list_accounts(store), audit.entries(store)) == before


def test_role_and_scope_change_and_are_audited(store: Store, registry) -> None:
    accounts.add_account(store, "zhang", "viewer", Scope("county", "K1"), "0123456789", by="admin")
    accounts.update_account(store, "zhang", role="analyst", by="admin", registry=registry)
    changed = accounts.update_account(store, "zhang", scope=Scope("alliance", "A1"), by="admin", registry=registry)
    assert (changed.role, changed.scope) == (Role.ANALYST, Scope("alliance", "A1"))
    cleared = accounts.update_account(store, "zhang", scope=None, by="admin")
    assert cleared.scope is None
    with pytest.raises(AccessError, match="不存在"):
        accounts.update_account(store, "zhang", scope=Scope("facility", "nope"), by="admin", registry=registry)
    with pytest.raises(AccessError, match="没有名为「nobody」的账户"):
        accounts.update_account(store, "nobody", role="admin", by="admin")
    assert changes(store)[1:] == [
        {"change": "update", "account": "zhang", "role": ["viewer", "analyst"]},
        {"change": "update", "account": "zhang", "scope": ["county:K1", "alliance:A1"]},
        {"change": "update", "account": "zhang", "scope": ["alliance:A1", None]},
    ]


def test_disable_enable_reset_and_unlock_are_audited(store: Store) -> None:
    accounts.add_account(store, "zhang", "viewer", None, "0123456789", by="admin")
    assert not accounts.set_enabled(store, "zhang", False, by="admin").enabled
    assert accounts.set_enabled(store, "zhang", True, by="admin").enabled
    accounts.reset_password(store, "zhang", "another-password", by="admin")
    accounts.unlock(store, "zhang", by="admin")
    assert [change["change"] for change in changes(store)] == ["add", "disable", "enable", "reset_password", "unlock"]


def test_the_last_province_admin_cannot_be_disabled_demoted_or_narrowed(store: Store) -> None:
    accounts.add_account(store, "root", "admin", PROVINCE, "0123456789", by="setup")
    accounts.add_account(store, "county-admin", "admin", Scope("county", "K1"), "0123456789", by="setup")
    for attempt in (lambda: accounts.set_enabled(store, "root", False, by="root"),
                    lambda: accounts.update_account(store, "root", role="viewer", by="root"),
                    lambda: accounts.update_account(store, "root", scope=Scope("city", "C1"), by="root")):
        with pytest.raises(AccessError, match="最后一个启用的全省管理员"):
            attempt()
    assert accounts.get_account(store, "root").enabled
    accounts.add_account(store, "second", "admin", PROVINCE, "0123456789", by="root")
    assert not accounts.set_enabled(store, "root", False, by="second").enabled


def test_the_default_store_lives_beside_the_database_and_survives_a_swap_of_it(tmp_path: Path) -> None:
    from healthdash.access.config import AccessConfig
    from healthdash.access.store import open_store

    db = write_registry(tmp_path / "health.duckdb")
    store = open_store(db, AccessConfig())
    accounts.add_account(store, "zhang", "viewer", None, "0123456789", by="admin")
    audit.record(store, Action.LOAD, actor="zhang", address="10.0.0.1", scope="county:K1", detail={"batch": 1})
    store.close()
    write_registry(db)  # a new file swapped in, as a load does
    reopened = open_store(db, AccessConfig())
    assert reopened.location == str(tmp_path / "accounts.sqlite")
    assert [entry.action for entry in audit.entries(reopened)] == [Action.LOAD, Action.ACCOUNT_CHANGE]
    assert accounts.get_account(reopened, "zhang") is not None

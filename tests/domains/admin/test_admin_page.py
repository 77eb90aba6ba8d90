"""账户与审计 (pages/admin.py) through AppTest, as a signed-in admin uses it: adding an account lists it,
bad input says why in Chinese and adds nothing, a disabled account can no longer sign in, the audit log
shows the change in words and its export is itself audited; a county admin is offered only its county's
jurisdictions; a viewer has no such page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from healthdash.access import accounts, audit, signin
from healthdash.access.audit import Action
from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE, Scope
from healthdash.access.store import open_store
from tests.support.app import new_session
from tests.support.downloads import offered_files
from tests.support.places import region_code
from tests.support.signed import FAST, PASSWORD, signed_in, with_accounts

PAGE = "pages/admin.py"


@pytest.fixture
def admin_db(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo with its own account store: a province admin, a county admin and a viewer."""
    county = Scope("county", region_code(demo_db, "鹿寨县"))
    return with_accounts(demo_db, tmp_path / "health.duckdb", [("root", Role.ADMIN, PROVINCE),
                                                              ("county-admin", Role.ADMIN, county),
                                                              ("looker", Role.VIEWER, county)])


def on_admin_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> AppTest:
    at = signed_in(db_path, monkeypatch, name)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def names(db_path: Path) -> list[str]:
    return [account.name for account in accounts.list_accounts(open_store(db_path))]


def add(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="admin_add_name").input(name)
    at.selectbox(key="admin_add_role").set_value(Role.ANALYST)
    at.text_input(key="admin_add_password").input(password)
    at.button(key="FormSubmitter:admin_add-添加账户").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    return " ".join(str(frame.value.to_csv()) for frame in at.dataframe)


def test_an_added_account_is_listed_and_audited_in_words(admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = on_admin_page(admin_db, monkeypatch, "root")
    add(at, "newcomer", "a-good-password-1")
    assert "newcomer" in names(admin_db)
    assert any("已添加账户「newcomer」" in box.value for box in at.success)
    accounts_frame = at.dataframe[0].value
    row = accounts_frame[accounts_frame["账户名"] == "newcomer"].iloc[0]
    assert row["角色"] == "分析" and row["启用"] == "是" and row["须改密码"] == "是"
    log = at.dataframe[1].value
    added = log[log["详情"].str.contains("newcomer")].iloc[0]
    assert added["操作"] == "账户变更" and added["账户"] == "root"
    assert "变更：新增账户" in added["详情"] and "角色：分析" in added["详情"]
    assert "account_change" not in shown(at) and '"change"' not in shown(at)


def test_a_short_password_is_refused_in_chinese_and_nothing_is_added(admin_db: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    before = names(admin_db)
    at = on_admin_page(admin_db, monkeypatch, "root")
    add(at, "shorty", "short")
    assert any("密码至少需要 10 个字符" in box.value for box in at.error)
    assert names(admin_db) == before
    add(at, "looker", "a-good-password-1")
    assert any("账户「looker」已存在" in box.value for box in at.error)
    assert names(admin_db) == before


def test_a_disabled_account_can_no_longer_sign_in(admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = on_admin_page(admin_db, monkeypatch, "root")
    at.selectbox(key="admin_pick").set_value("looker")
    at.run()
    at.button(key="admin_switch").click()
    at.run()
    assert not at.exception
    assert any("已停用账户「looker」" in box.value for box in at.success)
    attempt = signin.sign_in(open_store(admin_db, iterations=FAST), "looker", PASSWORD, "127.0.0.2")
    assert not attempt.ok and attempt.outcome == "disabled"


def test_the_audit_export_is_itself_audited(admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offered = offered_files(monkeypatch)
    on_admin_page(admin_db, monkeypatch, "root")
    csv_name = next(name for name in offered if name.startswith("审计日志") and name.endswith(".csv"))
    content = offered[csv_name]()
    assert "账户变更" in bytes(content).decode("utf-8-sig")  # type: ignore[arg-type]
    exported = audit.entries(open_store(admin_db), actor="root", action=Action.EXPORT)
    assert len(exported) == 1 and exported[0].detail["file"] == csv_name
    assert exported[0].scope == "province"


def test_a_county_admin_is_offered_only_its_county(admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = on_admin_page(admin_db, monkeypatch, "county-admin")
    offered = at.selectbox(key="admin_add_scope").options
    assert any("鹿寨县" in label for label in offered)
    assert "全省" not in offered
    assert not any(other in label for label in offered for other in ("荣县", "名山区", "柳州市"))
    listed = at.dataframe[0].value["账户名"].tolist()
    assert "root" not in listed and "looker" in listed


def test_a_viewer_has_no_admin_page(admin_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_AUTH", "required")
    token = signin.sign_in(open_store(admin_db, iterations=FAST), "looker", PASSWORD, "127.0.0.1").token
    at = new_session(admin_db, monkeypatch)
    at.session_state["_account_token"] = token
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)

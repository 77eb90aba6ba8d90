"""The audit log on SQLite and PostgreSQL: a row for every kind of action with who, when, from where, what
and under which jurisdiction; read back filtered by time, account and action; exported as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from healthdash.access import accounts, audit, sessions, signin
from healthdash.access.audit import Action
from healthdash.access.errors import AccessError
from healthdash.access.scope import Scope
from healthdash.access.store import Store
from tests.access.conftest import Clock

PASSWORD = "right-password"


def test_every_action_leaves_its_row(store: Store, clock: Clock) -> None:
    accounts.add_account(store, "officer", "officer", Scope("county", "K1"), PASSWORD, by="admin", address="10.0.0.9")
    token = signin.sign_in(store, "officer", PASSWORD, "10.0.0.1").token
    sessions.end(store, token, "10.0.0.1")
    for _ in range(5):
        signin.sign_in(store, "officer", "wrong-password", "10.0.0.2")
    work = {Action.EXPORT: {"view": "overview", "file": "总览.csv"}, Action.BRIEFING: {"period": "2024-01"},
            Action.LOAD: {"batch": 7, "file": "一月.xlsx"}, Action.DRY_RUN: {"file": "一月.xlsx"},
            Action.UNDO: {"batch": 7},
            Action.QUALITY_MARK: {"mark": 3, "check_id": "zscore", "unit_code": "H1", "status": "verified"},
            Action.QUALITY_EXCEPTION: {"exception": 2, "unit": "H1", "dataset": "", "from": "2025-03", "to": "2025-05"},
            Action.APPRAISAL_JUDGEMENT: {"county": "K1", "year": 2025, "item": "resource_unified", "met": True},
            Action.APPRAISAL_TARGETS: {"file": "目标值.xlsx", "rows": 14},
            Action.APPRAISAL_SCHEME_UPLOAD: {"scheme": "市考核方案2026", "file": "方案.toml"},
            Action.APPRAISAL_SCHEME_CHOICE: {"scheme": "市考核方案2026"},
            Action.APPRAISAL_SCHEME_RETIRE: {"scheme": "upload:2", "name": "市考核方案2026", "was_active": True}}
    for action, detail in work.items():
        clock.advance(1)
        audit.record(store, action, actor="officer", address="10.0.0.1", scope="county:K1", detail=detail)

    logged = audit.entries(store)
    assert {entry.action for entry in logged} == set(Action)
    by_action = {entry.action: entry for entry in logged}  # the newest of each
    for action, detail in work.items():
        entry = by_action[action]
        assert (entry.actor, entry.address, entry.scope, dict(entry.detail)) == ("officer", "10.0.0.1", "county:K1",
                                                                               detail)
    assert (by_action[Action.SIGN_IN].actor, by_action[Action.SIGN_IN].address) == ("officer", "10.0.0.1")
    assert by_action[Action.SIGN_IN].scope == "county:K1"
    assert by_action[Action.LOCKOUT].detail == {"failures": 5, "minutes": 15}
    assert by_action[Action.SIGN_IN_FAILED].address == "10.0.0.2"
    assert by_action[Action.ACCOUNT_CHANGE].address == "10.0.0.9"
    assert [entry.at for entry in logged] == sorted((entry.at for entry in logged), reverse=True)  # newest first


def test_rows_are_filtered_by_time_account_and_action(store: Store, clock: Clock) -> None:
    start = clock.now
    for hour, actor, action in [(0, "zhang", Action.EXPORT), (1, "li", Action.EXPORT), (2, "zhang", Action.LOAD),
                                (3, "zhang", Action.EXPORT)]:
        clock.now = start + hour * 3600
        audit.record(store, action, actor=actor, address=None, scope=None, detail={"hour": hour})

    def hours(**filters: object) -> list[object]:
        return [entry.detail["hour"] for entry in audit.entries(store, **filters)]

    assert hours() == [3, 2, 1, 0]
    assert hours(actor="zhang") == [3, 2, 0]
    assert hours(action=Action.EXPORT) == [3, 1, 0]
    assert hours(actor="zhang", action="export") == [3, 0]
    assert hours(since=start + 3600) == [3, 2, 1]            # since: inclusive
    assert hours(until=start + 2 * 3600) == [1, 0]           # until: exclusive
    assert hours(since=start + 3600, until=start + 3 * 3600, actor="zhang") == [2]
    assert hours(limit=2) == [3, 2]


def test_the_csv_opens_in_excel_and_defuses_what_an_attacker_typed(store: Store) -> None:
    signin.sign_in(store, "=HYPERLINK(\"http://x\")", "whatever-pw", "10.0.0.3")  # a formula as the name
    audit.record(store, Action.EXPORT, actor="zhang", address="10.0.0.1", scope="county:K1",
                 detail={"view": "总览", "rows": 12})
    data = audit.csv_bytes(audit.entries(store))
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "账户", "地址", "操作", "管辖范围", "详情"]
    assert rows[1][1:5] == ["zhang", "10.0.0.1", "导出", "county:K1"]
    assert '"view": "总览"' in rows[1][5]
    assert rows[2][3] == "登录失败" and rows[2][1] == ""  # a name without an account is no actor
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert '"name": "=hyperlink' in rows[2][5]  # inside the JSON, whose text starts with "{"
    english = list(csv.reader(io.StringIO(audit.csv_bytes(audit.entries(store), "en").decode("utf-8-sig"))))
    assert english[0][3] == "Action" and english[1][3] == "Export"


def test_a_formula_in_a_leading_cell_gets_an_apostrophe(store: Store) -> None:
    audit.record(store, Action.EXPORT, actor="=cmd|' /C calc'!A0", address="-1+1", scope=None)
    row = list(csv.reader(io.StringIO(audit.csv_bytes(audit.entries(store)).decode("utf-8-sig"))))[1]
    assert row[1] == "'=cmd|' /C calc'!A0" and row[2] == "'-1+1"


@pytest.mark.parametrize(("text", "action"), [("load", Action.LOAD), ("导入数据", Action.LOAD), (" Sign_In ", Action.SIGN_IN)])
def test_an_action_is_named_by_its_code_or_its_chinese_label(text: str, action: Action) -> None:
    assert audit.parse_action(text) is action


def test_an_unknown_action_or_date_is_refused_in_chinese() -> None:
    with pytest.raises(AccessError, match="未知操作类型「login」"):
        audit.parse_action("login")
    with pytest.raises(AccessError, match="日期「2026-13-01」无效"):
        audit.day_start("2026-13-01")

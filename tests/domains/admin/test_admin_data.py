"""The admin page's tables in words (healthdash/domains/admin/data.py), from given rows: every change,
refusal reason and detail key the access package writes has a label in both languages, details read as
sentences, and an admin is offered and shown only what lies inside its jurisdiction."""

from __future__ import annotations

import pytest

from healthdash.access.audit import Action, Entry
from healthdash.access.scope import PROVINCE, Scope, Visible
from healthdash.core.i18n import t
from healthdash.domains.admin import data as admin

FOUND = admin.Places({"city:C1": "甲市", "county:K1": "乙县", "county:K2": "丙县", "alliance:A1": "乙县医共体",
                      "facility:H1": "乙县人民医院"})
COUNTY = Visible(Scope("county", "K1"), regions=frozenset({"K1", "T1"}), facilities=frozenset({"H1"}),
                 alliances=frozenset({"A1"}))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_the_log_holds_has_words(lang: str) -> None:
    keys = ([f"admin.change.{c}" for c in admin.KNOWN_CHANGES] + [f"admin.reason.{r}" for r in admin.KNOWN_REASONS]
            + [f"admin.detail.{k}" for k in admin.DETAIL_KEYS] + [f"access.action.{a.value}" for a in Action])
    assert [key for key in keys if t(key, lang=lang) == key] == []


def test_a_change_reads_as_words_with_place_names() -> None:
    detail = {"change": "update", "account": "zhang", "role": ["viewer", "analyst"], "scope": ["county:K1", "city:C1"]}
    text = admin.detail_text(detail, FOUND, "zh")
    assert text == "变更：修改角色或管辖范围；账户：zhang；角色：查看 → 分析；管辖范围：区县 乙县 (K1) → 市 甲市 (C1)"
    english = admin.detail_text(detail, FOUND, "en")
    assert english.startswith("change: role or jurisdiction changed; account: zhang; role: Viewer → Analyst")


def test_a_failed_sign_in_and_an_export_read_as_words() -> None:
    assert admin.detail_text({"name": "x", "reason": "wrong", "failures": 2}, FOUND) == \
        "输入的账户名：x；原因：密码错误；失败次数：2"
    assert admin.detail_text({"view": "排名", "file": "a.csv", "place": "乙县", "period": "2025年"}, FOUND) == \
        "视图：排名；文件：a.csv；地区：乙县；时间：2025年"


def test_a_county_admin_is_offered_only_what_its_county_covers() -> None:
    offered = admin.scope_options(COUNTY, FOUND)
    assert offered == [Scope("county", "K1"), Scope("alliance", "A1"), Scope("facility", "H1"), None]
    assert admin.scope_options(Visible(PROVINCE), FOUND)[0] == PROVINCE


def test_a_county_admin_reads_only_rows_of_its_accounts_and_county() -> None:
    def entry(actor: str | None, scope: str | None, **detail: object) -> Entry:
        return Entry(1, 0.0, actor, None, Action.SIGN_IN, scope, detail)

    rows = [entry("mine", "county:K1"), entry("other", "county:K2"), entry("root", None, account="mine"),
            entry(None, None, name="guess"), entry("root", "province")]
    seen = admin.seen_by(rows, COUNTY, {"mine"})
    assert [(row.actor, row.scope) for row in seen] == [("mine", "county:K1"), ("root", None)]
    assert len(admin.seen_by(rows, Visible(PROVINCE), set())) == len(rows)

"""What each role may do, and how a role is named on the command line."""

from __future__ import annotations

import pytest

from healthdash.access.errors import AccessError
from healthdash.access.roles import Permission, Role, allows, parse_role

# role -> permissions, as issue 19 and DESIGN.md section 7 give them.
EXPECTED = {
    "viewer": {"view"},
    "analyst": {"view", "whatif", "export"},
    "officer": {"view", "load"},
    "admin": {"view", "whatif", "export", "load", "admin"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("permission", [permission.value for permission in Permission])
def test_each_role_may_do_exactly_its_permissions(role: str, permission: str) -> None:
    assert allows(role, permission) == (permission in EXPECTED[role])


@pytest.mark.parametrize("role", [None, "", "root", "ADMIN "])
def test_no_role_or_an_unknown_one_may_do_nothing(role: str | None) -> None:
    assert not any(allows(role, permission) for permission in Permission)


@pytest.mark.parametrize(("text", "role"), [("viewer", Role.VIEWER), (" Analyst ", Role.ANALYST), ("查看", Role.VIEWER),
                                            ("分析", Role.ANALYST), ("数据上报", Role.OFFICER),
                                            ("data_officer", Role.OFFICER), ("管理员", Role.ADMIN)])
def test_a_role_is_named_by_its_code_or_its_chinese_label(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_an_unknown_role_is_refused_in_chinese_with_the_choices() -> None:
    with pytest.raises(AccessError) as refused:
        parse_role("boss")
    assert "未知角色「boss」" in refused.value.zh and "analyst（分析）" in refused.value.zh

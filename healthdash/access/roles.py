"""Roles and what each may do.

| role | 中文 | may |
|---|---|---|
| viewer | 查看 | view |
| analyst | 分析 | view, what-if, export (downloads, briefings) |
| officer | 数据上报 | view, load and undo reports (inside their jurisdiction) |
| admin | 管理员 | everything, and manage accounts and read the audit log |

What a role may do is separate from where: the account's scope (healthdash.access.scope) limits every
permission to its jurisdiction.
"""

from __future__ import annotations

from enum import StrEnum

from healthdash.access.errors import AccessError
from healthdash.core.i18n import t


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    OFFICER = "officer"
    ADMIN = "admin"

    def label(self, lang: str = "zh") -> str:
        return t(f"access.role.{self.value}", lang=lang)


class Permission(StrEnum):
    VIEW = "view"
    WHATIF = "whatif"
    EXPORT = "export"
    LOAD = "load"     # load, dry-run and undo reports
    ADMIN = "admin"   # accounts and the audit log


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.ANALYST: frozenset({Permission.VIEW, Permission.WHATIF, Permission.EXPORT}),
    Role.OFFICER: frozenset({Permission.VIEW, Permission.LOAD}),
    Role.ADMIN: frozenset(Permission),
}

# What a person may type for a role: the code, its Chinese label, and the long English name.
_ALIASES = {"data_officer": Role.OFFICER, "data-officer": Role.OFFICER}


def allows(role: Role | str | None, permission: Permission | str) -> bool:
    """Whether `role` may do `permission`; no role (or an unknown one) may do nothing."""
    try:
        return Permission(permission) in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def parse_role(text: str) -> Role:
    """The role named by `text` ('viewer', '查看', 'data_officer', …); AccessError when none is."""
    word = text.strip()
    for role in Role:
        if word.lower() == role.value or word == role.label("zh"):
            return role
    if word.lower() in _ALIASES:
        return _ALIASES[word.lower()]
    raise AccessError("role_unknown", role=text)

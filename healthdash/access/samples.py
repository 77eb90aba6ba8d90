"""Sample accounts for the demo: one per role and per level, with random passwords to print once.

The places come from the demo database itself (queries/scope_samples.sql): a county with a county medical
community, its city, the community and one of its township health centres. Running it again (a rebuilt
demo) gives the same accounts new passwords and their current scopes. The samples need not change their
password at first sign-in: they exist to be tried out, and their passwords are printed anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from healthdash.access import accounts, passwords
from healthdash.access.roles import Role
from healthdash.access.scope import PROVINCE, Reader, Scope, check_scope
from healthdash.access.store import Store


@dataclass(frozen=True)
class SampleAccount:
    name: str
    role: Role
    scope: Scope
    place: str         # what the scope names, in words ('全省', '名山区')
    password: str


def sample_scopes(registry: Reader) -> list[tuple[str, Role, Scope]]:
    """(name, role, scope) of the samples this database allows; province-wide ones only when it has no
    county medical community."""
    samples = [("demo-admin", Role.ADMIN, PROVINCE)]
    found = registry("scope_samples", {})
    if found.empty:
        return samples
    row = found.iloc[0]
    return samples + [
        ("demo-city-analyst", Role.ANALYST, Scope("city", str(row["city_code"]))),
        ("demo-county-viewer", Role.VIEWER, Scope("county", str(row["county_code"]))),
        ("demo-county-officer", Role.OFFICER, Scope("county", str(row["county_code"]))),
        ("demo-alliance-viewer", Role.VIEWER, Scope("alliance", str(row["alliance_code"]))),
        ("demo-facility-viewer", Role.VIEWER, Scope("facility", str(row["facility_code"]))),
    ]


def create_sample_accounts(store: Store, registry: Reader, *, by: str | None = "build-demo") -> list[SampleAccount]:
    """Create (or renew) the sample accounts; their passwords, to be shown once and never stored in clear."""
    made: list[SampleAccount] = []
    for name, role, scope in sample_scopes(registry):
        place = check_scope(registry, scope)
        password = passwords.random_password()
        if accounts.get_account(store, name) is None:
            accounts.add_account(store, name, role, scope, password, by=by, must_change=False)
        else:
            accounts.update_account(store, name, role=role, scope=scope, by=by)
            accounts.set_enabled(store, name, True, by=by)
            accounts.reset_password(store, name, password, by=by, must_change=False)
        made.append(SampleAccount(name, role, scope, place, password))
    return made


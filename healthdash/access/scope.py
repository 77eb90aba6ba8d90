"""Jurisdictions (scopes): what part of the registry an account may see, decided on the server.

A scope is written `province`, `city:<code>`, `county:<code>` (counties and urban districts),
`alliance:<code>` or `facility:<code>`. It covers (queries/scope_*.sql, read from the dashboard's
database):

| scope | regions (places and their totals) | facilities | alliances |
|---|---|---|---|
| province | every monitored region, the all-cities total too | every facility | every alliance |
| city, county | that region and every region below it | those of its regions | those whose home region is in it |
| alliance | none | its members | that alliance |
| facility | none | that facility | none |
| none (no scope) | none | none | none |

A hospital account sees itself; an alliance lead's people get the alliance scope to see its members.
Totals are shown at the scope's level and below: a county account never sees its city's or the
province's totals (`Visible.allows_selection`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from healthdash.access.errors import AccessError
from healthdash.core.i18n import t

KINDS = ("province", "city", "county", "alliance", "facility")
REGION_KINDS = ("city", "county")
QUERIES = {"regions": "scope_regions", "facilities": "scope_facilities", "alliances": "scope_alliances"}

# Reads queries/<name>.sql with bound parameters: db.run_query in the app, db.execute in tests.
Reader = Callable[[str, Mapping[str, object]], pd.DataFrame]


@dataclass(frozen=True)
class Scope:
    kind: str
    code: str | None = None

    @property
    def text(self) -> str:
        return self.kind if self.code is None else f"{self.kind}:{self.code}"

    def __str__(self) -> str:
        return self.text

    def params(self) -> dict[str, object]:
        """The bound parameters of queries/scope_*.sql."""
        return {"scope_kind": self.kind, "scope_code": self.code}

    def label(self, lang: str = "zh", name: str | None = None) -> str:
        """'区县 乙县 (K1)', '全省': the kind in words, and the place's name when the caller knows it."""
        kind = t(f"access.kind.{self.kind}", lang=lang)
        if self.code is None:
            return kind
        return f"{kind} {name} ({self.code})" if name else f"{kind} {self.code}"


PROVINCE = Scope("province")
NO_SCOPE_PARAMS: dict[str, object] = {"scope_kind": None, "scope_code": None}


def parse_scope(text: str) -> Scope:
    """The scope written as `text` ('county:450223', 'province'); AccessError when it is not one. Whether
    the code exists is `check_scope`'s question."""
    word = text.strip()
    kind, colon, code = word.partition(":")
    kind, code = kind.strip().lower(), code.strip()
    if kind == "province" and not colon:
        return PROVINCE
    if kind in KINDS and kind != "province" and code and ":" not in code and not code.isspace():
        return Scope(kind, code)
    raise AccessError("scope_syntax", scope=text)


def scope_or_none(text: str | None) -> Scope | None:
    """A stored scope (None or empty: the account has no jurisdiction)."""
    return parse_scope(text) if text else None


def check_scope(read: Reader, scope: Scope) -> str:
    """The name of what `scope` names ('全省' for the province); AccessError when the registry has no
    such region, alliance or facility, when the code is of another level, or outside the monitored places."""
    if scope.code is None:
        return t("access.kind.province", lang="zh")
    found = read("scope_target", {"scope_code": scope.code})
    wanted = found[found["level"] == scope.kind]
    if not wanted.empty:
        row = wanted.iloc[0]
        if not bool(row["in_scope"]):
            raise AccessError("scope_not_monitored", name=row["name"], code=scope.code)
        return str(row["name"])
    if found.empty:
        raise AccessError("scope_unknown", scope=scope.text, **_words("kind", scope.kind))
    row = found.iloc[0]
    if row["level"] not in KINDS:  # a town: no jurisdiction of its own
        raise AccessError("scope_level_unusable", name=row["name"], code=scope.code, **_words("level", str(row["level"])))
    raise AccessError("scope_wrong_level", name=row["name"], code=scope.code, suggestion=f"{row['level']}:{scope.code}",
                      **_words("kind", scope.kind), **_words("level", str(row["level"])))


def _words(key: str, kind: str) -> dict[str, str]:
    """{key}_zh and {key}_en: the kind in each language, for a message both catalogs word their own way."""
    return {f"{key}_{lang}": t(f"access.kind.{kind}", lang=lang) for lang in ("zh", "en")}


@dataclass(frozen=True)
class Visible:
    """What an account may see, resolved against one version of the database."""

    scope: Scope | None
    regions: frozenset[str] = frozenset()
    facilities: frozenset[str] = frozenset()
    alliances: frozenset[str] = frozenset()
    # The city and county of a city or county scope: where the sidebar starts.
    home_city: str | None = None
    home_county: str | None = None
    # Region code -> level ('city', 'county', 'town'): which picker of the sidebar offers it.
    region_levels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def everything(self) -> bool:
        return self.scope == PROVINCE

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.regions or self.facilities or self.alliances)

    @property
    def level(self) -> str | None:
        """The highest level whose totals the account may see: 'province', 'city', 'county', 'alliance',
        'facility', or None (nothing)."""
        return None if self.scope is None else self.scope.kind

    def allows_region(self, code: str | None) -> bool:
        return self.everything or (code is not None and code in self.regions)

    def allows_facility(self, code: str | None) -> bool:
        return code is not None and code in self.facilities

    def allows_alliance(self, code: str | None) -> bool:
        return code is not None and code in self.alliances

    def allows_selection(self, city: str | None, county: str | None, town: str | None,
                         alliance: str | None) -> bool:
        """Whether a page may show the totals of this selection (the sidebar's place and alliance). A
        city or county account must name a place inside its region (never the all-cities total); an
        alliance account must name its alliance and no place; a facility account has no area totals."""
        if self.everything:
            return True
        if self.scope is None or self.scope.kind == "facility":
            return False
        if self.scope.kind == "alliance":
            return alliance == self.scope.code and city is None and county is None and town is None
        place = town or county or city
        # Places above the scope may only be its own ancestors (the city of a county account).
        consistent = all(code is None or code in self.regions or code == self.home_city
                         for code in (city, county, town))
        return consistent and self.allows_region(place) and (alliance is None or self.allows_alliance(alliance))

    def outside(self, *, regions: Iterable[str] = (), facilities: Iterable[str] = (),
                alliances: Iterable[str] = ()) -> dict[str, list[str]]:
        """The codes this scope does not cover, by kind, each once in first-seen order (empty lists: all
        covered). A data officer's file naming any is refused whole; a new facility is judged by its region."""
        checks = (("regions", regions, self.allows_region), ("facilities", facilities, self.allows_facility),
                  ("alliances", alliances, self.allows_alliance))
        if self.everything:
            return {kind: [] for kind, _, _ in checks}
        return {kind: [code for code in dict.fromkeys(codes) if not allowed(code)] for kind, codes, allowed in checks}

    def default_selection(self) -> tuple[str | None, str | None, str | None]:
        """(city, county, alliance) a page starts from: the account's own region or alliance."""
        if self.scope is not None and self.scope.kind == "alliance":
            return None, None, self.scope.code
        return self.home_city, self.home_county, None

    def covers(self, scope: Scope | None) -> bool:
        """Whether `scope` lies inside this one: an admin grants only scopes inside their own."""
        if scope is None or self.everything:
            return True
        if scope == PROVINCE:
            return False
        if scope.kind in REGION_KINDS:
            return self.allows_region(scope.code)
        if scope.kind == "alliance":
            return self.allows_alliance(scope.code)
        return self.allows_facility(scope.code)


def resolve(read: Reader, scope: Scope | None) -> Visible:
    """What `scope` covers in the database `read` reads; no scope covers nothing."""
    if scope is None:
        return Visible(None)
    params = scope.params()
    regions = read(QUERIES["regions"], params)
    facilities = read(QUERIES["facilities"], params)
    alliances = read(QUERIES["alliances"], params)
    levels = dict(zip(regions["code"].astype(str), regions["level"].astype(str), strict=True))
    home_city = home_county = None
    if scope.kind in REGION_KINDS and scope.code in levels:
        row = regions[regions["code"] == scope.code].iloc[0]
        home_city = scope.code if scope.kind == "city" else _text(row["parent_code"])
        home_county = scope.code if scope.kind == "county" else None
    return Visible(
        scope,
        regions=frozenset(levels),
        facilities=frozenset(facilities["facility_code"].astype(str)),
        alliances=frozenset(alliances["code"].astype(str)),
        home_city=home_city,
        home_county=home_county,
        region_levels=levels,
    )


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def file_reader(db: Path) -> Reader:
    """A Reader over the database file at `db` (read-only, outside the app: the CLI, tests)."""
    from healthdash.data.db import CATALOG, execute, open_readonly

    def read(name: str, params: Mapping[str, object]) -> pd.DataFrame:
        with open_readonly(db) as con:
            return execute(con, name, dict(params), catalog=CATALOG)

    return read

"""Read-only access to the dashboard database, always within a jurisdiction.

One DuckDB connection per database file is cached as a Streamlit resource and every query runs on its
own cursor, so concurrent sessions never share a cursor. Results are cached by query name, parameters
and the identity of the database file: when a load swaps in a new file, the identity changes and every
session reads the new data on its next interaction.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from healthdash.core.paths import DEFAULT_DB, QUERY_DIR
from healthdash.data.frames import frame

_QUERY_NAME = re.compile(r"^[a-z0-9_]+$")
# Every query reads within a jurisdiction, bound as $scope_kind and $scope_code (healthdash.access.scope),
# except these, which read no one's figures: the catalog, the dataset's metadata and month range, the
# load history (the data page's), what the loader checks a file against, the registry names an admin
# checks a scope against (and the demo's sample accounts), and the load benchmark's export.
SCOPE_PARAMETERS = frozenset({"scope_kind", "scope_code"})
UNSCOPED = frozenset({
    "indicator_catalog", "dataset_meta", "data_months", "import_history", "latest_referrals",
    "referral_expected_direction", "load_alliance_members", "load_facilities", "load_public_health_indicators",
    "load_regions", "scope_target", "scope_samples", "appraisal_schemes", "appraisal_scheme_choice",
})
NO_SCOPE: Mapping[str, object] = {"scope_kind": None, "scope_code": None}  # reads nothing
EVERYTHING: Mapping[str, object] = {"scope_kind": "province", "scope_code": None}
# The jurisdiction of the code running now: set by the page gate at the start of every run (the run's
# thread), by the CLI and the tools for their own reads. Before the gate in a run (a widget's callback runs
# first) it is the session's, as the gate last let it in (healthdash.ui.account registers where to read
# that); nothing otherwise.
T = TypeVar("T")
_SCOPE: ContextVar[Mapping[str, object] | None] = ContextVar("healthdash_scope", default=None)


def _no_session() -> Mapping[str, object] | None:
    return None


_session_scope: Callable[[], Mapping[str, object] | None] = _no_session
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


class UnscopedQuery(Exception):
    """A query that would read figures without a jurisdiction: refused before it runs."""


def read_within(scope: Mapping[str, object]) -> None:
    """Every query of this thread (a page run, a CLI command) from now on reads within `scope`
    ({"scope_kind": …, "scope_code": …}, as healthdash.access.scope.Scope.params() gives)."""
    _SCOPE.set({key: scope.get(key) for key in SCOPE_PARAMETERS})


def read_session_scope_from(source: Callable[[], Mapping[str, object] | None]) -> None:
    """Where a run finds its session's jurisdiction before the gate has set it (healthdash.ui.account)."""
    global _session_scope
    _session_scope = source


def current_scope() -> dict[str, object]:
    scope = _SCOPE.get()
    if scope is None:
        scope = _session_scope() or NO_SCOPE
    return {key: scope.get(key) for key in SCOPE_PARAMETERS}


@contextmanager
def reading_within(scope: Mapping[str, object]) -> Iterator[None]:
    """Queries inside the block read within `scope`, then the thread's own jurisdiction is back."""
    token = _SCOPE.set({key: scope.get(key) for key in SCOPE_PARAMETERS})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def within_current_scope(make: Callable[[], T]) -> Callable[[], T]:
    """`make`, to be called later on another thread (a download made when clicked), reading within the
    jurisdiction of the run that offered it."""
    scope = current_scope()

    def made() -> T:
        with reading_within(scope):
            return make()

    return made


def require_scope(name: str, params: Mapping[str, object]) -> None:
    """Refuse a query that reads figures without declaring or receiving a jurisdiction."""
    if name in UNSCOPED:
        return
    if not SCOPE_PARAMETERS <= query_parameters(name):
        raise UnscopedQuery(f"queries/{name}.sql reads figures without $scope_kind and $scope_code")
    if not SCOPE_PARAMETERS <= params.keys():
        raise UnscopedQuery(f"queries/{name}.sql was called without a jurisdiction")


def database_path() -> Path:
    return Path(os.environ.get("HEALTHDASH_DB") or DEFAULT_DB)


@dataclass(frozen=True)
class DatabaseId:
    """Which file, and which version of it: a swapped-in file has a new inode and mtime."""

    path: str
    inode: int
    mtime_ns: int


def database_id(path: Path | None = None) -> DatabaseId:
    path = path or database_path()
    stat = path.stat()
    return DatabaseId(str(path), stat.st_ino, stat.st_mtime_ns)


@cache
def load_sql(name: str) -> str:
    """Text of queries/<name>.sql; only names of files that exist there are accepted."""
    if not _QUERY_NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no such query: {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def query_parameters(name: str) -> frozenset[str]:
    """The $parameters queries/<name>.sql uses (its header comment does not count)."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", load_sql(name))))


def bind(name: str, params: dict[str, object]) -> dict[str, object]:
    """The subset of `params` the query uses: pages pass the whole selection, DuckDB wants exactly
    the parameters a statement names (and a smaller key caches better)."""
    used = query_parameters(name)
    return {key: value for key, value in params.items() if key in used}


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, object] | None = None,
    *,
    catalog: str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Run queries/<name>.sql on its own cursor with bound parameters (uncached: tests and benchmarks).
    `catalog`: the attached database to read, for connections made by open_readonly (a cursor starts
    in the connection's own in-memory catalog). `tables`: data frames the query reads by name (a load's
    staged rows), visible to this cursor only."""
    require_scope(name, params or {})
    cursor = con.cursor()
    try:
        if catalog is not None:
            # A catalog name is an identifier (it cannot be bound), checked against _QUERY_NAME.
            cursor.execute(f"use {_identifier(catalog)}")
        for table, rows in (tables or {}).items():
            cursor.register(table, rows)
        return frame(cursor.sql(load_sql(name), params=bind(name, params or {})).to_arrow_table())
    finally:
        cursor.close()


CATALOG = "healthdash"


def _identifier(name: str) -> str:
    if not _QUERY_NAME.match(name):
        raise ValueError(f"not a catalog name: {name!r}")
    return name


def open_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to exactly the file now at `path`.

    Not duckdb.connect(path): DuckDB keeps one instance per path in a process, and while any connection
    to it lives, a new connection to the same path gets that instance back, i.e. the file a load has
    since replaced (duckdb/duckdb#15912). A private in-memory instance that attaches the file opens the
    file as it is now. The attached database is the default for this connection (not for its cursors:
    pass catalog=CATALOG to execute)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    # CATALOG is this module's constant (an identifier cannot be bound, here or in "use"); the path is bound.
    con.execute(f"attach $path as {CATALOG} (read_only)", {"path": str(path)})
    con.execute(f"use {CATALOG}")
    return con


class DatabaseUnavailable(Exception):
    """The database file is missing, unreadable or no database of this dashboard (said in one line)."""


def check_database(path: Path | str) -> None:
    """Raise DatabaseUnavailable, with what to do in Chinese and English, unless `path` opens read-only
    as this dashboard's database."""
    path = Path(path)
    if not path.exists():
        raise DatabaseUnavailable(
            f"找不到数据库文件 {path}：请用 --db 指定，或先生成演示数据库（python -m healthdash build-demo --db {path}）"
            f" / no database at {path}: pass --db, or build the demo first")
    try:
        with open_readonly(path) as con:
            con.execute("select count(*) from meta").fetchall()
    except duckdb.CatalogException:
        raise DatabaseUnavailable(f"{path} 不是本看板的数据库（缺少 meta 表） / {path} is no database of this "
                                  f"dashboard (it has no meta table)") from None
    except duckdb.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"无法读取数据库文件 {path}（{reason}） / cannot read the database {path}") from None


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(db: DatabaseId) -> duckdb.DuckDBPyConnection:
    return open_readonly(db.path)


def connection() -> duckdb.DuckDBPyConnection:
    return _connection(database_id())


def _cached(db: DatabaseId, name: str, params: dict[str, object]) -> pd.DataFrame:
    return _cached_by_key(cache_key(db, name, sorted(params.items())), db, name, params)


def cache_key(*parts: object) -> str:
    """The printed form of the database version, the query or function and its arguments (dates, codes,
    lists of codes, numbers, None and frozen dataclasses of those print exactly): Streamlit hashes one
    string in microseconds where walking a dict of lists cost about a millisecond a call."""
    return repr(parts)


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached_by_key(key: str, _db: DatabaseId, _name: str, _params: dict[str, object]) -> pd.DataFrame:
    return execute(_connection(_db), _name, _params, catalog=CATALOG)


def run_query(name: str, **params: object) -> pd.DataFrame:
    """Run a named query with bound parameters, within the jurisdiction of the code running now (the
    caller cannot widen it), cached per database version and jurisdiction."""
    return _cached(database_id(), name, bind(name, params | current_scope()))



def per_database(build: Callable[[], T]) -> Callable[[], T]:
    """`build`, which derives its result from the database alone (say a catalog read into objects), run
    once per database version and jurisdiction. The result is shared by every session reading within the
    same jurisdiction, not copied: never modify it."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def shared() -> T:
        return _shared(cache_key(name, current_scope()), database_id(), build)

    return shared


@st.cache_resource(max_entries=50, show_spinner=False)
def _shared(name: str, db: DatabaseId, _build: Callable[[], T]) -> T:
    return _build()


F = TypeVar("F", bound=Callable[..., object])


def per_selection(derive: F) -> F:
    """`derive`, which builds a frame (or cards, or a frame and totals) from query results and its
    arguments alone (a selection, a level, indicator codes; arguments with an exact repr, never a frame),
    cached per database version and arguments like a query: a rerun that changes nothing it reads (a pick
    elsewhere on the page) does not redo its Python work. Each caller gets its own copy. The result must
    not depend on the language: nothing in it is translated."""
    name = f"{derive.__module__}.{derive.__qualname__}"

    @functools.wraps(derive)
    def cached(*args: object, **kwargs: object) -> object:
        return _derived(cache_key(database_id(), current_scope(), name, args, sorted(kwargs.items())), derive, args,
                        kwargs)

    return cached  # type: ignore[return-value]


@st.cache_data(max_entries=500, show_spinner=False)
def _derived(key: str, _derive: Callable[..., object], _args: tuple, _kwargs: dict[str, object]) -> object:
    return _derive(*_args, **_kwargs)

"""Charts built once per distinct input (healthdash/ui/chart_cache.py), catalogs read once per database
version (healthdash/db.per_database), derived frames and query results cached per selection
(db.per_selection, db.run_query): a cached result must never outlive a change of what it shows."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest

from healthdash.core.filters import Filters
from healthdash.data import db
from healthdash.ui import chart_cache

BUILDS: list[tuple[str, int]] = []


@chart_cache.cached_spec
def _bars(frame: pd.DataFrame, *, title: str, selection: alt.Parameter | None = None) -> alt.Chart:
    BUILDS.append((title, len(frame)))
    chart = alt.Chart(frame).mark_bar().encode(x="value:Q", y="name:N").properties(title=title)
    return chart.add_params(selection) if selection is not None else chart


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    chart_cache._spec.clear()
    BUILDS.clear()
    monkeypatch.setattr(chart_cache, "current_lang", lambda: "zh")


def frame(*values: float) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"镇{i}" for i in range(len(values))], "value": list(values)})


def test_same_input_is_built_once_and_gives_the_same_spec() -> None:
    first = _bars(frame(1, 2), title="上转")
    again = _bars(frame(1, 2), title="上转")
    assert first == again
    assert first["mark"] == {"type": "bar"} and first["title"] == "上转"
    assert [row["value"] for row in next(iter(first["datasets"].values()))] == [1, 2]
    assert BUILDS == [("上转", 2)]


def test_the_browser_gets_the_same_rows_as_arrow() -> None:
    spec = _bars(frame(1.5, 2), title="上转")
    sent = spec.for_browser()
    assert sent["mark"] == spec["mark"] and sent.keys() == spec.keys()
    for name, rows in spec["datasets"].items():
        table = pa.ipc.open_stream(sent["datasets"][name]).read_all()
        assert table.to_pylist() == rows
    assert isinstance(next(iter(spec["datasets"].values())), list)  # a file export still reads the values


@pytest.mark.parametrize("change", ["data", "argument", "selection", "language"])
def test_any_change_of_input_builds_again(change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    point = alt.selection_point(name="pick", fields=["name"])
    before = _bars(frame(1, 2), title="上转", selection=point)
    if change == "data":
        after = _bars(frame(1, 3), title="上转", selection=point)
    elif change == "argument":
        after = _bars(frame(1, 2), title="下转", selection=point)
    elif change == "selection":
        after = _bars(frame(1, 2), title="上转", selection=alt.selection_point(name="pick", fields=["value"]))
    else:
        monkeypatch.setattr(chart_cache, "current_lang", lambda: "en")
        after = _bars(frame(1, 2), title="上转", selection=point)
    assert len(BUILDS) == 2
    assert after != before or change == "language"


def test_a_new_database_version_builds_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "health.duckdb"
    path.write_bytes(b"one")
    monkeypatch.setenv("HEALTHDASH_DB", str(path))
    _bars(frame(1), title="上转")
    _bars(frame(1), title="上转")
    replacement = tmp_path / "new.duckdb"
    replacement.write_bytes(b"two")
    os.replace(replacement, path)  # what a load does: a new file (inode) at the same path
    _bars(frame(1), title="上转")
    assert len(BUILDS) == 2


def test_a_catalog_is_read_once_per_database_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []

    @db.per_database
    def catalog() -> dict[str, str]:
        reads.append(Path(os.environ["HEALTHDASH_DB"]).read_text())
        return {"version": reads[-1]}

    path = tmp_path / "health.duckdb"
    path.write_text("one")
    monkeypatch.setenv("HEALTHDASH_DB", str(path))
    assert catalog() == {"version": "one"}
    assert catalog() is catalog()  # shared, not copied
    replacement = tmp_path / "new.duckdb"
    replacement.write_text("two")
    os.replace(replacement, path)
    assert catalog() == {"version": "two"}
    assert reads == ["one", "two"]


@dataclass(frozen=True)
class _Pick:
    city: str | None
    month_from: date


def test_a_derived_frame_is_built_once_per_selection_and_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[tuple[_Pick, str]] = []

    @db.per_selection
    def standing(pick: _Pick, level: str) -> pd.DataFrame:
        builds.append((pick, level))
        return pd.DataFrame({"place": [pick.city or "全省"], "level": [level]})

    path = tmp_path / "health.duckdb"
    path.write_text("one")
    monkeypatch.setenv("HEALTHDASH_DB", str(path))
    first = standing(_Pick("341500", date(2025, 1, 1)), "county")
    first.loc[0, "place"] = "改过"  # a caller's change stays with that caller
    again = standing(_Pick("341500", date(2025, 1, 1)), "county")
    assert again["place"].tolist() == ["341500"] and len(builds) == 1
    standing(_Pick("341500", date(2025, 2, 1)), "county")
    standing(_Pick("341500", date(2025, 1, 1)), "town")
    standing(_Pick(None, date(2025, 1, 1)), "county")
    assert len(builds) == 4
    replacement = tmp_path / "new.duckdb"
    replacement.write_text("two")
    os.replace(replacement, path)
    standing(_Pick("341500", date(2025, 1, 1)), "county")
    assert len(builds) == 5


def test_query_results_are_kept_apart_by_every_parameter(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHDASH_DB", str(demo_db))
    last = db.run_query("data_months")["last_month"].iloc[0].date()
    one_month = Filters(last, last)
    whole_year = Filters(date(last.year, 1, 1), last)
    codes = ["up_referrals", "fd_coverage"]
    con = db.open_readonly(demo_db)
    results = []
    for filters in (one_month, whole_year, replace(one_month, city=_a_city(con))):
        params = {"codes": codes, **filters.sql_params()}
        cached = db.run_query("indicator_totals", **params)
        pd.testing.assert_frame_equal(cached, db.execute(con, "indicator_totals", params | db.EVERYTHING, catalog=db.CATALOG))
        results.append(cached)
    assert not results[0].equals(results[1]) and not results[0].equals(results[2])
    # The same parameters given in another order are the same entry: the database is not asked again.
    asked: list[str] = []
    real_execute = db.execute
    monkeypatch.setattr(db, "execute", lambda *args, **kwargs: asked.append(args[1]) or real_execute(*args, **kwargs))
    reordered = dict(reversed(list({"codes": codes, **one_month.sql_params()}.items())))
    pd.testing.assert_frame_equal(db.run_query("indicator_totals", **reordered), results[0])
    db.run_query("indicator_totals", **{"codes": ["up_referrals"], **one_month.sql_params()})
    assert asked == ["indicator_totals"]


def _a_city(con: object) -> str:
    return str(con.execute("select code from region where level = 'city' order by code limit 1").fetchone()[0])


def test_the_tests_check_every_chart_against_the_schema() -> None:
    """The dashboard skips the schema check for speed; the tests must not, or a broken spec would pass."""
    assert chart_cache.CHECK_SPECS

    @chart_cache.cached_spec
    def broken() -> alt.Chart:
        return alt.Chart(frame(1)).mark_bar().encode(x=alt.X("value:Q", scale=alt.Scale(type="no such scale")))

    with pytest.raises(Exception, match="no such scale"):
        broken()

"""Charts built once per distinct input (healthdash/chart_cache.py) and catalogs read once per database
version (healthdash/db.per_database): a cached result must never outlive a change of what it shows."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from healthdash import chart_cache, db

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

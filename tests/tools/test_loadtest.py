"""The load script (tools/loadtest.py) and its browser-less sessions (tools/wire_session.py): a
session over the websocket must see what a browser's session sees, and the script must report every
session's actions and errors. Timings are printed, never asserted."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from tools import headless, loadtest
from tools.wire_session import Run, WireSession, open_session

T = TypeVar("T")


def in_own_thread(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run `function` in a thread of its own: asyncio.run refuses a thread whose event loop runs, which the
    main thread's is while a browser test's (sync) Playwright is open."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def plan(paths: tuple[str, ...] = ("overview", "referrals", "data")) -> loadtest.Plan:
    return loadtest.Plan("http://127.0.0.1:1", 1.0, [(None, "全部地市"), ("450200", "柳州市"), ("451000", "百色市")],
                         paths, "overview")


@pytest.mark.parametrize("seed", range(5))
def test_each_action_changes_what_its_kind_says(seed: int) -> None:
    rng = random.Random(seed)
    query = {"city": "450200", "county": "450222", "town": "450222100", "period": "last12"}
    page, after = loadtest.wire_change("page", "referrals", query, plan(), rng)
    assert page != "referrals" and after == query
    _, after = loadtest.wire_change("city", "referrals", query, plan(), rng)
    assert after.get("city") != "450200" and not {"county", "town"} & after.keys() and after["period"] == "last12"
    _, after = loadtest.wire_change("period", "referrals", query, plan(), rng)
    assert after["period"] not in ("last12", "custom") and after["city"] == "450200"
    _, after = loadtest.wire_change("compare", "referrals", query, plan(), rng)
    assert after["cmp"] == "mom"
    _, again = loadtest.wire_change("compare", "referrals", after, plan(), rng)
    assert again["cmp"] == "yoy"


def _runs(url: str, steps: list[tuple[str, dict[str, str]]]) -> list[Run]:
    async def go() -> list[Run]:
        async with open_session(url) as socket:
            session = WireSession(socket)
            return [await asyncio.wait_for(session.run(page, query), 120) for page, query in steps]

    return in_own_thread(asyncio.run, go())


def test_a_session_over_the_websocket_sees_the_pages_a_browser_sees(demo_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        code, name = con.execute("select code, name from region where level = 'city' and in_scope order by code limit 1").fetchone()
    with headless.serve(demo_db, tmp_path / "streamlit.log") as server:
        first, city, referrals, missing = _runs(server.url, [
            ("", {}), ("", {"city": code}), ("referrals", {"city": code, "period": "month"}), ("no-such-page", {}),
        ])
    assert first.problems == [] and first.elements > 20
    assert any("全部地市" in caption for caption in first.captions)
    assert city.problems == [] and any(name in caption for caption in city.captions)
    assert referrals.problems == [] and any(name in caption and "2025年12月" in caption for caption in referrals.captions), referrals.captions
    assert missing.problems == ["page not found: /no-such-page"]


def test_the_load_script_reports_every_sessions_actions(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = in_own_thread(loadtest.main, demo_db, users=3, seconds=3, browsers=0, think_s=0.2)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 users (0 in Chromium, 3 over the websocket)" in out and ", 0 errors" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(loadtest.WIRE)]
    opened = next(row for row in rows if row[3:5] == ["first", "open"])
    assert opened[5] == "3"  # every session opened the default page
    changes = next(row for row in rows if row[3:5] == ["all", "changes"])
    assert int(changes[5]) >= 3

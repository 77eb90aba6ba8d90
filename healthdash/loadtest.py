"""Concurrent users: `python -m healthdash loadtest [--users 20] [--seconds 60] [--db PATH]`.

Starts the dashboard under `streamlit run` on a free 127.0.0.1 port (never anything else), opens one headless
Chromium with one browser context per user, and lets every user click through the sidebar for the given time:
switch to another page of the navigation, change the period, the comparison or the city. Each action is timed
from the click until the page has run to the end and Streamlit's "running" indicator (stStatusWidget) is
gone, i.e. the charts are redrawn. Prints the errors (an exception or error box on the page, a page or
console error, a request leaving the machine, a timeout: there must be none) and p50/p95 per kind of action.

Bounded: every user stops at the deadline, every wait has a timeout, the whole run one more.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from healthdash import headless
from healthdash.filters import COMPARISONS
from healthdash.i18n import t
from healthdash.navigation import app_pages

ACTION_TIMEOUT_S = 60.0
PERIODS = ("month", "quarter", "ytd", "last12", "last_year")  # the presets (custom needs a slider)

# Counts the script runs the page finishes, so that a rerun that starts and ends between two polls still
# counts (the app root carries the state in data-test-script-state).
_WATCH_RUNS = """() => {
  if (window.__hdRuns) return;
  const app = document.querySelector('[data-testid="stApp"]');
  window.__hdRuns = {started: 0, finished: 0};
  let last = app.getAttribute('data-test-script-state');
  new MutationObserver(() => {
    const now = app.getAttribute('data-test-script-state');
    if (now === last) return;
    if (now === 'running') window.__hdRuns.started++;
    else if (last === 'running') window.__hdRuns.finished++;
    last = now;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_RUNS = "() => window.__hdRuns ? window.__hdRuns.finished : 0"
_DONE = f"""n => window.__hdRuns && window.__hdRuns.finished > n
  && document.querySelector('{headless.APP}').getAttribute('data-test-script-state') === 'notRunning'
  && !document.querySelector('{headless.RUNNING}')"""


@dataclass
class Result:
    timings: dict[str, list[float]] = field(default_factory=dict)  # action kind -> seconds
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.timings.setdefault(kind, []).append(seconds)


async def _wait_redrawn(page, runs_before: int) -> None:  # noqa: ANN001 (a Playwright async Page)
    """Until a run that started after the action has finished and nothing is running; a page that reruns
    itself right away (a URL sync) is followed to its last run."""
    await page.wait_for_function(_DONE, arg=runs_before, timeout=ACTION_TIMEOUT_S * 1000)
    while True:
        finished = await page.evaluate(_RUNS)
        await page.wait_for_timeout(150)
        if await page.evaluate("() => window.__hdRuns.started") <= finished and await page.evaluate(
                f"() => !document.querySelector('{headless.RUNNING}')"):
            return
        await page.wait_for_function(_DONE, arg=finished, timeout=ACTION_TIMEOUT_S * 1000)


async def _problems(page) -> list[str]:  # noqa: ANN001
    return [" ".join(text.split())[:200] for text in await page.locator(headless.PROBLEMS).all_inner_texts()]


async def _select(page, label: str, option: str) -> bool:  # noqa: ANN001
    """Pick `option` in the sidebar select labelled `label`; False when the page has no such select."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label))
    if not await box.count():
        return False
    await box.first.click()
    await page.get_by_role("option", name=option, exact=True).first.click()
    return True


async def _user(number: int, browser, url: str, seconds: float, cities: Sequence[str], result: Result) -> None:  # noqa: ANN001
    rng = random.Random(number)
    context = await browser.new_context(viewport=headless.VIEWPORT, locale="zh-CN", service_workers="block")
    await context.route("**/*", headless.keep_local)
    page = await context.new_page()
    who = f"user {number}"
    page.on("pageerror", lambda error: result.errors.append(f"{who}: page error {error}"))
    page.on("console", lambda message: message.type == "error" and result.errors.append(
        f"{who}: console error {message.text[:200]}"))
    context.on("request", lambda request: headless.is_local(request.url) or result.errors.append(
        f"{who}: request leaving the machine {request.url}"))
    paths = [page_.url_path for page_ in app_pages()]
    labels = {key: t(f"filters.{key}", lang="zh") for key in ("period", "compare", "city")}
    try:
        started = time.perf_counter()
        await page.goto(url + "/", wait_until="domcontentloaded", timeout=ACTION_TIMEOUT_S * 1000)
        await page.wait_for_selector(headless.APP_IDLE, state="attached", timeout=ACTION_TIMEOUT_S * 1000)
        await page.wait_for_function(f"() => !document.querySelector('{headless.RUNNING}')",
                                     timeout=ACTION_TIMEOUT_S * 1000)
        result.add("first open", time.perf_counter() - started)
        await page.evaluate(_WATCH_RUNS)
        deadline = time.perf_counter() + seconds  # the clicking time, once the first page is there
        while time.perf_counter() < deadline:
            kind = rng.choice(["page", "period", "compare", "city"])
            runs = await page.evaluate(_RUNS)
            started = time.perf_counter()
            if kind == "page":
                target = rng.choice(paths)
                link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{target}"]')
                if not await link.count():  # the default page's link is "/"
                    link = page.locator('[data-testid="stSidebarNavLink"]').first
                await link.first.click()
            elif kind == "period":
                acted = await _select(page, labels["period"], t(f"period.{rng.choice(PERIODS)}", lang="zh"))
                if not acted:
                    continue
            elif kind == "compare":
                radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').filter(
                    has=page.locator('[data-testid="stWidgetLabel"]', has_text=labels["compare"]))
                if not await radio.count():
                    continue
                await radio.first.get_by_text(t(f"compare.{rng.choice(COMPARISONS)}", lang="zh"), exact=True).click()
            else:
                if not await _select(page, labels["city"], rng.choice(cities)):
                    continue
            await _wait_redrawn(page, runs)
            result.add(kind, time.perf_counter() - started)
            result.errors += [f"{who} after {kind}: {text}" for text in await _problems(page)]
    except Exception as error:  # a timeout or a broken page is an error of the run, not a crash of the test
        result.errors.append(f"{who}: {type(error).__name__}: {str(error).splitlines()[0][:300]}")
    finally:
        await context.close()


async def _run(url: str, users: int, seconds: float, cities: Sequence[str]) -> Result:
    from playwright.async_api import async_playwright

    result = Result()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=headless.require_chromium(),
                                                   args=headless.CHROMIUM_ARGS, headless=True)
        try:
            tasks = [_user(number, browser, url, seconds, cities, result) for number in range(users)]
            # Every wait inside has its own timeout; this one bounds the whole run whatever happens.
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 3 * ACTION_TIMEOUT_S)
        finally:
            await browser.close()
    return result


def _city_names(db: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        names = [row[0] for row in con.execute(
            "select name from region where level = 'city' and in_scope order by code").fetchall()]
    return [t("filters.all_cities", lang="zh"), *names]


def summary(result: Result, users: int, seconds: float) -> str:
    lines = [f"{users} users × {seconds:g} s: {sum(len(v) for k, v in result.timings.items() if k != 'first open')} "
             f"actions, {len(result.errors)} errors"]
    lines.append(f"{'action':<12} {'count':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    changes = [v for k, values in result.timings.items() if k != "first open" for v in values]
    for kind, values in [*sorted(result.timings.items()), ("all changes", changes)]:
        if values:
            lines.append(f"{kind:<12} {len(values):>6} {np.percentile(values, 50):7.2f} "
                         f"{np.percentile(values, 95):7.2f} {max(values):7.2f}")
    for error in result.errors[:30]:
        lines.append(f"ERROR {error}")
    if len(result.errors) > 30:
        lines.append(f"… and {len(result.errors) - 30} more errors")
    return "\n".join(lines)


def main(db: Path, users: int, seconds: float) -> int:
    """The `loadtest` command (its arguments are declared in healthdash/__main__.py)."""
    if not db.is_file():
        print(f"no database at {db}: build one first (python -m healthdash build-demo --db {db})", file=sys.stderr)
        return 2
    if not 1 <= users <= 100 or not 0 < seconds <= 3600:
        print("--users 1..100, --seconds up to 3600", file=sys.stderr)
        return 2
    cities = _city_names(db)
    with (tempfile.TemporaryDirectory(prefix="healthdash-load-") as scratch,
          headless.serve(db, Path(scratch) / "streamlit.log") as server):
        print(f"serving {db} at {server.url}; {users} users for {seconds:g} s …", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        result = asyncio.run(_run(server.url, users, seconds, cities))
        memory = headless.memory_mb(server.process.pid)
        if server.process.poll() is not None:
            result.errors.append(f"the server exited with {server.process.returncode}")
    print(summary(result, users, seconds))
    print(f"server peak memory {memory['VmHWM']:.0f} MB (VmHWM of the streamlit process); load average (1 min) "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores")
    return 1 if result.errors else 0

"""Concurrent users: `python -m tools loadtest [--users 20] [--browsers 2] [--seconds 60] [--think 10] [--db PATH]`.

Starts the dashboard as `make run` does on a free 127.0.0.1 port (never anything else) and lets `--users`
sessions use it at once for the given time, each switching to another page of the navigation, changing the
period, the comparison or the city, and pausing `--think` seconds (on average) between actions as a reader
of the charts does:

- `--browsers` of them are headless Chromium tabs (one browser context each) clicking the sidebar. Each
  action is timed from the click until the page has run to the end and Streamlit's "running" indicator is
  gone, i.e. the charts are redrawn in the browser.
- the others speak the browser's websocket protocol (healthdash.wire_session): each action is timed until
  the server has sent the run's last element. Officials' browsers run on their own machines; twenty
  Chromium tabs on the server's two cores would measure the tabs, not the server.

Prints the errors (an exception or error box on a page, a page or console error, a request leaving the
machine, a timeout: there must be none) and p50/p95 per kind of session and action.

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
from urllib.parse import urlsplit

import numpy as np

from healthdash.core.filters import COMPARISONS, DEFAULT_COMPARE
from healthdash.core.i18n import t
from healthdash.ui.navigation import app_pages
from tools import headless
from tools.wire_session import WireSession, open_session

ACTION_TIMEOUT_S = 60.0
BROWSER = "in Chromium"
WIRE = "over the websocket"
ACTIONS = ("page", "period", "compare", "city")
PERIODS = ("month", "quarter", "ytd", "last12", "last_year")  # the presets (custom needs a slider)

# Notes whether the page has run its script since the driver last cleared the mark (`_MARK`). The app root
# carries the run state in data-test-script-state; every change of it is a mutation record with the value
# before, so a run that starts and ends within one batch of records (a fast rerun) is still seen. A mark,
# not a count of starts and finishes: a count drifts when a page is redrawn with a new root.
_WATCH_RUNS = """() => {
  if (window.__hdRan !== undefined) return;
  window.__hdRan = false;
  new MutationObserver(records => {
    for (const record of records) {
      if (record.attributeName !== 'data-test-script-state') continue;
      if (record.oldValue === 'running' || record.target.getAttribute('data-test-script-state') === 'running') {
        window.__hdRan = true;
      }
    }
  }).observe(document.body, {attributes: true, attributeFilter: ['data-test-script-state'],
                             attributeOldValue: true, subtree: true});
}"""
_MARK = "() => { window.__hdRan = false; }"
_RAN = "() => window.__hdRan === true"
RETAKE_AFTER_S = 10.0  # an action after which no run has begun by then is done again, once
_IDLE = f"""() => document.querySelector('{headless.APP}')?.getAttribute('data-test-script-state') === 'notRunning'
  && !document.querySelector('{headless.RUNNING}')"""
_DONE = f"() => ({_RAN})() && ({_IDLE})()"
SETTLE_MS = 150


@dataclass(frozen=True)
class Plan:
    url: str
    seconds: float  # clicking time per user, after its first page
    cities: Sequence[tuple[str | None, str]]  # the city select's options, (code, name), 全部地市 (None) first
    paths: Sequence[str]  # the url paths of app.py's navigation, in order
    default: str  # the path "/" opens
    think_s: float = 0.0  # mean pause between a user's actions
    screenshots: Path | None = None  # where to keep what a page showed when an action failed

    def pause(self, rng: random.Random) -> float:
        """A reader's pause: uniform between half and one and a half times the mean."""
        return self.think_s * rng.uniform(0.5, 1.5)


@dataclass
class Result:
    timings: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (session kind, action) -> s
    errors: list[str] = field(default_factory=list)
    retakes: int = 0  # browser actions done twice because the first click started no run

    def add(self, mode: str, kind: str, seconds: float) -> None:
        self.timings.setdefault((mode, kind), []).append(seconds)


async def _wait_redrawn(page) -> None:  # noqa: ANN001 (a Playwright async Page)
    """Until the page has run since the action and nothing is running; a page that reruns itself right
    away (a URL sync) is followed until it has stayed idle for SETTLE_MS."""
    await page.wait_for_function(_DONE, timeout=ACTION_TIMEOUT_S * 1000)
    while True:
        await page.wait_for_timeout(SETTLE_MS)
        if await page.evaluate(_IDLE):
            return
        await page.wait_for_function(_IDLE, timeout=ACTION_TIMEOUT_S * 1000)


async def _page_state(page) -> str:  # noqa: ANN001
    """The run state the driver waits on, for the error message of an action that timed out."""
    try:
        return await page.evaluate(f"""() => JSON.stringify({{
            ran: window.__hdRan,
            state: document.querySelector('{headless.APP}')?.getAttribute('data-test-script-state'),
            connection: document.querySelector('{headless.APP}')?.getAttribute('data-test-connection-state'),
            running: document.querySelectorAll('{headless.RUNNING}').length}})""")
    except Exception as error:  # noqa: BLE001 (a closed page: say so instead)
        return type(error).__name__


async def _problems(page) -> list[str]:  # noqa: ANN001
    return [" ".join(text.split())[:200] for text in await page.locator(headless.PROBLEMS).all_inner_texts()]


def _sidebar_widget(page, testid: str, label: str):  # noqa: ANN001, ANN202
    return page.locator(f'[data-testid="stSidebar"] [data-testid="{testid}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label))


async def _select_other(page, label: str, options: Sequence[str], rng: random.Random) -> bool:  # noqa: ANN001
    """Pick one of `options` other than the one shown in the sidebar select labelled `label`; False when
    the page has no such select (the data page)."""
    box = _sidebar_widget(page, "stSelectbox", label)
    if not await box.count():
        return False
    field = box.first.locator('input[role="combobox"]')
    shown = (await field.input_value()) or (await field.get_attribute("placeholder") or "")
    choice = rng.choice([option for option in options if option != shown])
    await field.click()
    await page.keyboard.press("ControlOrMeta+A")  # the list shows what matches the text in the field
    await page.keyboard.type(choice)
    await page.get_by_role("option", name=choice, exact=True).first.click()
    return True


async def _act(page, kind: str, plan: Plan, rng: random.Random) -> bool:  # noqa: ANN001
    """One user action of `kind`; False when the page has no such widget (the data page)."""
    if kind == "page":  # another page of the navigation, through its link in the sidebar
        here = urlsplit(page.url).path.strip("/") or plan.default
        target = rng.choice([path for path in plan.paths if path != here])
        await page.locator('[data-testid="stSidebarNavLink"]').nth(plan.paths.index(target)).click()
        return True
    if kind == "compare":  # the comparison not chosen now
        radio = _sidebar_widget(page, "stRadio", t("filters.compare", lang="zh"))
        if not await radio.count():
            return False
        await radio.first.locator('label:has(input[type="radio"]:not(:checked))').first.click()
        return True
    if kind == "period":
        periods = [t(f"period.{period}", lang="zh") for period in PERIODS]
        return await _select_other(page, t("filters.period", lang="zh"), periods, rng)
    return await _select_other(page, t("filters.city", lang="zh"), [name for _, name in plan.cities], rng)


async def _run_began(page, timeout_s: float = RETAKE_AFTER_S) -> bool:  # noqa: ANN001
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(_RAN, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        return False
    return True


async def _browser_user(number: int, browser, plan: Plan, result: Result) -> None:  # noqa: ANN001
    rng = random.Random(number)
    context = await browser.new_context(viewport=headless.VIEWPORT, locale="zh-CN", service_workers="block")
    await context.route("**/*", headless.keep_local)
    page = await context.new_page()
    who = f"user {number} (Chromium)"
    page.on("pageerror", lambda error: result.errors.append(f"{who}: page error {error}"))
    page.on("console", lambda message: message.type == "error" and result.errors.append(
        f"{who}: console error {message.text[:200]}"))
    context.on("request", lambda request: headless.is_local(request.url) or result.errors.append(
        f"{who}: request leaving the machine {request.url}"))
    kind = "first open"
    try:
        started = time.perf_counter()
        await page.goto(plan.url + "/", wait_until="domcontentloaded", timeout=ACTION_TIMEOUT_S * 1000)
        await page.wait_for_selector(headless.APP_IDLE, state="attached", timeout=ACTION_TIMEOUT_S * 1000)
        await page.wait_for_function(f"() => !document.querySelector('{headless.RUNNING}')",
                                     timeout=ACTION_TIMEOUT_S * 1000)
        result.add(BROWSER, "first open", time.perf_counter() - started)
        await page.evaluate(_WATCH_RUNS)
        deadline = time.perf_counter() + plan.seconds  # the clicking time, once the first page is there
        while time.perf_counter() < deadline:
            await asyncio.sleep(plan.pause(rng))
            kind = rng.choice(ACTIONS)
            await page.evaluate(_MARK)
            started = time.perf_counter()
            if not await _act(page, kind, plan, rng):
                continue
            if not await _run_began(page):
                # The click landed on nothing: a chart drawn late had moved the widget. A user clicks again.
                result.retakes += 1
                if not await _act(page, kind, plan, rng):
                    continue
            await _wait_redrawn(page)
            result.add(BROWSER, kind, time.perf_counter() - started)
            result.errors += [f"{who} after {kind}: {text}" for text in await _problems(page)]
    except Exception as error:  # a timeout or a broken page is an error of the run, not a crash of the test
        result.errors.append(f"{who} during {kind} ({page.url}): {type(error).__name__}: "
                             f"{str(error).splitlines()[0][:300]}; page then: {await _page_state(page)}")
        if plan.screenshots is not None:
            plan.screenshots.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=plan.screenshots / f"user-{number}-{kind}.png", timeout=10_000)
    finally:
        await context.close()


def wire_change(kind: str, page: str, query: dict[str, str], plan: Plan,
                rng: random.Random) -> tuple[str, dict[str, str]]:
    """The page and URL parameters after a user's action of `kind` (what the sidebar would have sent)."""
    query = dict(query)
    if kind == "page":
        return rng.choice([path for path in plan.paths if path != page]), query
    if kind == "period":
        query["period"] = rng.choice([period for period in PERIODS if period != query.get("period", "ytd")])
    elif kind == "compare":
        query["cmp"] = next(c for c in COMPARISONS if c != query.get("cmp", DEFAULT_COMPARE))
    else:
        current = query.get("city")
        city = rng.choice([code for code, _ in plan.cities if code != current])
        for key in ("city", "county", "town", "alliance"):
            query.pop(key, None)
        if city is not None:
            query["city"] = city
    return page, query


async def _wire_user(number: int, plan: Plan, result: Result) -> None:
    rng = random.Random(number)
    who = f"user {number} (websocket)"
    kind, page, query = "first open", plan.default, {}
    try:
        async with open_session(plan.url, ACTION_TIMEOUT_S) as socket:
            session = WireSession(socket)
            deadline = None
            while deadline is None or time.perf_counter() < deadline:
                if deadline is not None:
                    await asyncio.sleep(plan.pause(rng))
                    kind = rng.choice(ACTIONS)
                    page, query = wire_change(kind, page, query, plan, rng)
                # The default page is the app's root: the browser asks for it with an empty path.
                run = await asyncio.wait_for(session.run("" if page == plan.default else page, query),
                                             ACTION_TIMEOUT_S)
                result.add(WIRE, kind, run.seconds)
                result.errors += [f"{who} after {kind} on /{page}: {problem}" for problem in run.problems]
                if deadline is None:
                    deadline = time.perf_counter() + plan.seconds
    except Exception as error:  # a timeout or a dropped socket is an error of the run, not a crash of the test
        result.errors.append(f"{who} during {kind} on /{page}?{query}: {type(error).__name__}: {error}"[:400])


async def _run(plan: Plan, users: int, browsers: int) -> Result:
    from playwright.async_api import async_playwright

    result = Result()
    # Every wait inside has its own timeout; this one bounds the whole run whatever happens.
    limit = plan.seconds + 4 * ACTION_TIMEOUT_S
    async with async_playwright() as playwright:
        browser = None
        if browsers:
            browser = await playwright.chromium.launch(executable_path=headless.require_chromium(),
                                                       args=headless.CHROMIUM_ARGS, headless=True)
        try:
            tasks = [_browser_user(number, browser, plan, result) if number < browsers
                     else _wire_user(number, plan, result) for number in range(users)]
            try:
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=limit)
            except TimeoutError:
                result.errors.append(f"the sessions did not end within {limit:g} s")
        finally:
            if browser is not None:
                await browser.close()
    return result


def _cities(db: Path) -> list[tuple[str | None, str]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        cities = [(str(code), str(name)) for code, name in con.execute(
            "select code, name from region where level = 'city' and in_scope order by code").fetchall()]
    return [(None, t("filters.all_cities", lang="zh")), *cities]


def summary(result: Result, users: int, browsers: int, seconds: float, think_s: float) -> str:
    actions = sum(len(values) for (_, kind), values in result.timings.items() if kind != "first open")
    lines = [f"{users} users ({browsers} in Chromium, {users - browsers} over the websocket) × {seconds:g} s, "
             f"pauses of {think_s:g} s on average: {actions} actions, {len(result.errors)} errors"]
    if browsers:
        lines.append(f"({result.retakes} clicks taken twice: the first started no run within {RETAKE_AFTER_S:g} s)")
    lines.append(f"{'sessions':<19} {'action':<12} {'count':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for mode in (BROWSER, WIRE):
        mine = {kind: values for (m, kind), values in result.timings.items() if m == mode}
        changes = [v for kind, values in mine.items() if kind != "first open" for v in values]
        for kind, values in [*sorted(mine.items()), ("all changes", changes)]:
            if values:
                lines.append(f"{mode:<19} {kind:<12} {len(values):>6} {np.percentile(values, 50):7.2f} "
                             f"{np.percentile(values, 95):7.2f} {max(values):7.2f}")
    for error in result.errors[:30]:
        lines.append(f"ERROR {error}")
    if len(result.errors) > 30:
        lines.append(f"… and {len(result.errors) - 30} more errors")
    return "\n".join(lines)


def main(db: Path, users: int, seconds: float, screenshots: Path | None = None, browsers: int = 2,
         think_s: float = 10.0) -> int:
    """The `loadtest` command (its arguments are declared in tools/__main__.py)."""
    if not 1 <= users <= 100 or not 0 < seconds <= 3600 or not 0 <= browsers <= users or not 0 <= think_s <= 60:
        print("--users 1..100, --browsers 0..users, --seconds up to 3600, --think 0..60", file=sys.stderr)
        return 2
    cities = _cities(db)
    with (tempfile.TemporaryDirectory(prefix="healthdash-load-") as scratch,
          headless.serve(db, Path(scratch) / "streamlit.log") as server):
        print(f"serving {db} at {server.url}; {users} users for {seconds:g} s …", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        navigation = app_pages()
        plan = Plan(server.url, seconds, cities, [nav.url_path for nav in navigation],
                    next(nav.url_path for nav in navigation if nav.default), think_s, screenshots)
        result = asyncio.run(_run(plan, users, browsers))
        memory = headless.memory_mb(server.process.pid)
        if server.process.poll() is not None:
            result.errors.append(f"the server exited with {server.process.returncode}")
    print(summary(result, users, browsers, seconds, think_s))
    print(f"server peak memory {memory['VmHWM']:.0f} MB (VmHWM of the streamlit process); load average (1 min) "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores")
    return 1 if result.errors else 0

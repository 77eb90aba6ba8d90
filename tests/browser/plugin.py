"""Fixtures for the browser tests: a demo database, the app under `streamlit run`, Debian's Chromium.

Registered once, for every test that asks for its fixtures, by `pytest_plugins` in tests/conftest.py.

Nothing here may reach the internet, and nothing is downloaded: Playwright (the Python package) only
drives /usr/bin/chromium, which comes from Debian (`apt-get install chromium fonts-noto-cjk`). The
browser is started with its background services off, every host name other than localhost resolving to
nothing, and every request that would leave the machine is aborted and recorded, so a test can assert
that the app asked for nothing outside.

Environment (all optional):
- HEALTHDASH_CHROMIUM     the browser binary (default /usr/bin/chromium)
- HEALTHDASH_BROWSER_DB   use this database instead of building the demo (a quicker loop while developing)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.browser.helpers import REPO, PageLog, is_external
from tools import headless

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

INSTALL_HINT = (
    "Install Debian's Chromium and CJK fonts:  apt-get install -y chromium fonts-noto-cjk  (.ci/run does)"
)
CJK_FONT_FILE = re.compile(r"CJK|SourceHanSans|wqy|DroidSansFallback|msyh|PingFang", re.IGNORECASE)

SERVER_START_TIMEOUT_S = 120
DEMO_BUILD_TIMEOUT_S = 900


# ---------------------------------------------------------------------------------------------- checks


def require_chromium() -> str:
    """Fail (never skip) when the browser is missing: a skipped browser test looks like a passed one."""
    try:
        return headless.require_chromium()
    except RuntimeError as missing:
        pytest.fail(f"Browser tests need {missing}\n{INSTALL_HINT}", pytrace=False)


def require_cjk_fonts() -> None:
    """Fail when no Chinese font is installed: every label would render as empty boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        found = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    else:  # no fontconfig tools: look for the usual CJK font files
        dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
        found = next(
            (str(f) for d in dirs if d.is_dir() for f in d.rglob("*") if CJK_FONT_FILE.search(f.name)), ""
        )
    if not found:
        pytest.fail(
            f"Browser tests need a Chinese font, and none is installed.\n{INSTALL_HINT}", pytrace=False
        )


# ---------------------------------------------------------------------------------------------- database


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per session by the project's own CLI, in a temporary folder."""
    given = os.environ.get("HEALTHDASH_BROWSER_DB")
    if given:
        path = Path(given).resolve()
        if not path.exists():
            pytest.fail(f"HEALTHDASH_BROWSER_DB={given} does not exist", pytrace=False)
        return path
    path = tmp_path_factory.mktemp("browser-db") / "health.duckdb"
    command = [sys.executable, "-m", "healthdash", "build-demo", "--db", str(path)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=DEMO_BUILD_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command[1:])} took over {DEMO_BUILD_TIMEOUT_S} s", pytrace=False)
    if done.returncode != 0 or not path.exists():
        output = (done.stdout + done.stderr)[-4000:]
        pytest.fail(
            f"building the demo database failed (exit {done.returncode}): {' '.join(command[1:])}\n{output}",
            pytrace=False,
        )
    print(f"\n[browser] demo database built in {time.monotonic() - started:.1f} s: {path}")
    return path


# ---------------------------------------------------------------------------------------------- app server


AppServer = headless.Server


@contextmanager
def running_app(db: Path, log_dir: Path, extra_args: Sequence[str] = (),
                env: Mapping[str, str] | None = None) -> Iterator[AppServer]:
    """The dashboard (`python -m healthdash.serve`, i.e. `streamlit run app.py`) on a free loopback port, on
    `db`, with `extra_args` for Streamlit; stopped on leaving. A server that does not answer fails the test."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(headless.serve(db, log_dir / "streamlit.log",
                                                        timeout_s=SERVER_START_TIMEOUT_S, extra_args=extra_args,
                                                        env=env))
        except RuntimeError as failed:
            pytest.fail(str(failed), pytrace=False)
        yield server


@pytest.fixture(scope="session")
def app_server(browser_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The dashboard on `browser_db`, for the whole session."""
    with running_app(browser_db, tmp_path_factory.mktemp("streamlit")) as server:
        yield server


@pytest.fixture(scope="session")
def start_app():
    """`running_app`, for a module that needs a server of its own (another database, secrets)."""
    return running_app


# ---------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by the Playwright driver inside the wheel (no download)."""
    executable = require_chromium()
    require_cjk_fonts()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=headless.CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_log() -> PageLog:
    """What the test's page did that a clean page must not (see helpers.assert_clean)."""
    return PageLog()


def new_page(browser, base_url: str, log: PageLog):
    """A page in a context of its own (no cookies or storage from other tests), `base_url` as its base,
    every request leaving the machine aborted and, like errors, recorded in `log`."""
    context = browser.new_context(
        base_url=base_url,
        viewport=headless.VIEWPORT,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="block",
    )
    context.on("request", log.on_request)

    def keep_local(route) -> None:
        if is_external(route.request.url):
            route.abort("blockedbyclient")  # recorded by on_request; never sent
        else:
            route.continue_()

    context.route("**/*", keep_local)
    page = context.new_page()
    page.on("pageerror", log.on_page_error)
    page.on("console", log.on_console)
    page.on("websocket", log.on_websocket)
    page.set_default_timeout(60_000)
    return page


@pytest.fixture
def page_for(browser):
    """`new_page` in the session's browser: page_for(base_url, log)."""
    return lambda base_url, log: new_page(browser, base_url, log)


@pytest.fixture
def page(browser, app_server: AppServer, page_log: PageLog, request: pytest.FixtureRequest):
    """A fresh page (own context: no cookies or storage from other tests) with the app as base URL."""
    page = new_page(browser, app_server.url, page_log)
    context = page.context
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            from tests.browser.helpers import save_screenshot

            try:
                save_screenshot(page, f"FAILED-{request.node.name}")
            except Exception as exc:  # a broken page must not hide the test's own failure
                print(f"[browser] no screenshot of the failure: {exc}")
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item (for the failure screenshot); on failure attach what the
    browser recorded and the tail of the server's log."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        log, server = funcargs.get("page_log"), funcargs.get("app_server")
        if isinstance(log, PageLog) and log.problems():
            _attach(report, "browser: external requests and errors", "\n".join(log.problems()))
        if isinstance(server, AppServer):
            _attach(report, "streamlit log (tail)", server.log_tail())
    return report


def _attach(report: pytest.TestReport, title: str, text: str) -> None:
    """A section on the failure's report. pytest-xdist sends reports as UTF-8: a lone surrogate from a page's
    text would make the worker fail with an internal error instead of reporting the test's own failure."""
    report.sections.append((title, text.encode("utf-8", "replace").decode("utf-8")))

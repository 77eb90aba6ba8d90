"""What a browser test calls: open a page of the running app, check it is clean, keep a screenshot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, Request, WebSocket

from tools.headless import APP, APP_IDLE, is_local

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"

RUNNING = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'
# An uncaught exception in a page renders as stException; st.error() as stAlertContentError.
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'


def is_external(url: str) -> bool:
    """True when loading `url` would leave this machine (data:, blob: and about: URLs never do)."""
    return not is_local(url)


@dataclass
class PageLog:
    """Everything a page did that a clean page must not: external requests, page errors, console errors."""

    external_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        if is_external(request.url):
            self.external_requests.append(f"{request.method} {request.url}")

    def on_websocket(self, websocket: WebSocket) -> None:
        if is_external(websocket.url):
            self.external_requests.append(f"WEBSOCKET {websocket.url}")

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text}" + (f" ({where})" if where else ""))

    def clear(self) -> None:
        self.external_requests.clear()
        self.page_errors.clear()
        self.console_errors.clear()

    def problems(self) -> list[str]:
        return (
            [f"external request: {r}" for r in self.external_requests]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"console error: {c}" for c in self.console_errors]
        )


# Streamlit's frontend, opened on a page's own path, first probes /<page>/_stcore/... (404) before the
# root, and a brand-new server may answer the very first deep link with "page not found" before the
# navigation is known: its behaviour, not the app's. Everything else still counts.
STREAMLIT_DEEP_LINK = ("/_stcore/health", "/_stcore/host-config", "does not seem to exist")


def drop_deep_link_noise(log: PageLog) -> None:
    """Forget the console errors Streamlit itself logs on a deep link (STREAMLIT_DEEP_LINK)."""
    log.console_errors[:] = [e for e in log.console_errors if not any(s in e for s in STREAMLIT_DEEP_LINK)]


def wait_until_idle(page: Page, timeout_ms: float = 60_000, settle_ms: int = 400) -> None:
    """Wait until the script has run to the end, nothing is loading and it stays so for `settle_ms`.

    A page may rerun itself (st.rerun, a query-param sync), so idle has to hold twice in a row.
    """
    for _ in range(2):
        page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)
        page.wait_for_function(
            "sel => document.querySelectorAll(sel).length === 0", arg=RUNNING, timeout=timeout_ms
        )
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        page.wait_for_timeout(settle_ms)
    state = page.get_attribute(APP, "data-test-script-state")
    if state == "compilationError":
        raise AssertionError("the page's script does not compile (Streamlit script state compilationError)")


def sign_in(page: Page, name: str, password: str, *, accepted: bool = True, timeout_ms: float = 60_000) -> None:
    """Sign in through the form. For an account the form lets in (`accepted`), wait until the form is gone:
    the click starts a rerun that the idle wait can finish before, and the new sidebar then shows beside the
    old form."""
    page.get_by_label("账户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if accepted:
        page.get_by_label("账户名").wait_for(state="detached", timeout=timeout_ms)
    wait_until_idle(page)


def page_exceptions(page: Page, *, include_error_alerts: bool = True) -> list[str]:
    """The text of every exception (and, unless told otherwise, every st.error box) on the page."""
    selector = f"{EXCEPTION}, {ERROR_ALERT}" if include_error_alerts else EXCEPTION
    texts = [re.sub(r"\s+", " ", t).strip()[:800] for t in page.locator(selector).all_inner_texts()]
    # An exception box holds an error alert: the same text found twice is one error.
    return list(dict.fromkeys(texts))


def open_page(
    page: Page, path: str = "/", *, allow_error_alerts: bool = False, timeout_ms: float = 90_000
) -> Page:
    """Go to `path` of the app (relative to the context's base URL), wait for Streamlit to finish the
    run, and fail if the page shows an exception (or an st.error box, unless `allow_error_alerts`)."""
    page.goto(path, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(APP, state="attached", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms=timeout_ms)
    errors = page_exceptions(page, include_error_alerts=not allow_error_alerts)
    if errors:
        raise AssertionError(f"{path}: the page shows {len(errors)} error(s):\n" + "\n".join(errors))
    return page


def assert_clean(log: PageLog, what: str = "the page") -> None:
    """No external request, no page error, no console error since the log was last cleared."""
    problems = log.problems()
    assert not problems, f"{what}: {len(problems)} problem(s):\n" + "\n".join(problems)


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save artifacts/screenshots/<name>.png (CI keeps that folder) and return its path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path

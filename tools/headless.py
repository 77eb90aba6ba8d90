"""The dashboard under `streamlit run` on a loopback port, and Debian's headless Chromium to look at it:
what the benchmark's cold start and the load test drive (`python -m tools bench | loadtest`).

Nothing here reaches beyond 127.0.0.1: the server listens on loopback only, the browser resolves every other
host name to nothing, `keep_local` aborts any request that would leave the machine (the load test) and
`note_outside_requests` reports one (the cold start, whose browser must keep its cache). Playwright (the
Python package) only drives /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HEALTHDASH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--no-proxy-server",
    # Any host name but localhost resolves to nothing: even a request that slipped past a route could not
    # leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 720}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

# Streamlit's markers (tests/browser/helpers.py uses them too): the script's run state on the app root, the
# "running" indicator, an uncaught exception and an st.error box.
APP = '[data-testid="stApp"]'
APP_IDLE = f'{APP}[data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
RUNNING = '[data-testid="stStatusWidget"]'
METRIC = '[data-testid="stMetric"]'
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local(url: str) -> bool:
    """True for a URL that stays on this machine (data:, blob: and about: never leave it)."""
    parts = urlsplit(url)
    return parts.scheme not in {"http", "https", "ws", "wss", "ftp"} or (parts.hostname or "") in LOCAL_HOSTS


def require_chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise RuntimeError(f"Debian's Chromium is missing at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    return CHROMIUM


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    started: float  # time.perf_counter() when the process was started
    answered: float  # time.perf_counter() when /_stcore/health first answered

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, whatever http_proxy says


def _answers(url: str) -> bool:
    try:
        with _DIRECT.open(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve(db: Path, log_path: Path, *, timeout_s: float = 120.0, port: int | None = None,
          extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """The dashboard as `make run` starts it (`python -m healthdash.serve`) on `port` of the loopback (a
    free one by default), reading `db`, with `extra_args` for Streamlit and `env` added to this process's
    environment; stopped when the block ends."""
    port = port or free_port()
    command = [sys.executable, "-m", "healthdash.serve", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false", *extra_args]
    env = {**os.environ, **(env or {}), "HEALTHDASH_DB": str(db), "PYTHONUNBUFFERED": "1"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = started + timeout_s
        while not _answers(f"{url}/_stcore/health"):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"streamlit did not answer within {timeout_s:g} s")
            time.sleep(0.05)
        yield Server(url, process, log_path, started, time.perf_counter())
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process from /proc: now (VmRSS) and its peak so far (VmHWM), in MB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def note_outside_requests(context, errors: list[str]) -> None:  # noqa: ANN001 (a Playwright BrowserContext)
    """Add every request of `context` to another host to `errors`. Where timings matter this replaces
    `keep_local`: a routed context has no HTTP cache, so a returning browser would fetch every script
    again (0.6 s more at a cold start). CHROMIUM_ARGS already resolve no other host."""
    context.on("request", lambda request: is_local(request.url) or errors.append(
        f"request leaving the machine: {request.url}"))


def keep_local(route) -> None:  # noqa: ANN001 (a Playwright Route, sync or async API alike)
    """A context.route handler: requests leaving the machine are aborted, the rest go through."""
    if is_local(route.request.url):
        return route.continue_()
    return route.abort("blockedbyclient")

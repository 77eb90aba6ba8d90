"""Run inside `unshare -n` by test_offline_bundle.py: start an unpacked, installed bundle as its README says
and open it in Chromium on loopback; print what happened as one JSON line on stdout.

`python tests/tools/offline_probe.py BUNDLE_DIR SCREENSHOT` from the repository (for tools.headless). The
namespace has no interface but loopback, which starts down: it is brought up here. The server runs the
bundle's own .venv with an audit hook recording every socket connection and name lookup that would leave
the machine; the browser records every request its page makes.
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.headless import APP_IDLE, CHROMIUM, CHROMIUM_ARGS, METRIC, PROBLEMS, is_local  # noqa: E402

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
# The brief's flags come first; CHROMIUM_ARGS adds the rest of the harness's (no proxy, no other host).
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", *CHROMIUM_ARGS]
# Started as `python -c LAUNCH MODULE ARGS...`: the audit hook, then what `python -m MODULE ARGS...` runs.
LAUNCH = """
import runpy, socket, sys
LOCAL = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::", None, "")
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1][0] not in LOCAL:
        print("NETWORK-ATTEMPT connect", args[1], file=sys.stderr, flush=True)
    elif event == "socket.getaddrinfo" and args[0] not in LOCAL and args[0] != b"localhost":
        print("NETWORK-ATTEMPT getaddrinfo", args[0], file=sys.stderr, flush=True)
sys.addaudithook(hook)
module = sys.argv[1]
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0))[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def outside_reachable() -> str | None:
    """The error a connection to a public address gets here (None if it connected: the namespace leaks)."""
    try:
        socket.create_connection(("223.5.5.5", 53), timeout=3).close()
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None


def wait_for(url: str, process: subprocess.Popen, timeout_s: float) -> float:
    started = time.monotonic()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with opener.open(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout_s:g} s")


def main(bundle: Path, screenshot: Path) -> dict:
    loopback_up()
    result: dict = {"interfaces": sorted(name for _, name in socket.if_nameindex()), "outside": outside_reachable()}
    port = 8501
    env = {"PATH": "/usr/bin:/bin", "HOME": str(bundle), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    log_path = bundle / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(bundle / ".venv/bin/python"), "-c", LAUNCH, "healthdash.serve",
                                   "--server.port", str(port)],
                                  cwd=bundle, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        result["server_answered_s"] = round(wait_for(f"{url}/_stcore/health", server, 120), 1)
        from playwright.sync_api import sync_playwright

        requests: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="zh-CN")
            page.on("request", lambda request: requests.append(request.url))
            page.on("websocket", lambda websocket: requests.append(websocket.url))
            started = time.monotonic()
            page.goto(url, timeout=60_000)
            # The first visit builds the demo database, then draws the Overview's headline figures.
            page.wait_for_selector(METRIC, timeout=150_000)
            page.wait_for_selector(APP_IDLE, timeout=60_000)
            result["first_page_s"] = round(time.monotonic() - started, 1)
            result["metrics"] = page.locator(METRIC).count()
            result["problems"] = page.locator(PROBLEMS).all_inner_texts()
            result["title"] = page.title()
            page.screenshot(path=str(screenshot), full_page=False)
            # The data officers' page (locked until its password is set): it must draw too.
            page.goto(f"{url}/data", timeout=60_000)
            page.wait_for_selector(APP_IDLE, timeout=60_000)
            result["data_page_problems"] = page.locator(PROBLEMS).all_inner_texts()
            result["data_page_text"] = page.locator("section.main, [data-testid='stMain']").first.inner_text()[:400]
            browser.close()
        result["requests"] = len(requests)
        result["outside_requests"] = sorted({r for r in requests if not is_local(r)})
    finally:
        server.terminate()
        server.wait(timeout=20)
    log_text = log_path.read_text(errors="replace")
    result["server_network_attempts"] = [line for line in log_text.splitlines() if "NETWORK-ATTEMPT" in line]
    result["database_built"] = (bundle / "data" / "health.duckdb").is_file()
    result["log_tail"] = log_text[-1500:]
    return result


if __name__ == "__main__":
    outcome: dict
    try:
        outcome = main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
    except Exception as error:  # noqa: BLE001 (reported to the test as data, with the server's log)
        log = Path(sys.argv[1], "server.log")
        outcome = {"error": f"{type(error).__name__}: {error}",
                   "log_tail": log.read_text(errors="replace")[-3000:] if log.is_file() else ""}
    print(json.dumps(outcome, ensure_ascii=False))

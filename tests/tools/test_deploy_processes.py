"""Two dashboard processes behind nginx, as deploy/ sets them up with HEALTHDASH_PROCESSES=2: each browser stays
on one process (the route cookie), both read the one database file, and a load swaps it for both: sessions open
on either process see the new figures on their next run, with no error during or after the swap. The world is
the loader tests' tiny one (tests/support/load_world.py); the load triples its township's last month of visits.

nginx runs unprivileged on the loopback (`-p` a temporary folder, the site rendered by deploy/configure.sh);
the sessions speak Streamlit's websocket (tools/wire_session.py) with the cookie a browser would send.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from healthdash.ingest import loader
from tests.ingest.test_load_live import SHARE, answers, primary_share, tripled_primary_visits
from tests.support.load_world import build_tiny
from tools import headless
from tools.wire_session import Run, WireSession, open_session

NGINX = Path("/usr/sbin/nginx")
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROUTE = "healthdash_route"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, whatever http_proxy says


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (the upstream's ports follow HEALTHDASH_PORT)."""
    for _ in range(50):
        first = headless.free_port()
        with ExitStack() as held:
            try:
                for port in range(first, first + count):
                    probe = held.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


def get(url: str, route: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"{ROUTE}={route}"} if route else {})
    with _DIRECT.open(request, timeout=10) as response:
        return response.status, response.headers.get("Set-Cookie") or ""


@contextmanager
def nginx(folder: Path, first_port: int, processes: int) -> Iterator[str]:
    """nginx with the site configure.sh renders for `processes` processes from `first_port`, on a free loopback
    port; its logs (the access log says which process served each request) in `folder`."""
    public = headless.free_port()
    env = (DEPLOY / "healthdash.env").read_text(encoding="utf-8")
    for name, value in {"HEALTHDASH_SERVER_NAME": "127.0.0.1", "HEALTHDASH_PUBLIC_PORT": f"127.0.0.1:{public}",
                        "HEALTHDASH_PORT": str(first_port), "HEALTHDASH_PROCESSES": str(processes)}.items():
        env = re.sub(rf"^{name}=.*$", f"{name}={value}", env, flags=re.M)
    (folder / "healthdash.env").write_text(env, encoding="utf-8")
    done = subprocess.run([str(DEPLOY / "configure.sh"), str(folder / "healthdash.env"), str(folder / "site.conf"),
                           str(folder), str(folder)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # As root (CI), nginx's workers would otherwise run as nobody, who cannot enter pytest's private folders.
    (folder / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format route '$status $upstream_addr $cookie_{ROUTE} $request_uri';
    access_log {folder}/access.log route;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    process = subprocess.Popen([str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c",
                                str(folder / "nginx.conf")], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{public}"
    try:
        deadline = time.monotonic() + 20
        while not answers(f"{url}/_stcore/health"):
            assert process.poll() is None, process.stderr.read().decode(errors="replace") if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def served(folder: Path, path: str) -> list[tuple[str, str, str]]:
    """(status, upstream port, route cookie) of every request for `path` in nginx's access log."""
    rows = [line.split(" ") for line in (folder / "access.log").read_text().splitlines()]
    return [(status, upstream.rsplit(":", 1)[-1], route) for status, upstream, route, uri in rows if uri.startswith(path)]


def share(run: Run) -> float:
    assert not run.problems, run.problems
    return float(run.metrics[SHARE].rstrip("*").rstrip("%"))


async def across_a_load(url: str, routes: list[str], db: Path, report: Path) -> tuple[list[Run], list[Run], list[Run], list[Run]]:
    """A session on each process: a run before the load, runs for as long as the load takes, a run after it;
    then a new session on each process."""
    async with open_session(url, cookie=f"{ROUTE}={routes[0]}") as first, \
            open_session(url, cookie=f"{ROUTE}={routes[1]}") as second:
        sessions = [WireSession(first), WireSession(second)]
        before = [await session.run() for session in sessions]
        load = asyncio.ensure_future(asyncio.to_thread(loader.apply, db, loader.read_paths([report]), "tester"))
        during: list[Run] = []
        while not load.done():
            comparison = ("mom", "yoy")[len(during) // 2 % 2]
            during += await asyncio.gather(*(session.run("", {"cmp": comparison}) for session in sessions))
        assert (await load).applied
        after = [await session.run() for session in sessions]
    fresh = []
    for route in routes:
        async with open_session(url, cookie=f"{ROUTE}={route}") as socket_:
            fresh.append(await WireSession(socket_).run())
    return before, during, after, fresh


@pytest.mark.system
def test_two_processes_behind_nginx_both_serve_a_load(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    db = build_tiny(tmp_path / "data" / "health.duckdb")  # a load of it takes a second or two, not the demo's 10+
    report = tripled_primary_visits(db, tmp_path / "门急诊与住院服务量.csv")
    old = primary_share(db)
    first_port = free_ports(2)
    logs = tmp_path / "nginx"
    logs.mkdir()
    with ExitStack() as running:
        # Both start at once (a start is mostly waiting for imports).
        with ThreadPoolExecutor(max_workers=2) as pool:
            servers = list(pool.map(running.enter_context, [
                headless.serve(db, tmp_path / f"streamlit-{port}.log", port=port) for port in (first_port, first_port + 1)]))
        url = running.enter_context(nginx(logs, first_port, 2))

        # A browser's first response sets its route; later requests send it back and stay on one process.
        status, cookie = get(f"{url}/")
        assert status == 200 and cookie.startswith(f"{ROUTE}=") and "HttpOnly" in cookie
        assert get(f"{url}/", "route-0")[1] == "", "set once"
        for route in (f"route-{number}" for number in range(12)):
            get(f"{url}/_stcore/health", route)
            get(f"{url}/_stcore/health", route)
        process_of = {}
        for _, port, route in served(logs, "/_stcore/health"):
            if not route.startswith("route-"):
                continue  # nginx's start-up probe, without a cookie
            assert process_of.setdefault(route, port) == port, f"{route} moved between processes"
        ports = [str(first_port), str(first_port + 1)]
        routes = [next(route for route, port in process_of.items() if port == wanted) for wanted in ports]

        # In a thread of its own: asyncio.run refuses a thread where a browser test's (sync) Playwright loop runs.
        with ThreadPoolExecutor(max_workers=1) as pool:
            before, during, after, fresh = pool.submit(asyncio.run, across_a_load(url, routes, db, report)).result()
        new = primary_share(db)

    assert new > old + 1
    assert [share(run) for run in before] == pytest.approx([old, old], abs=0.05)
    assert during and not [run.problems for run in during if run.problems]
    assert [share(run) for run in after + fresh] == pytest.approx([new] * 4, abs=0.05)
    # Each session's websocket stayed on the process its cookie names, and nothing failed on the way.
    streams = served(logs, "/_stcore/stream")
    assert sorted((route, port) for _, port, route in streams) == sorted(
        [(routes[0], ports[0]), (routes[1], ports[1])] * 2)
    assert {status for status, _, _ in streams} == {"101"}
    assert not [row for row in served(logs, "/") if row[0].startswith("5")]
    assert not re.search(r"\[(error|crit|alert|emerg)\]", (logs / "error.log").read_text())
    for server in servers:
        assert "Traceback" not in server.log_path.read_text(errors="replace")

"""The server takes uploads only from sessions that unlocked the data page, and none above the page's limit.

The guard as ASGI middleware in front of a stand-in for Streamlit's routes; its installation into the
Starlette app Streamlit builds; the size limit `healthdash.serve` passes. The whole path through a running
server, from a browser session, is in tests/browser/test_browser_hostile.py.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.web.server.starlette import starlette_app

from healthdash import serve
from healthdash.access import upload_guard
from healthdash.access.upload_guard import UploadGuard


class Streamlit:
    """What stands behind the guard: records that a request reached it and whether its body was read."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        await receive()
        self.reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def request(method: str, path: str) -> tuple[int, bytes, bool, list[str]]:
    """(status, body, whether the request body was read, paths that reached Streamlit)."""
    inner = Streamlit()
    sent: list[dict] = []
    body_read = False

    async def receive() -> dict:
        nonlocal body_read
        body_read = True
        return {"type": "http.request", "body": b"x" * 1024, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    # A thread of its own: the browser tests' Playwright keeps an event loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, UploadGuard(inner)(scope, receive, send)).result()
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), body_read, inner.reached


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    sessions = {"unlocked-session"}
    monkeypatch.setattr(upload_guard, "_allowed", sessions)
    return sessions


@pytest.mark.parametrize("path", [
    "/_stcore/upload_file/locked-session/file-1",
    "/_stcore/upload_file/locked-session/file-1/",
    "/dashboard/_stcore/upload_file/locked-session/file-1",  # server.baseUrlPath = dashboard
    "//_stcore/upload_file/locked-session/file-1",
    "/_stcore/upload_file//file-1",
    "/_stcore/upload_file",
])
def test_an_upload_from_a_locked_session_is_refused_unread(allowed: set[str], path: str) -> None:
    status, body, body_read, reached = request("PUT", path)
    assert status == 403 and "请先在“数据管理”页输入数据管理员密码" in body.decode()
    assert not body_read and not reached, "refused before a byte of the file is read"


def test_an_unlocked_session_uploads(allowed: set[str]) -> None:
    status, _, body_read, reached = request("PUT", "/_stcore/upload_file/unlocked-session/file-1")
    assert status == 204 and body_read and reached == ["/_stcore/upload_file/unlocked-session/file-1"]


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/_stcore/upload_file/locked-session/file-1"),   # removing a file stores nothing
    ("OPTIONS", "/_stcore/upload_file/locked-session/file-1"),
    ("GET", "/_stcore/health"),
    ("PUT", "/_stcore/other"),
])
def test_everything_else_passes(allowed: set[str], method: str, path: str) -> None:
    assert request(method, path)[0] == 204


def test_allow_and_revoke(allowed: set[str]) -> None:
    upload_guard.allow("officer")
    assert upload_guard.allowed("officer")
    upload_guard.revoke("officer")
    assert not upload_guard.allowed("officer") and request("PUT", "/_stcore/upload_file/officer/f")[0] == 403


def test_install_puts_the_guard_in_front_of_streamlits_middleware(monkeypatch: pytest.MonkeyPatch) -> None:
    original = starlette_app.create_streamlit_middleware
    monkeypatch.setattr(starlette_app, "create_streamlit_middleware", original)  # restored after the test
    serve.guard_uploads()
    serve.guard_uploads()
    stack = starlette_app.create_streamlit_middleware()
    assert [layer.cls for layer in stack] == [UploadGuard, *(layer.cls for layer in original())], "once, first"


@pytest.mark.parametrize(("environment", "args", "expected"), [
    (None, [], ["--server.maxUploadSize", "50"]),
    ("12.5", [], ["--server.maxUploadSize", "13"]),
    ("0.2", [], ["--server.maxUploadSize", "1"]),
    (None, ["--server.maxUploadSize", "5"], []),
    (None, ["--server.maxUploadSize=5"], []),
])
def test_the_servers_upload_limit_is_the_data_pages(monkeypatch: pytest.MonkeyPatch, environment: str | None,
                                                    args: list[str], expected: list[str]) -> None:
    if environment is None:
        monkeypatch.delenv("HEALTHDASH_MAX_LOAD_MB", raising=False)
    else:
        monkeypatch.setenv("HEALTHDASH_MAX_LOAD_MB", environment)
    assert serve.upload_limit_args(args) == expected

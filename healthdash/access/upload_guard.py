"""Uploads only from sessions that have unlocked the data page.

Streamlit 1.67's upload endpoint (PUT /_stcore/upload_file/<session id>/<file id>, in
streamlit/web/server/starlette/starlette_routes.py) checks only that the session is alive: any visitor's
browser session can send files, whether or not its page shows a file uploader, and they stay in the
server's memory until the session ends. The data page creates its uploader only once unlocked, which is
not enough, so the server itself refuses: `UploadGuard` answers 403 to an upload for a session the data
page has not unlocked, before reading a byte of the body. officer.py calls `allow` and `revoke`.

healthdash.serve (`make run`) puts the guard in front of Streamlit's own middleware before the server
starts. Starting with a bare `streamlit run app.py` leaves uploads unguarded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Any path that reaches the upload route, whatever server.baseUrlPath puts in front.
UPLOAD_PATH = re.compile(r"/_stcore/upload_file(?:/([^/]*))?")
REFUSED = "上传被拒绝：请先在“数据管理”页输入数据管理员密码。 Upload refused: unlock the data page first.".encode()

_allowed: set[str] = set()
_lock = threading.Lock()


def allow(session_id: str) -> None:
    with _lock:
        _allowed.add(session_id)


def revoke(session_id: str) -> None:
    with _lock:
        _allowed.discard(session_id)


def allowed(session_id: str) -> bool:
    with _lock:
        return session_id in _allowed


class UploadGuard:
    """ASGI middleware: a PUT to the upload endpoint for a session not allowed gets 403, body unread."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "PUT":
            match = UPLOAD_PATH.search(scope.get("path", ""))
            if match and not allowed(match.group(1) or ""):
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(REFUSED)).encode()),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": REFUSED})
                return
        await self.app(scope, receive, send)


"""A dashboard session spoken over Streamlit's websocket, the way the browser's frontend speaks it, without a
browser: for the load test, where twenty Chromium tabs on the server's own two cores would measure the
tabs, not the server.

The frontend opens /_stcore/stream (subprotocol "streamlit") and asks for a run with a BackMsg carrying the
page (its URL path) and the URL's query string; the server answers with ForwardMsgs (the page's elements as
deltas) and ends each run with `script_finished`. A filter change is sent as the URL with the new selection
(what a shared link or the back button gives the app, read by sidebar_filters like a widget change); a page
switch names the other page, with the selection in the query string.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown
from websockets.asyncio.client import ClientConnection, connect

STREAM_PATH = "/_stcore/stream"
_FINAL = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class Run:
    """What one run sent: how long until its end, how many elements, the problems a user would see, the
    captions (the selection shown under the title) and the metric cards (label -> value as shown)."""

    seconds: float = 0.0
    elements: int = 0
    problems: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)


class WireSession:
    """One session of the dashboard over an open websocket (`open_session`)."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket

    async def run(self, page: str = "", query: Mapping[str, str] | None = None) -> Run:
        """Ask for `page` (a url path of app.py's navigation, "" for the default) with `query` as the URL's
        parameters and read until the run has finished (a run that ends early for a rerun is followed)."""
        message = BackMsg()
        message.rerun_script.page_name = page
        message.rerun_script.query_string = urlencode(dict(query or {}))
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = Run()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self._socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                run.elements += 1
                _read_element(forward.delta.new_element, run)
            elif kind == "page_not_found":
                run.problems.append(f"page not found: /{page}")
            elif kind == "session_event" and forward.session_event.WhichOneof("type") == "script_compilation_exception":
                run.problems.append(f"compile error: {forward.session_event.script_compilation_exception.message}")
            elif kind == "script_finished" and forward.script_finished in _FINAL:
                run.seconds = time.perf_counter() - started
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.problems.append("the page did not compile")
                return run


def _read_element(element: object, run: Run) -> None:
    kind = element.WhichOneof("type")  # type: ignore[attr-defined]
    if kind == "exception":
        run.problems.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")  # type: ignore[attr-defined]
    elif kind == "alert" and element.alert.format == Alert.ERROR:  # type: ignore[attr-defined]
        run.problems.append(f"error box: {element.alert.body[:200]}")  # type: ignore[attr-defined]
    elif kind == "markdown" and element.markdown.element_type == Markdown.CAPTION:  # type: ignore[attr-defined]
        run.captions.append(element.markdown.body)  # type: ignore[attr-defined]
    elif kind == "metric":
        run.metrics[element.metric.label] = element.metric.body  # type: ignore[attr-defined]


def open_session(url: str, timeout_s: float = 30.0, cookie: str | None = None):  # noqa: ANN201 (websockets' async context manager)
    """`async with open_session("http://127.0.0.1:8501") as socket: WireSession(socket)`. `cookie`: the Cookie
    header a browser would send (behind nginx, the route cookie that keeps it on one process)."""
    return connect(url.replace("http://", "ws://", 1) + STREAM_PATH, subprotocols=["streamlit"],  # type: ignore[list-item]
                   max_size=None, open_timeout=timeout_s, additional_headers={"Cookie": cookie} if cookie else None)

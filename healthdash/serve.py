"""Start the dashboard: `python -m healthdash.serve [streamlit options]` (what `make run` uses).

app.py declares its pages with st.navigation, but Streamlit also knows the legacy "pages/ folder" mode and
uses it until the first session has called st.navigation: the first deep link after a start (say
/referrals) would run that page file alone, without app.py's layout, navigation and database check.
Turning the legacy mode off before the server starts makes every first visit go through app.py.

The first visit after a start also pays for what only the first run of the process does: importing what
app.py and the pages import (pandas, Altair, the healthdash modules), Altair building its first chart,
Streamlit walking the call stack once (inspect.stack(), to tell a REPL from `streamlit run`) while Python's
inspect module maps every loaded file to its module, and the first queries on a new DuckDB connection
(what each costs: docs/PERFORMANCE.md, "Start-up costs"). A thread does all of it
while the server starts and the browser loads the page (`preload`), reading what the Overview shows for
the default selection into the query cache.

Uploads: the server takes files only for sessions that unlocked the data page (healthdash.access.upload_guard),
none larger than the data page's limit (`server.maxUploadSize`, from loadfile.limit_mb, unless given).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import sys
import threading

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from healthdash.access import upload_guard
from healthdash.ingest.loadfile import limit_mb
from healthdash.ui.navigation import APP, NavPage, app_pages


def app_modules(pages: list[NavPage] | None = None) -> list[str]:
    """Every module app.py and `pages` (default: every page of its navigation) import, read from their
    source."""
    names: dict[str, None] = {}
    for path in [APP, *(APP.parent / page.script for page in (app_pages() if pages is None else pages))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names[node.module] = None
                names.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return list(names)


def preload() -> None:
    """Import what the default page needs, fill inspect's module cache and read the default Overview, then
    import the other pages' modules, so that the first visit waits for none of it. Best effort: anything
    that fails here fails again, visibly, when a page does it."""
    _import(app_modules([page for page in app_pages() if page.default]))
    try:
        inspect.stack()
        warm_default_overview()
    except Exception:  # noqa: BLE001, S110 (a warm-up only)
        pass
    _import(app_modules())


def _import(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # "from package import function" names a function, not a module
            continue


def warm_default_overview() -> None:
    """Read what the Overview shows for the default selection (the data badge, the headline figures and
    whether reports are missing under them, the summary, the ranking and the map by the first headline
    indicator, the attention list) through the pages' own
    cached functions, so the first visit finds them in the cache. Needs the database: before the demo is
    built it fails, and the first visit builds and reads as it would without this."""
    from healthdash.core.filters import default_filters
    from healthdash.data.kpi import headline, indicator_catalog
    from healthdash.domains.overview.data import HEADLINE
    from healthdash.domains.quality import data as quality
    from healthdash.reports import summary
    from healthdash.ui import maps, widgets
    from healthdash.ui.sidebar import filter_options

    filters = default_filters(filter_options())
    widgets.dataset_kind()
    headline(filters, HEADLINE)
    quality.coverage(filters)
    for code in HEADLINE:
        quality.report_gap(filters, indicator_catalog()[code])
    summary.gather(filters, HEADLINE)
    widgets.ranking_figure(filters, indicator_catalog()[HEADLINE[0]])
    widgets.attention_frame(filters, HEADLINE, linked=True)
    maps.map_areas(filters, indicator_catalog()[HEADLINE[0]], maps.TARGET)


def upload_limit_args(args: list[str]) -> list[str]:
    """`--server.maxUploadSize N` for the data page's limit in whole MB, unless `args` set it."""
    if any(arg.startswith("--server.maxUploadSize") for arg in args):
        return []
    return ["--server.maxUploadSize", str(max(1, math.ceil(limit_mb())))]


def guard_uploads() -> None:
    """Make every Starlette app Streamlit builds from now on start with UploadGuard."""
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette import starlette_app

    streamlit_middleware = starlette_app.create_streamlit_middleware
    if getattr(streamlit_middleware, "guards_uploads", False):
        return

    def guarded() -> list[Middleware]:
        return [Middleware(upload_guard.UploadGuard), *streamlit_middleware()]

    guarded.guards_uploads = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = guarded


def main(args: list[str]) -> None:
    PagesManager.uses_pages_directory = False
    guard_uploads()
    threading.Thread(target=preload, name="healthdash-preload", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *upload_limit_args(args), *args]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])

"""The pages app.py registers, read from its source: the benchmark and the browser tests cover every page
listed there, so a page added to the navigation is measured and tested without touching either.

Read from the text (not by running app.py) because app.py needs a Streamlit session to run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from healthdash.core.paths import APP


@dataclass(frozen=True)
class NavPage:
    script: str  # relative to the repository, e.g. "pages/referrals.py" (what AppTest.switch_page takes)
    url_path: str  # what the browser's address shows, e.g. "referrals"
    default: bool  # the page "/" opens


def app_pages(app: Path = APP) -> list[NavPage]:
    """Every st.Page(...) of app.py, in navigation order. A page without url_path gets Streamlit's default
    (the script's file name without .py)."""
    found: list[tuple[tuple[int, int], NavPage]] = []
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"), filename=str(app))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        script = node.args[0].value
        keywords = {k.arg: k.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        url_path = keywords["url_path"].value if "url_path" in keywords else Path(script).stem
        default = bool(keywords["default"].value) if "default" in keywords else False
        found.append(((node.lineno, node.col_offset), NavPage(script, str(url_path), default)))
    return [page for _, page in sorted(found, key=lambda item: item[0])]  # source order (ast.walk is not)

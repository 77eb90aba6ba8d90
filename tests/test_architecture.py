"""The import graph of the product: layers that import one way, no cycles, tooling outside, Streamlit only on
the screen side.

Every `import` and `from … import` in healthdash/ is read with ast, those inside functions included (a lazy
import still ties two modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "healthdash"
# Lower layers never import higher ones. A domain's modules sit at three heights: its figures (data and the
# pure arithmetic beside them) below the shared screen, its charts above the shared chart theme, its views
# on top, above the reports they offer for download.
LAYERS = {"core": 0, "data": 1, "access": 2, "ingest": 3, "domain data": 4, "ui": 5,
          "domain charts": 6, "reports": 7, "domain views": 8, "entry": 9}
DOMAIN_CHARTS = {"charts"}
# Where Streamlit may be imported: the screen, the domains' views, the database cache and the entry points.
SCREEN = {"ui", "domain views", "entry"}
CACHED = {"healthdash.data.db"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")[1:]
    if parts and parts[0] == "domains":
        leaf = parts[-1] if len(parts) > 2 else "data"
        return "domain views" if leaf == "views" else "domain charts" if leaf in DOMAIN_CHARTS else "domain data"
    return parts[0] if parts and parts[0] in LAYERS else "entry"


def imports_of(path: Path) -> set[str]:
    """Modules `path` imports: `from healthdash import x` counts as healthdash.x when x is a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def graph() -> dict[str, set[str]]:
    found = modules()
    packages = {name for name, path in found.items() if path.name == "__init__.py"}
    # A package's __init__ is not an edge worth following: importing healthdash.ui.x runs healthdash.ui first
    # whichever way it is written, and the test below checks that __init__ itself.
    return {name: {target for target in imports_of(path) if target in found and target != name
                   and target not in packages}
            for name, path in found.items()}


def streamlit_importers() -> set[str]:
    return {name for name, path in modules().items()
            if any(target == "streamlit" or target.startswith("streamlit.") for target in imports_of(path))}


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_imports_go_one_way() -> None:
    wrong = []
    for module, targets in graph().items():
        mine = layer_of(module)
        for target in targets:
            theirs = layer_of(target)
            if LAYERS[theirs] > LAYERS[mine] or (LAYERS[theirs] == LAYERS[mine] and theirs != mine):
                wrong.append(f"{module} ({mine}) → {target} ({theirs})")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_streamlit_stays_on_the_screen_side() -> None:
    offenders = {module for module in streamlit_importers()
                 if layer_of(module) not in SCREEN and module not in CACHED}
    assert offenders == set()


def test_the_product_never_imports_the_tooling() -> None:
    offenders = {name for name, path in modules().items()
                 if any(target == "tools" or target.startswith("tools.") for target in imports_of(path))}
    assert offenders == set()


def test_the_checks_see_the_imports() -> None:
    # The reader must find what it is meant to find, or the tests above pass on nothing.
    edges = graph()
    assert "healthdash.core.filters" in edges["healthdash.data.kpi"]
    assert "healthdash.ui.widgets" in streamlit_importers()
    assert layer_of("healthdash.domains.referrals.views") == "domain views"
    assert layer_of("healthdash.domains.referrals.charts") == "domain charts"
    assert layer_of("healthdash.domains.whatif.scenario") == "domain data"
    assert (layer_of("healthdash.serve"), layer_of("healthdash.ui"), layer_of("healthdash.ui.links")) == (
        "entry", "ui", "ui")
    assert {layer_of(name) for name in modules()} == set(LAYERS)


def test_charts_take_frames_and_read_no_database() -> None:
    # A chart builder gets its rows from the domain's data module, so the same frame feeds table and export
    # (the indicator catalog, names and targets, it may read).
    edges = graph()
    readers = {module for module in edges if layer_of(module) == "domain charts" or module == "healthdash.ui.charts"
               if "healthdash.data.db" in edges[module]}
    assert readers == set()

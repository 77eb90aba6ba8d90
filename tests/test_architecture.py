"""The import graph of the product: no cycles, tooling outside it, the pure modules free of Streamlit.

Every `import` and `from … import` in healthdash/ is read with ast, those inside functions included (a lazy
import still ties two modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "healthdash"
# Arithmetic and shaping without a screen: they may import each other, pandas and numpy, never Streamlit,
# not even through another module.
PURE = {"healthdash.filters", "healthdash.indicators", "healthdash.fmt", "healthdash.applicability",
        "healthdash.scenario", "healthdash.sankey", "healthdash.columns", "healthdash.icd10",
        "healthdash.markup", "healthdash.catalog", "healthdash.build", "healthdash.overview"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


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


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        targets = {target for target in imports_of(path) if target in modules and target != name}
        # A package's own __init__ is not an edge worth following (it is empty here).
        edges[name] = {target for target in targets if target != "healthdash"}
    return edges


def streamlit_importers() -> set[str]:
    return {module_name(path) for path in PACKAGE.rglob("*.py")
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


def test_the_product_never_imports_the_tooling() -> None:
    offenders = {module_name(path) for path in PACKAGE.rglob("*.py")
                 if any(target == "tools" or target.startswith("tools.") for target in imports_of(path))}
    assert offenders == set()


def test_pure_modules_reach_no_streamlit() -> None:
    edges = graph()
    screen = streamlit_importers()
    for module in sorted(PURE):
        seen, todo = set(), [module]
        while todo:
            current = todo.pop()
            assert current not in screen, f"{module} reaches Streamlit through {current}"
            seen.add(current)
            todo.extend(edges.get(current, set()) - seen)


def test_the_checks_see_the_imports() -> None:
    # The reader must find what it is meant to find, or the tests above pass on nothing.
    edges = graph()
    assert "healthdash.filters" in edges["healthdash.kpi"]
    assert "healthdash.ui" in streamlit_importers()
    assert PURE <= set(edges)

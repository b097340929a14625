"""The house rules, checked from the code itself: module size, import direction, no circles, no one-letter aliases."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("geo", "layers", "ui", "stagemap_cli", "app_pages")
MAX_LINES = 400
GROUND = ("geo.config", "geo.errors", "geo.schema", "geo.crs", "geo.records", "geo.messages")
GROUND_THIRD_PARTY = {"numpy", "shapely", "pyproj"}
#: package -> packages it must never import at run time (the same rules as the per-folder ruff.toml files)
NEVER = {
    "geo.analysis": ("geo.store", "geo.io", "geo.services", "geo.intake", "geo.nexus", "geo.reports",
                     "geo.synthetic", "geo.access"),
    "geo.io": ("geo.store", "geo.services", "geo.analysis", "geo.intake", "geo.nexus", "geo.reports",
               "geo.synthetic", "geo.access"),
    "geo.store": ("geo.services", "geo.io", "geo.analysis", "geo.intake", "geo.nexus", "geo.reports",
                  "geo.synthetic", "geo.access"),
    "geo.intake": ("geo.store", "geo.services", "geo.io", "geo.nexus", "geo.reports", "geo.synthetic"),
    "geo.nexus": ("geo.store", "geo.services", "geo.intake", "geo.reports", "geo.synthetic"),
    "geo.reports": ("geo.store", "geo.services", "geo.intake", "geo.nexus", "geo.synthetic"),
    "geo.synthetic": ("geo.store", "geo.services", "geo.intake", "geo.analysis", "geo.nexus", "geo.reports"),
    "geo": ("streamlit", "streamlit_folium", "folium", "branca", "layers", "ui", "app_pages", "stagemap_cli"),
    "layers": ("streamlit", "streamlit_folium", "ui", "geo.store", "geo.services", "geo.io", "geo.intake",
               "geo.analysis"),
    "ui": ("app_pages", "stagemap_cli"),
    "app_pages": ("geo.store", "stagemap_cli", "app_pages"),
    "stagemap_cli": ("streamlit", "ui", "app_pages"),
}


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under ROOT."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def code_files() -> list[Path]:
    """Return every Python file of the product (not tests, benches or migrations' revisions)."""
    files = [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")]
    return sorted([*files, ROOT / "streamlit_app.py"])


def runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Return (module, line) of every import that runs (``if TYPE_CHECKING:`` blocks are skipped)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
            out.extend((f"{node.module}.{a.name}", node.lineno) for a in node.names)
    return out


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("path", code_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)} has {n} lines; split it by concern (limit {MAX_LINES})."


def test_import_directions():
    bad = []
    for path in code_files():
        mod = module_name(path)
        rules = [(pkg, banned) for pkg, banned in NEVER.items() if _within(mod, pkg)]
        for name, line in runtime_imports(path):
            for pkg, banned in rules:
                for b in banned:
                    if _within(name, b) and not _within(mod, b):
                        bad.append(f"{path.relative_to(ROOT)}:{line} imports {name} ({pkg} never imports {b})")
    assert not bad, "\n".join(bad)


def test_ground_modules_use_only_the_standard_library_numpy_shapely_pyproj():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    bad = []
    for mod in GROUND:
        path = ROOT / (mod.replace(".", "/") + ".py")
        for name, line in runtime_imports(path):
            top = name.split(".")[0]
            if top in stdlib or top in GROUND_THIRD_PARTY or name == "geo" or any(_within(name, g) for g in GROUND):
                continue
            bad.append(f"{mod}:{line} imports {name}")
    assert not bad, "the ground (config, errors, schema, crs, records) imports only stdlib, numpy, shapely, " \
                    "pyproj and itself:\n" + "\n".join(bad)


def test_no_import_circles():
    modules = {module_name(p): p for p in code_files()}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        for name, _ in runtime_imports(path):
            target = name if name in modules else name.rpartition(".")[0]
            if target in modules and target != mod and not mod.startswith(target + "."):
                graph[mod].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_no_one_letter_module_aliases_and_no_dynamic_imports():
    bad = []
    for path in code_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} as {a.asname}" for a in node.names
                        if a.asname and len(a.asname) == 1]
            dynamic = isinstance(node, ast.Call) and ast.unparse(node.func) in ("__import__", "importlib.import_module")
            if dynamic and not str(path).endswith("geo/store/migrations/runner.py"):  # Alembic picks the dialect's DDL
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} dynamic import")
    assert not bad, "\n".join(bad)


def test_every_package_says_what_it_is():
    for init in sorted((ROOT / "geo").rglob("__init__.py")):
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init.relative_to(ROOT)} needs a docstring"

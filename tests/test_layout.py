"""The tree is the architecture: stage folders, imports pointing one way, no cycles."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "armstrack"
MAX_TOP_LEVEL_MODULES = 6
STORE_MUST_NOT_IMPORT = ("extract", "quality", "graph", "web", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """armstrack modules that ``path`` imports anywhere (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = node.module
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in modules}


def import_graph() -> nx.DiGraph:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        for target in _imports(path, set(files)):
            if target != name and not (name.startswith(target + ".") and target.count(".") == 1):
                graph.add_edge(name, target)
    return graph


def test_no_import_cycles():
    cycles = [c for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == []


def test_store_depends_on_nothing_above_it():
    graph = import_graph()
    store_modules = [n for n in graph if n.startswith("armstrack.store")]
    above = {t for n in store_modules for t in nx.descendants(graph, n)
             if t.count(".") and t.split(".")[1] in STORE_MUST_NOT_IMPORT}
    assert above == set()


def test_top_level_is_small_and_every_folder_says_what_it_does():
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(p.name for p in top)
    for folder in (p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
        assert doc and len(doc) > 40, folder.name


def test_tests_mirror_the_package_folders():
    tests = Path(__file__).resolve().parent
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    test_folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert test_folders <= stages
    assert stages - test_folders == set()

"""The layout stays as the README's architecture section draws it: no import cycle between any two
modules (deferred imports inside functions count too, except the named facade methods), no library
module over 500 lines, and the one-way layers of ``[tool.importlinter]`` in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kingmaker"
MAX_LINES = 500
#: The facade back-edges: convenience methods that import a higher layer inside the method.
FACADE_EDGES = {
    ("kingmaker.ballots", "kingmaker.io"),
    ("kingmaker.ballots", "kingmaker.spoilers"),
    ("kingmaker.parliament", "kingmaker.coalitions"),
    ("kingmaker.parliament", "kingmaker.power"),
    ("kingmaker.parliament", "kingmaker.formation"),
}


def _is_facade(importer: str, imported: str) -> bool:
    return any(importer == a and (imported == b or imported.startswith(b + ".")) for a, b in FACADE_EDGES)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {
        m: [
            t
            for t in graph.find_modules_directly_imported_by(m)
            if not _is_facade(m, t) and not m.startswith(t + ".")  # a module may import its package
        ]
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = edges[node]
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("kingmaker", cache_dir=None)
    assert _cycles(graph) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_library_module_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines: split it by job"


def test_layers_contract_names_every_top_level_unit() -> None:
    """A new top-level module or package must be placed in a layer (else import-linter ignores it)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    units = {
        f"kingmaker.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__")) or (p / "__init__.py").exists()
    }
    assert units - placed == set(), "place these in [tool.importlinter] layers"

"""Print neuronlab's package-level import graph and check the layer rule.

Reads the AST of every module under ``src/neuronlab`` (no import is executed), collects both
top-level and function-local imports of ``neuronlab.*``, folds them to the top-level unit
(``neuronlab.nn.loss`` -> ``nn``), and prints:

* the graph, one line per importing unit, local-only edges marked ``(local)``;
* the cycles between units (strongly connected components);
* the layer violations: an import from a unit to a unit in a higher layer.

Exit status is 1 when there is a layer violation, 0 otherwise. ``--json`` prints the same data as
JSON (used by ``tests/test_architecture.py``).

Usage::

    python scripts/import_graph.py [--json] [--root src/neuronlab]
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = "neuronlab"

# Lowest layer first. A unit may import units of its own layer or of any lower layer, never above.
# ``neuronlab`` is the root ``__init__`` (the public namespace: it imports autograd, ops, io, random),
# ``__main__`` only starts the CLI.
LAYERS: list[tuple[str, ...]] = [
    ("_validation", "_version", "random", "backend"),
    ("autograd", "neurons"),  # the neuron models share only NumPy and the compiled-kernel convention
    ("ops",),
    ("nn",),
    ("optim", "data", "io", PACKAGE),
    ("snn", "diagnostics", "viz", "interop"),
    ("train",),
    ("experiments",),
    ("cli", "__main__"),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def unit_of(module: str, units: set[str]) -> str | None:
    """``neuronlab.nn.loss`` -> ``nn``; ``neuronlab`` -> ``neuronlab``; outside the package -> None."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    if len(parts) == 1:
        return PACKAGE
    return parts[1] if parts[1] in units else PACKAGE


def imports_of(path: Path, module: str, is_package: bool) -> list[tuple[str, int, bool]]:
    """(imported module, line, is_local) for every import of the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, local) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                # ``from neuronlab import nn`` imports the subpackage nn, not just the root.
                for alias in child.names:
                    found.append((f"{target}.{alias.name}" if target == PACKAGE else target, child.lineno, local))
            visit(child, inner)

    visit(tree, False)
    return found


def build(root: Path) -> dict:
    units = {
        p.stem if p.is_file() else p.name for p in root.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    units.discard("__init__")
    # edge (src, dst) -> list of (file:line, local)
    edges: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        src = unit_of(module, units)
        for target, line, local in imports_of(path, module, path.name == "__init__.py"):
            dst = unit_of(target, units)
            if dst is None or dst == src:
                continue
            site = (f"{path.relative_to(root.parent.parent).as_posix()}:{line}", local)
            if site not in edges[(src, dst)]:
                edges[(src, dst)].append(site)
    unknown = sorted(u for u in units | {PACKAGE} if u not in RANK)
    graph = {
        f"{src} -> {dst}": {
            "src": src,
            "dst": dst,
            "local_only": all(local for _, local in sites),
            "sites": [f"{site}{' (local)' if local else ''}" for site, local in sites],
        }
        for (src, dst), sites in sorted(edges.items())
    }
    violations = [
        edge
        for edge in graph.values()
        if edge["src"] in RANK and edge["dst"] in RANK and RANK[edge["dst"]] > RANK[edge["src"]]
    ]
    return {
        "units": sorted(units | {PACKAGE}),
        "unplaced": unknown,
        "edges": graph,
        "cycles": cycles({(e["src"], e["dst"]) for e in graph.values()}),
        "violations": violations,
    }


def cycles(edge_set: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one unit (Tarjan, iterative)."""
    successors: dict[str, list[str]] = defaultdict(list)
    for a, b in sorted(edge_set):
        successors[a].append(b)
    nodes = sorted({n for edge in edge_set for n in edge})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(successors[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def report(data: dict) -> str:
    lines = ["Layers (lowest first; a unit may import its own layer or lower):"]
    lines += [f"  {rank}: {', '.join(units)}" for rank, units in enumerate(LAYERS)]
    if data["unplaced"]:
        lines.append(f"  unplaced units (not checked): {', '.join(data['unplaced'])}")
    lines.append("")
    lines.append("Import graph (dst marked (local) when every import of it is function-local):")
    by_src: dict[str, list[str]] = defaultdict(list)
    for edge in data["edges"].values():
        by_src[edge["src"]].append(edge["dst"] + (" (local)" if edge["local_only"] else ""))
    for src in sorted(by_src, key=lambda u: (RANK.get(u, 99), u)):
        lines.append(f"  {src:<12} -> {', '.join(by_src[src])}")
    lines.append("")
    lines.append(f"Cycles: {len(data['cycles'])}")
    lines += [f"  {' <-> '.join(component)}" for component in data["cycles"]]
    lines.append("")
    lines.append(f"Layer violations (import of a higher layer): {len(data['violations'])}")
    for edge in data["violations"]:
        lines.append(f"  {edge['src']} -> {edge['dst']}")
        lines += [f"      {site}" for site in edge["sites"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1] / "src" / PACKAGE)
    parser.add_argument("--json", action="store_true", help="print the graph as JSON")
    args = parser.parse_args(argv)
    data = build(args.root.resolve())
    print(json.dumps(data, indent=2) if args.json else report(data))
    return 1 if data["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())

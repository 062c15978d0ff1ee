"""neuronlab.viz: the computational graph as DOT text, rendered by Graphviz when it is installed."""

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.viz import render, to_dot
from neuronlab.viz.graph import INSTALL_HINT


def _notes_graph():
    """Notes 003 section 4.1: f = sin(x) + x*y (a = sin(x), b = x*y, f = a + b)."""
    x = nl.tensor(np.array(0.5), requires_grad=True)
    y = nl.tensor(np.array(2.0), requires_grad=True)
    f = nl.sin(x) + x * y
    return x, y, f


def _nodes(dot):
    return dict(re.findall(r"^\s+(\w+) \[label=\"([^\"]*)\"", dot, flags=re.M))


def _edges(dot):
    return re.findall(r"^\s+(\w+) -> (\w+)", dot, flags=re.M)


def test_to_dot_draws_the_notes_example():
    x, y, f = _notes_graph()
    dot = to_dot(f, names={x: "x", y: "y", f: "f"})
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    nodes, edges = _nodes(dot), _edges(dot)
    functions = {n: label for n, label in nodes.items() if n.startswith("f")}
    tensors = {n: label for n, label in nodes.items() if n.startswith("t")}
    assert sorted(functions.values()) == ["Add", "Mul", "Sin"]
    assert len(tensors) == 5  # x, y, a, b, f: x is drawn once although two Functions use it
    by_label = {label.split("\\n")[0]: n for n, label in tensors.items()}
    x_node, f_node = by_label["x"], by_label["f"]
    assert "() float64" in tensors[x_node]
    # x feeds both Sin and Mul; each Function points at its output; Add produces f.
    consumers_of_x = {dst for src, dst in edges if src == x_node}
    assert {functions[d] for d in consumers_of_x} == {"Sin", "Mul"}
    add_node = next(n for n, label in functions.items() if label == "Add")
    assert (add_node, f_node) in edges
    assert sum(1 for src, dst in edges if dst == add_node) == 2
    assert len(edges) == 8  # 3 creator links + 5 input links


def test_leaves_output_and_constants_are_marked():
    w = nl.tensor(np.ones((2, 3)), requires_grad=True)
    c = nl.tensor(np.ones((2, 3)))  # a constant leaf
    y = (w * c * 2.5).sum()
    dot = to_dot(y, names={w: "W", c: "C"})
    line_w = next(line for line in dot.splitlines() if 'label="W' in line)
    line_c = next(line for line in dot.splitlines() if 'label="C' in line)
    line_y = next(line for line in dot.splitlines() if "palegreen" in line)
    assert "lightblue" in line_w and "peripheries=2" in line_w and "(2, 3) float64" in line_w
    assert "lightgrey" in line_c and "peripheries" not in line_c
    assert "() float64" in line_y
    assert re.search(r'c\d+ \[label="2.5", shape=plaintext\]', dot)


def test_to_dot_is_deterministic_and_walks_deep_graphs_iteratively():
    x = nl.tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    dot = to_dot(y)
    assert dot.count('[label="Mul"') == 3 * sys.getrecursionlimit()
    assert dot == to_dot(y)


def test_to_dot_after_backward_marks_freed_functions():
    _, _, f = _notes_graph()
    f.backward()
    assert "inputs freed by backward" in to_dot(f)


def test_to_dot_rejects_non_tensors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        to_dot(np.ones(3))


def test_render_rejects_unknown_suffix(tmp_path):
    _, _, f = _notes_graph()
    with pytest.raises(ValueError, match=r"\.svg"):
        render(f, tmp_path / "graph.jpeg")


def test_render_dot_text_needs_no_graphviz(tmp_path):
    _, _, f = _notes_graph()
    path = render(f, tmp_path / "graph.dot")
    assert path.read_text() == to_dot(f)


def test_render_without_dot_prints_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, _, f = _notes_graph()
    assert render(f, tmp_path / "graph.svg") is None
    out = capsys.readouterr().out
    assert out.strip() == INSTALL_HINT and "apt-get install graphviz" in out and out.count("\n") == 1
    assert not (tmp_path / "graph.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG")])
def test_render_writes_image(tmp_path, suffix, magic):
    x, y, f = _notes_graph()
    path = render(f, tmp_path / f"graph{suffix}", names={x: "x", y: "y", f: "f"})
    assert path == tmp_path / f"graph{suffix}"
    data = path.read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        text = data.decode()
        assert "Sin" in text and "Mul" in text and "Add" in text


def test_importing_viz_does_not_import_matplotlib():
    code = "import neuronlab, neuronlab.viz, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_viz_is_reachable_from_the_package_namespace_lazily():
    """``neuronlab.viz.to_dot`` after a plain ``import neuronlab``, without importing matplotlib."""
    code = "import neuronlab, sys; print(callable(neuronlab.viz.to_dot), 'matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]
    assert result.stdout.split() == ["True", "False"]

"""The computational graph as Graphviz DOT text, and rendered to SVG/PNG by Graphviz's ``dot``.

The drawing follows the notes' pictures (000 section 3.4, 003 section 4.1): a Tensor (the notes' Var) is
an ellipse labelled with its shape and dtype (and its value when it has one element), a Function (the
notes' Op) is a box, an arrow runs from each input to the Function that consumed it and from the Function
to the Tensor it created (the ``creator`` link). Leaves that require grad (parameters: they receive
``.grad``) are blue with a double border, constant leaves grey, the output green; Python numbers and
arrays passed to an op are plain text.

The graph is walked from the output along ``creator`` and ``inputs`` with an explicit stack, so graphs of
any depth are drawn. A graph whose saved inputs were freed by ``backward()`` (without ``retain_graph``)
can only be drawn down to the first freed Function: draw before calling ``backward``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from neuronlab.autograd import Tensor

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
INSTALL_HINT = (
    "neuronlab.viz.render: Graphviz's `dot` program was not found, so no image was written; install "
    "Graphviz (apt-get install graphviz / brew install graphviz / conda install graphviz; "
    "`pip install graphviz` gives only the Python bindings, not `dot`) or paste to_dot() text into a "
    "Graphviz viewer."
)

_LEAF_PARAMETER = "lightblue"
_LEAF_CONSTANT = "lightgrey"
_OUTPUT = "palegreen"
_FUNCTION = "lightyellow"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _tensor_label(t: Tensor, name: str | None) -> str:
    lines = [name] if name else []
    if t.data.size == 1:
        lines.append(f"{np.asarray(t.data).reshape(-1)[0]:.4g}")
    lines.append(f"{_shape_text(t.shape)} {t.dtype}")
    return "\n".join(lines)


def _constant_label(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array {_shape_text(value.shape)} {value.dtype}"
    if isinstance(value, (int, float, np.generic)):
        return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)
    return type(value).__name__


def to_dot(output, names: dict | None = None, rankdir: str = "BT") -> str:
    """Graphviz DOT text of the graph that computed ``output`` (a Tensor, or a list of Tensors).

    ``names`` maps Tensors to labels shown above their shape (``{x: "x", w: "W"}``); ``rankdir="BT"`` draws
    inputs at the bottom and the output at the top (use ``"LR"`` for left to right).
    """
    roots = [output] if isinstance(output, Tensor) else list(output)
    for root in roots:
        if not isinstance(root, Tensor):
            raise TypeError(f"to_dot: expected a Tensor or a list of Tensors, got {type(root).__name__}")
    labels = {id(t): label for t, label in (names or {}).items()}
    root_ids = {id(r) for r in roots}
    lines = [
        "digraph computational_graph {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=11];',
        "  edge [arrowsize=0.7];",
    ]
    tensor_nodes: dict[int, str] = {}  # id -> node name, numbered in the order the walk meets them
    functions = constants = 0

    def tensor_node(t):
        return tensor_nodes.setdefault(id(t), f"t{len(tensor_nodes)}")

    stack = list(reversed(roots))
    drawn = set()
    while stack:
        t = stack.pop()
        if id(t) in drawn:
            continue
        drawn.add(id(t))
        node = tensor_node(t)
        if id(t) in root_ids:
            color = _OUTPUT
        elif t.creator is None and t.requires_grad:
            color = _LEAF_PARAMETER
        elif t.creator is None:
            color = _LEAF_CONSTANT
        else:
            color = "white"
        border = ", peripheries=2" if t.creator is None and t.requires_grad else ""
        lines.append(
            f"  {node} [label={_quote(_tensor_label(t, labels.get(id(t))))}, shape=ellipse, "
            f"style=filled, fillcolor={color}{border}];"
        )
        fn = t.creator
        if fn is None:
            continue
        fn_node = f"f{functions}"  # every Function has one output, so it is met once
        functions += 1
        inputs = fn.inputs
        label = type(fn).__name__ + ("\n(inputs freed by backward)" if inputs is None else "")
        lines.append(f"  {fn_node} [label={_quote(label)}, shape=box, style=filled, fillcolor={_FUNCTION}];")
        lines.append(f"  {fn_node} -> {node};")
        tensor_inputs = []
        for x in inputs or ():
            if isinstance(x, Tensor):
                lines.append(f"  {tensor_node(x)} -> {fn_node};")
                tensor_inputs.append(x)
            else:
                const_node = f"c{constants}"
                constants += 1
                lines.append(f"  {const_node} [label={_quote(_constant_label(x))}, shape=plaintext];")
                lines.append(f"  {const_node} -> {fn_node} [style=dashed];")
        stack.extend(reversed(tensor_inputs))  # the first input is drawn first (leftmost)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(output, path, names: dict | None = None, rankdir: str = "BT") -> Path | None:
    """Draw the graph of ``output`` to ``path`` (.svg, .png or .pdf, from the suffix; .dot writes the text).

    Needs Graphviz's ``dot`` executable; without it, prints how to install it and returns None. Returns the
    path written otherwise.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix != ".dot" and suffix not in FORMATS:
        raise ValueError(
            f"render: cannot tell the image format from {path.name!r}; use a .svg, .png, .pdf or .dot file name"
        )
    text = to_dot(output, names=names, rankdir=rankdir)
    if suffix == ".dot":
        path.write_text(text)
        return path
    dot = shutil.which("dot")
    if dot is None:
        print(INSTALL_HINT)
        return None
    result = subprocess.run(
        [dot, f"-T{FORMATS[suffix]}", "-o", str(path)], input=text, text=True, capture_output=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"render: dot failed (exit {result.returncode}): {result.stderr.strip()}")
    return path

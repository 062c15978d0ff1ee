"""The backward pass: the chain rule applied once per node, in reverse topological order.

The notes' recursive ``Var.backward -> creator.backward`` visits a shared sub-graph once per path, which is
exponential on graphs like ``y = y + y`` repeated. Here the graph is first sorted (an iterative depth-first
search, so there is no recursion limit), then each Function runs its ``backward`` exactly once, after the
gradients from all of its consumers have been summed: cost linear in the size of the graph. The sum is an array
of the engine's own, laid out in memory like the value it is the gradient of, to which further gradients are
added in place (a weight shared by every step of a recurrence gets one buffer, not one new array per step).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from neuronlab.autograd import grad_mode, versioning
from neuronlab.autograd._tensor import Tensor, as_array
from neuronlab.autograd.function import OnceDifferentiableBackward


def sum_to_shape(g, shape: tuple):
    """Undo broadcasting: sum ``g`` over the axes along which an operand of ``shape`` was broadcast.

    The notes' bias exercise: Y = XW + b broadcasts b over the rows, so dE/db = sum(dE/dY, axis=0).
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _unbroadcast(fn, g, shape: tuple):
    """``sum_to_shape(g, shape)`` for the input of ``fn``; a gradient that cannot be summed to the input's
    shape (``shape`` does not broadcast to ``g.shape``) is a bug in ``fn.backward``, reported, never reshaped."""
    if len(g.shape) < len(shape) or any(n != 1 and n != m for n, m in zip(reversed(shape), reversed(g.shape))):
        raise RuntimeError(
            f"{type(fn).__name__}.backward returned a gradient of shape {tuple(g.shape)} for an input of shape "
            f"{shape}; it is not that shape, nor broadcast from it (a bug in {type(fn).__name__}.backward)"
        )
    return sum_to_shape(g, shape)


def topological_order(roots) -> tuple[list, dict]:
    """Functions reachable from ``roots``, every consumer before the functions that made its inputs.

    An iterative depth-first search: a Function is emitted after all the Functions that made its inputs,
    and the list is then reversed. Also returns the output Tensor of each Function (every output except a
    root is some Function's input).
    """
    outputs: dict[Any, Any] = {}
    state: dict[Any, Any] = {}
    order: list[Any] = []
    stack = []
    for root in roots:
        if root.creator is not None:
            outputs[root.creator] = root
            stack.append(root.creator)
    while stack:
        fn = stack.pop()
        seen = state.get(fn)
        if seen is None:
            state[fn] = False
            stack.append(fn)
            inputs = fn.inputs
            if inputs is None:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time ({type(fn).__name__} already freed its "
                    "saved values); pass retain_graph=True to the first backward() if you need to."
                )
            for x in inputs:
                if isinstance(x, Tensor):
                    creator = x.creator
                    if creator is not None:
                        outputs[creator] = x
                        if creator not in state:
                            stack.append(creator)
        elif seen is False:
            state[fn] = True
            order.append(fn)
    order.reverse()
    return order, outputs


def _run_hooks(tensor: Tensor, g, create_graph: bool):
    for hook in cast(list, tensor._hooks):  # called only for a tensor with hooks
        result = hook(g if create_graph else Tensor._make(g))
        if result is not None:
            g = result if create_graph else as_array(result)
    return g


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, capture=()) -> tuple[dict, dict]:
    """Propagate ``root_grads`` from ``roots`` down the graph.

    Returns (gradients of the leaves, gradients of the non-leaf tensors listed in ``capture``), without
    touching ``.grad``. With ``create_graph`` the gradients are Tensors whose computation is recorded.
    """
    order, outputs = topological_order(roots)
    capture_fns = {t.creator: t for t in capture if t.creator is not None}
    grads: dict[Any, Any] = {}
    leaf_grads: dict[Any, Any] = {}
    captured: dict[Any, Any] = {}

    for root, g in zip(roots, root_grads):
        table, key = (grads, root.creator) if root.creator is not None else (leaf_grads, root)
        table[key] = g if key not in table else table[key] + g

    # Sums of gradients the engine computed itself (ids of arrays in grads/leaf_grads that nothing else holds):
    # further gradients are added to them in place. A sum leaves the set when handed to a backward.
    owned: set[int] = set()
    write_count = versioning.write_count
    expected = Tensor if create_graph else np.ndarray
    previous_mode = grad_mode._enabled[0]
    grad_mode._enabled[0] = create_graph
    try:
        for fn in order:
            gy = grads.pop(fn, None)
            if gy is None:
                continue
            owned.discard(id(gy))
            if type(gy) is not expected:  # a NumPy scalar: the sum of two 0-d gradients
                gy = _as_gradient(gy, create_graph)
            output = outputs[fn]
            if output._hooks:
                gy = _run_hooks(output, gy, create_graph)
            if capture_fns and fn in capture_fns:
                captured[capture_fns[fn]] = gy
            inputs = fn.inputs
            if fn.write_count != write_count[0]:
                versioning.check_unmodified(fn, fn.write_count)
            needs = fn.needs_input_grad
            if not create_graph:
                gxs = fn.backward(gy)
            elif fn.once_differentiable:
                gxs = _once_differentiable_backward(fn, gy)
            else:
                saved = fn.saved
                fn.saved = fn.saved_for_graph(inputs, output)
                try:
                    gxs = fn.backward(gy)
                finally:
                    fn.saved = saved
            if type(gxs) is not tuple:
                gxs = (gxs,)
            for x, gx, need in zip(inputs, gxs, needs):
                if gx is None or not need:
                    continue
                if type(gx) is not expected:
                    gx = _as_gradient(gx, create_graph)
                data = x.data
                if gx.shape != data.shape:
                    gx = _unbroadcast(fn, gx, data.shape)
                if gx.dtype is not data.dtype and gx.dtype != data.dtype:
                    gx = gx.astype(data.dtype)
                creator = x.creator
                table, key = (leaf_grads, x) if creator is None else (grads, creator)
                previous = table.get(key)
                if previous is None:
                    table[key] = gx
                elif id(previous) in owned:
                    previous += gx
                elif create_graph:
                    table[key] = previous + gx
                else:  # a new array, laid out in memory as the value it is the gradient of (as PyTorch's)
                    table[key] = total = np.add(previous, gx, out=np.empty_like(data))
                    owned.add(id(total))
            if not retain_graph:
                fn.saved = None
                fn.inputs = None
    finally:
        grad_mode._enabled[0] = previous_mode
    return leaf_grads, captured


def _as_gradient(g, create_graph: bool):
    """A gradient in the form backward receives: an ndarray normally (NumPy arithmetic on 0-d arrays returns
    scalars; a backward that calls Function.apply returns a Tensor without graph), a Tensor under create_graph."""
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor._make(np.asarray(g))
    return g.data if isinstance(g, Tensor) else np.asarray(g)


def _once_differentiable_backward(fn, gy: Tensor) -> tuple:
    """Under create_graph: ``fn.backward`` on arrays, each gradient recorded as an OnceDifferentiableBackward
    node over the graph values it depends on (``gy`` and the inputs), which refuses a further backward."""
    with grad_mode.no_grad():
        gxs = fn.backward(gy.data)
    if type(gxs) is not tuple:
        gxs = (gxs,)
    depends_on = [x for x in (gy, *fn.inputs) if isinstance(x, Tensor) and x.requires_grad]
    name = type(fn).__name__
    return tuple(
        None if gx is None else OnceDifferentiableBackward.apply(np.asarray(gx), *depends_on, name=name) for gx in gxs
    )


def _seed(op: str, root: Tensor, grad):
    if not isinstance(root, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(f"{op}: the tensor does not require grad and has no creator (nothing to differentiate)")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{op}: grad can be implicitly created only for scalar outputs; this tensor has shape "
                f"{root.shape}: pass the gradient of the final scalar with respect to it"
            )
        return np.ones_like(root.data)
    if isinstance(grad, Tensor) and grad.requires_grad:
        return grad
    grad = np.array(as_array(grad), dtype=root.dtype, copy=True)
    if grad.shape != root.shape:
        raise ValueError(f"{op}: grad has shape {grad.shape} but the tensor has shape {root.shape}")
    return grad


def _seeds(op: str, tensors, grads, create_graph: bool) -> tuple[list, list]:
    """The outputs as a list, and the gradient to start from for each (checked, as arrays or Tensors).

    A single output takes ``grads`` as its gradient, whatever its form (Tensor, array, nested list,
    number); a sequence of outputs takes a sequence of as many gradients (or None: ones for scalars).
    """
    if isinstance(tensors, Tensor):
        roots, grads = [tensors], [grads]
    else:
        roots = list(tensors)
        if grads is None:
            grads = [None] * len(roots)
        elif len(roots) == 1 and isinstance(grads, (Tensor, np.ndarray, np.generic, float, int)):
            grads = [grads]
        else:
            grads = list(grads)
            if len(grads) != len(roots):
                raise ValueError(f"{op}: {len(grads)} gradients for {len(roots)} outputs; pass one per output")
    seeds = [_seed(op, r, g) for r, g in zip(roots, grads)]
    if create_graph:
        seeds = [g if isinstance(g, Tensor) else Tensor._make(g) for g in seeds]
    return roots, seeds


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Accumulate into each leaf's ``.grad`` the gradient of ``tensors`` (weighted by ``grad_tensors``)."""
    roots, seeds = _seeds("backward", tensors, grad_tensors, create_graph)
    retain_graph = create_graph if retain_graph is None else retain_graph
    leaf_grads, _ = run_backward(roots, seeds, retain_graph, create_graph)

    stored = set()
    for leaf, g in leaf_grads.items():
        if leaf._hooks:
            g = _run_hooks(leaf, g, create_graph)
        if create_graph:
            leaf.grad = g if leaf.grad is None else leaf.grad + g
        elif leaf.grad is None:
            # Gradient arrays may be views or shared between leaves (x + y passes one array to both):
            # keep one private, writable array per leaf so in-place updates of .grad stay local.
            if not isinstance(g, np.ndarray) or not g.flags.owndata or not g.flags.writeable or id(g) in stored:
                g = np.array(g, copy=True)
            stored.add(id(g))
            leaf.grad = Tensor._make(g)
        else:
            leaf.grad.data += g


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of stored in ``.grad``.

    ``grad(y, x, create_graph=True)`` returns a differentiable result: ``grad(grad(y, x)[0].sum(), x)`` is
    the second derivative.
    """
    outputs, seeds = _seeds("grad", outputs, grad_outputs, create_graph)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    retain_graph = create_graph if retain_graph is None else retain_graph
    leaf_grads, captured = run_backward(
        outputs, seeds, retain_graph, create_graph, capture=[x for x in inputs if x.creator is not None]
    )
    result = []
    for x in inputs:
        g = leaf_grads.get(x) if x.creator is None else captured.get(x)
        if g is not None and x.creator is None and x._hooks:
            g = _run_hooks(x, g, create_graph)
        if g is None and not allow_unused:
            raise RuntimeError("grad: one of the inputs was not used to compute the outputs; pass allow_unused=True")
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g))
        result.append(g)
    return tuple(result)

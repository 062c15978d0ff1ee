"""Small helpers shared by the op families: argument normalisation and re-expanding reduced gradients."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.autograd._tensor import as_array


def to_tensor(x) -> Tensor:
    """Tensors pass through; anything array-like becomes a constant leaf (floats default to float32)."""
    return x if isinstance(x, Tensor) else Tensor._make(as_array(x))


def operand(x):
    """A binary op's other operand: Tensors and Python scalars as they are, array-likes as ndarrays."""
    if isinstance(x, (Tensor, np.ndarray, int, float, np.generic)):
        return x
    return as_array(x)


def resolve_axis(axis, dim, keepdims, keepdim):
    """Accept NumPy's ``axis``/``keepdims`` and PyTorch's ``dim``/``keepdim`` spellings."""
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis or dim (its PyTorch alias), not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdims)


def normalize_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, int or tuple, possibly negative) as a sorted tuple of non-negative axes.

    A 0-d tensor accepts axis 0 and -1, as in PyTorch, and has no axis to reduce: the result is ().
    An axis out of range is an IndexError.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    n = max(ndim, 1)
    for a in axes:
        if not -n <= a < n:
            raise IndexError(
                f"axis {a} is out of range for a tensor with {ndim} dimensions (expected {-n} <= axis <= {n - 1})"
            )
    if ndim == 0:
        return ()
    return tuple(sorted(a % ndim for a in axes))


def axis_index(op: str, axis, ndim: int) -> int:
    """One axis of a ``ndim``-dimensional tensor as a non-negative index; out of range is an error (no wrapping)."""
    if not -ndim <= axis < ndim:
        raise IndexError(
            f"{op}: dimension out of range: axis {axis} for a tensor with {ndim} dimensions "
            f"(expected {-ndim} <= axis <= {ndim - 1})"
        )
    return axis % ndim


def expand_reduced(gy, shape: tuple, axes: tuple, keepdims: bool):
    """Broadcast the gradient of a reduction over ``axes`` back to the input ``shape``."""
    if not keepdims:
        gy = gy.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return np.broadcast_to(gy, shape)

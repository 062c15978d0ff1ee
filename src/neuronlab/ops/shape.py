"""Shape operations: the values move, the gradient moves back the same way."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd.engine import sum_to_shape
from neuronlab.autograd.function import Function
from neuronlab.ops._util import axis_index, normalize_axes, resolve_axis, to_tensor


class Identity(Function):
    """y = x (a new node sharing x's data).  dx = dy.

    Marks a point of the graph: Module backward hooks wrap a module's inputs and outputs in it, so the
    Tensor hooks of those nodes see exactly the gradient entering and leaving the module.
    """

    def forward(self, x):
        return x.view()

    def backward(self, gy):
        return gy


class Reshape(Function):
    """y = x viewed with a new shape.  dx = dy reshaped back."""

    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, gy):
        return gy.reshape(self.shape)


class Transpose(Function):
    """y = x with its axes permuted.  dx = dy with the inverse permutation (``axes`` non-negative)."""

    def forward(self, x, axes):
        self.inverse = None if axes is None else tuple(np.argsort(axes))
        return x.transpose(axes)

    def backward(self, gy):
        return gy.transpose(self.inverse)


class BroadcastTo(Function):
    """y = x repeated along broadcast axes.  dx = dy summed over them."""

    def forward(self, x, shape):
        self.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, gy):
        return sum_to_shape(gy, self.shape)


class Concatenate(Function):
    """y = [x_1, x_2, ...] joined along an axis.  dx_k = the k-th block of dy."""

    def forward(self, *xs, axis):
        self.axis = axis
        self.bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    def backward(self, gy):
        starts = [0, *self.bounds]
        stops = [*self.bounds, gy.shape[self.axis]]
        lead = (slice(None),) * (self.axis % gy.ndim)
        return tuple(gy[lead + (slice(start, stop),)] for start, stop in zip(starts, stops))


class Stack(Function):
    """y = [x_1, x_2, ...] stacked along a new axis.  dx_k = dy[..., k, ...]."""

    def forward(self, *xs, axis):
        y = np.stack(xs, axis=axis)
        self.axis = axis % y.ndim
        return y

    def backward(self, gy):
        lead = (slice(None),) * self.axis
        return tuple(gy[lead + (k,)] for k in range(gy.shape[self.axis]))


class Pad(Function):
    """y = x surrounded by a constant.  dx = the interior of dy."""

    def forward(self, x, pad_width, value):
        pad_width = np.broadcast_to(
            np.asarray(pad_width, dtype=int).reshape(-1, 2) if np.ndim(pad_width) else np.full((1, 2), int(pad_width)),
            (x.ndim, 2),
        )
        self.interior = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, x.shape))
        return np.pad(x, pad_width, mode="constant", constant_values=value)

    def backward(self, gy):
        return gy[self.interior]


def identity(x):
    """A new node equal to x (sharing its data) whose gradient passes through unchanged."""
    return Identity.apply(to_tensor(x))


def reshape(x, *shape):
    """x with a new shape (one dimension may be -1); ``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both work."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape.apply(to_tensor(x), shape=shape)


def _permutation(op: str, axes: tuple, ndim: int) -> tuple:
    """``axes`` (possibly negative) as a permutation of 0 .. ndim-1, or a ValueError naming ``op``."""
    order = tuple(axis_index(op, a, ndim) for a in axes)
    if len(order) != ndim or len(set(order)) != ndim:
        raise ValueError(
            f"{op}: axes {tuple(axes)} are not a permutation of the {ndim} axes of the tensor "
            f"(each of 0..{ndim - 1}, or its negative alias, exactly once)"
        )
    return order


def _permuted(op: str, x, axes):
    """Transpose.apply with ``axes`` (a sequence, possibly negative, or None: reversed) checked for ``op``."""
    x = to_tensor(x)
    return Transpose.apply(x, axes=None if axes is None else _permutation(op, tuple(axes), x.ndim))


def _axes_argument(axes: tuple):
    """``f(x, 1, 0)``, ``f(x, (1, 0))``, ``f(x, None)`` and ``f(x)`` (None: reverse the axes)."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        return axes[0]
    return axes or None


def transpose(x, *axes):
    """Permute the axes (reverse them when none are given), as ``numpy.transpose``; negative axes count back."""
    return _permuted("transpose", x, _axes_argument(axes))


def permute(x, *dims):
    """PyTorch's name for ``transpose`` with an explicit order."""
    return _permuted("permute", x, _axes_argument(dims))


def swapaxes(x, axis1: int, axis2: int):
    """Exchange two axes."""
    x = to_tensor(x)
    order = list(range(x.ndim))
    axis1, axis2 = axis_index("swapaxes", axis1, x.ndim), axis_index("swapaxes", axis2, x.ndim)
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return _permuted("swapaxes", x, order)


def matrix_transpose(x):
    """Swap the last two axes (``x.mT``; the transpose of each matrix in a batch). Needs 2 or more axes."""
    x = to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose (mT): needs a tensor with at least 2 dimensions, got {x.ndim}")
    return swapaxes(x, -1, -2)


def broadcast_to(x, shape):
    """x repeated to ``shape`` by NumPy's broadcasting rules."""
    return BroadcastTo.apply(to_tensor(x), shape=tuple(shape))


def squeeze(x, axis=None, *, dim=None):
    """Remove axes of length 1: all of them, or those of ``axis`` (an int or a tuple; ``dim`` is the PyTorch
    alias) that have length 1. As in PyTorch, a named axis of another length is left as it is, and a 0-d
    tensor accepts axis 0 or -1 and comes back unchanged."""
    x = to_tensor(x)
    axis, _ = resolve_axis(axis, dim, False, None)
    candidates = range(x.ndim) if axis is None else normalize_axes(axis, x.ndim)
    axes = [a for a in candidates if x.shape[a] == 1]
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def unsqueeze(x, axis: int):
    """Insert an axis of length 1 at ``axis`` (``expand_dims`` in NumPy); -ndim-1 <= axis <= ndim."""
    x = to_tensor(x)
    axis = axis_index("unsqueeze", axis, x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


expand_dims = unsqueeze


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    """Merge axes ``start_dim`` .. ``end_dim`` into one (a 0-d tensor becomes shape (1,), as in PyTorch)."""
    x = to_tensor(x)
    start = axis_index("flatten", start_dim, max(x.ndim, 1))
    end = axis_index("flatten", end_dim, max(x.ndim, 1))
    if start > end:
        raise ValueError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for a tensor with {x.ndim} dimensions"
        )
    if x.ndim == 0:
        return reshape(x, (1,))
    return reshape(x, x.shape[:start] + (-1,) + x.shape[end + 1 :])


def concatenate(tensors, axis: int = 0):
    """Join tensors along an existing axis (``cat`` in PyTorch)."""
    tensors = [to_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: expected a non-empty sequence of tensors")
    return Concatenate.apply(*tensors, axis=axis_index("concatenate", axis, tensors[0].ndim))


def stack(tensors, axis: int = 0):
    """Join tensors of equal shape along a new axis."""
    tensors = [to_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    return Stack.apply(*tensors, axis=axis_index("stack", axis, tensors[0].ndim + 1))


def pad(x, pad_width, value: float = 0.0):
    """Pad with a constant; ``pad_width`` as in ``numpy.pad`` (an int, or ((before, after), ...) per axis)."""
    return Pad.apply(to_tensor(x), pad_width=pad_width, value=value)

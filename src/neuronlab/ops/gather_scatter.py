"""Indexing along a dimension, PyTorch style: gather, scatter, scatter_add, index_select, masked_fill,
masked_select, nonzero, one_hot.

Reading ops are written as indexing with an explicit index tuple (``x[index]``), so their gradient is the
getitem gradient (np.add.at: repeated indices accumulate); scatter_add adds through ``IndexAdd``, the adjoint
of getitem. Index results (``nonzero``, ``one_hot``) are plain integer arrays, like ``argmax``.
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd._tensor import Tensor
from neuronlab.autograd.function import Function
from neuronlab.ops._util import axis_index, to_tensor
from neuronlab.ops.elementwise import where
from neuronlab.ops.indexing import IndexAdd, getitem


def _index_array(op: str, index) -> np.ndarray:
    index = np.asarray(getattr(index, "data", index))
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer array, got dtype {index.dtype}")
    return index


def _along_dim(op: str, x, dim: int, index) -> tuple[int, tuple, np.ndarray]:
    """The index tuple that picks ``x[i_0, .., index[i_0, .., i_n], .., i_n]`` for every position of ``index``
    (PyTorch's gather rule: index has x's number of dimensions and is no larger except along ``dim``)."""
    index = _index_array(op, index)
    dim = axis_index(op, dim, max(x.ndim, 1))
    if index.ndim != x.ndim:
        raise ValueError(
            f"{op}: index has {index.ndim} dimensions but the input has {x.ndim} (shapes {index.shape} and {x.shape})"
        )
    for d, (n, m) in enumerate(zip(index.shape, x.shape)):
        if d != dim and n > m:
            raise ValueError(
                f"{op}: index shape {index.shape} is larger than the input shape {x.shape} in dimension {d}"
            )
    if index.size and (index.min() < 0 or index.max() >= x.shape[dim]):
        raise IndexError(
            f"{op}: index out of range for dimension {dim} of size {x.shape[dim]} "
            f"(indices from {index.min()} to {index.max()})"
        )
    grids = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    grids[dim] = index
    return dim, tuple(grids), index


def gather(input, dim: int, index):
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for dim = 1 (and likewise for other dims).
    The gradient adds back at the gathered positions (repeated indices accumulate)."""
    x = to_tensor(input)
    _, positions, _ = _along_dim("gather", x, dim, index)
    return getitem(x, positions)


class Scatter(Function):
    """y = x with y[.., index[..], ..] = src[..] along ``dim`` (a later write wins on repeated indices).
    dx = dy with zeros where written,  dsrc = dy[.., index[..], ..] (zero outside index's shape)."""

    def forward(self, x, src, positions, block, src_shape):
        self.positions, self.block, self.src_shape = positions, block, src_shape
        y = x.copy()
        y[positions] = src[block] if np.ndim(src) else src
        kept = np.ones(x.shape, dtype=x.dtype)
        kept[positions] = 0
        self.save_for_backward(kept)
        return y

    def backward(self, gy):
        (kept,) = self.saved
        gsrc = None
        if self.needs_input_grad[1]:
            gsrc = gy[self.positions]
            if gsrc.shape != self.src_shape:
                gsrc = np.pad(gsrc, [(0, s - n) for n, s in zip(gsrc.shape, self.src_shape)])
        return gy * kept, gsrc


def _block(index: np.ndarray, src_shape: tuple, op: str) -> tuple:
    if len(src_shape) != index.ndim or any(n > s for n, s in zip(index.shape, src_shape)):
        raise ValueError(
            f"{op}: src of shape {src_shape} must have index's number of dimensions and be at least "
            f"as large as index {index.shape} in every dimension"
        )
    return tuple(slice(n) for n in index.shape)


def scatter(input, dim: int, index, src):
    """A copy of ``input`` with ``src`` (a tensor, or one number) written at ``index`` along ``dim``:
    ``out[i][index[i][j][k]][k] = src[i][j][k]`` for dim = 1. Differentiable in input and src."""
    x = to_tensor(input)
    _, positions, index = _along_dim("scatter", x, dim, index)
    if isinstance(src, (int, float, np.number)):
        return Scatter.apply(x, src, positions=positions, block=(), src_shape=())
    src = to_tensor(src)
    block = _block(index, src.shape, "scatter")
    return Scatter.apply(x, src, positions=positions, block=block, src_shape=src.shape)


def scatter_add(input, dim: int, index, src):
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated indices accumulate):
    ``out[i][index[i][j][k]][k] += src[i][j][k]`` for dim = 1."""
    x = to_tensor(input)
    _, positions, index = _along_dim("scatter_add", x, dim, index)
    src = to_tensor(src)
    block = _block(index, src.shape, "scatter_add")
    if block and any(n != s for n, s in zip(index.shape, src.shape)):
        src = getitem(src, block)
    return x + IndexAdd.apply(src, index=positions, shape=x.shape)


def index_select(input, dim: int, index):
    """The entries of ``input`` at the positions ``index`` (a 1-D integer array) along ``dim``."""
    x = to_tensor(input)
    index = _index_array("index_select", index)
    if index.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D, got shape {index.shape}")
    dim = axis_index("index_select", dim, max(x.ndim, 1))
    if x.ndim == 0:
        raise ValueError("index_select: the input must have at least one dimension")
    if index.size and (index.min() < 0 or index.max() >= x.shape[dim]):
        raise IndexError(f"index_select: index out of range for dimension {dim} of size {x.shape[dim]}")
    return getitem(x, (slice(None),) * dim + (index.reshape(-1),))


def _mask(op: str, mask, shape: tuple) -> np.ndarray:
    mask = np.asarray(getattr(mask, "data", mask))
    if mask.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be boolean, got dtype {mask.dtype}")
    try:
        if np.broadcast_shapes(mask.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{op}: mask of shape {mask.shape} does not broadcast to the input shape {shape}") from None
    return mask


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is true (mask broadcasts)."""
    x = to_tensor(input)
    mask = _mask("masked_fill", mask, x.shape)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    return where(mask, value, x)


def masked_select(input, mask):
    """The entries of ``input`` where ``mask`` is true, as a 1-D tensor (input and mask broadcast)."""
    x = to_tensor(input)
    mask = np.asarray(getattr(mask, "data", mask))
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_select: mask must be boolean, got dtype {mask.dtype}")
    shape = np.broadcast_shapes(mask.shape, x.shape)
    if shape != x.shape:
        x = x.broadcast_to(shape)
    return getitem(x, np.broadcast_to(mask, shape))


def nonzero(input, *, as_tuple: bool = False):
    """Indices of the nonzero entries: an (n, ndim) int64 array, or with ``as_tuple`` one array per dim."""
    data = np.asarray(getattr(input, "data", input))
    if as_tuple:
        return tuple(i.astype(np.int64) for i in np.nonzero(np.atleast_1d(data)))
    return np.argwhere(data).astype(np.int64)


def one_hot(tensor, num_classes: int = -1) -> np.ndarray:
    """Class indices (..., ) as one-hot rows (..., num_classes) of int64; num_classes = -1: max index + 1."""
    labels = _index_array("one_hot", tensor)
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class indices must be non-negative, got {labels.min()}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and labels.max() >= num_classes:
        raise ValueError(f"one_hot: class index {labels.max()} is out of range for num_classes={num_classes}")
    return (labels[..., None] == np.arange(num_classes)).astype(np.int64)


__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_select", "nonzero", "one_hot"]

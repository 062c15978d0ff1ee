"""Indexing and slicing. The backward pass scatters the gradient back, adding on repeated indices."""

from __future__ import annotations

import numpy as np

from neuronlab import backend
from neuronlab.autograd import Tensor
from neuronlab.autograd.function import Function
from neuronlab.backend.scatter import index_add_rows

COMPILED = backend.available()  # integer-array scatter-adds by the compiled loop of ``backend.scatter``


def _plain_index(index):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def _compiled_rows(out: np.ndarray, index) -> bool:
    """Whether ``index_add`` can take the compiled loop: a floating-point C-contiguous ``out`` (written through a
    2-D view), one integer array index, every index in range (else NumPy raises its IndexError)."""
    if not (isinstance(index, np.ndarray) and index.dtype.kind in "iu" and index.size and COMPILED):
        return False
    if out.ndim == 0 or out.dtype.kind != "f" or not out.flags.c_contiguous:
        return False
    return bool(index.min() >= -out.shape[0] and index.max() < out.shape[0])


def index_add(out: np.ndarray, index, values) -> None:
    """``np.add.at(out, index, values)``: repeated indices accumulate. One integer array indexing the first axis
    (max pooling's gradient, embeddings') goes through the compiled loop of ``backend.scatter`` when Numba is
    installed."""
    if _compiled_rows(out, index):
        rows = out.reshape(out.shape[0], -1)
        values = np.broadcast_to(values, index.shape + out.shape[1:]).reshape(index.size, rows.shape[1])
        index_add_rows(rows, index.reshape(-1), values)
    else:
        np.add.at(out, index, values)


def _scatter(gy, index, shape):
    gx = np.zeros(shape, dtype=gy.dtype)
    if _is_basic(index):
        gx[index] = gy
    else:
        index_add(gx, index, gy)
    return gx


class GetItem(Function):
    """y = x[index].  dx = zeros with dy added at ``index`` (np.add.at, so repeated indices accumulate).

    The two backward passes are each other's Functions, so they are differentiable to any order.
    """

    def forward(self, x, index):
        self.index, self.shape = index, x.shape
        return x[index]

    def backward(self, gy):
        return IndexAdd.apply(gy, index=self.index, shape=self.shape)


class IndexAdd(Function):
    """y = zeros(shape) with x added at ``index``: the adjoint of GetItem.  dx = dy[index]."""

    def forward(self, x, index, shape):
        self.index = index
        return _scatter(x, index, shape)

    def backward(self, gy):
        return GetItem.apply(gy, index=self.index)


def getitem(x, index):
    """``x[index]`` with NumPy's basic and integer-array indexing rules."""
    return GetItem.apply(x, index=_plain_index(index))

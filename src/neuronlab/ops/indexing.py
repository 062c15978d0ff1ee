"""Indexing and slicing. The backward pass scatters the gradient back, adding on repeated indices."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.autograd.function import Function


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


def _scatter(gy, index, shape):
    gx = np.zeros(shape, dtype=gy.dtype)
    if _is_basic(index):
        gx[index] = gy
    else:
        np.add.at(gx, index, gy)
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

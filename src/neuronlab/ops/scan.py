"""Products and running (prefix) reductions along a dimension: prod, cumsum, cumprod, cummax, cummin,
logcumsumexp.

The backward of a prefix sum is a suffix sum (``flip(cumsum(flip(dy)))``); the backwards below use only
operators and NumPy functions that dispatch to the differentiable ops on Tensors, so second derivatives work.
cummax/cummin return (values, indices): the values are gathered at the indices, so the gradient goes to the
entry each running extremum came from.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import axis_index, expand_reduced, resolve_axis, to_tensor
from neuronlab.ops.gather_scatter import gather

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "(values, indices), as PyTorch's return types of sort, topk, cummax, median(dim)..."


def suffix_sum(g, axis: int):
    """sum_{j >= i} g_j along ``axis``: the adjoint of cumsum (arrays or Tensors)."""
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def exclusive_cumprod(x, axis: int):
    """prod_{k < i} x_k along ``axis`` (1 at i = 0), without division (arrays or Tensors)."""
    n = x.shape[axis]
    head = (slice(None),) * axis
    ones = np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1 :], dtype=x.dtype)
    shifted = np.concatenate([ones, x[head + (slice(0, max(n - 1, 0)),)]], axis)
    return np.cumprod(shifted[head + (slice(0, n),)], axis)


class CumSum(Function):
    """y_i = sum_{k <= i} x_k along ``axis``.  dx_i = sum_{j >= i} dy_j."""

    def forward(self, x, axis):
        self.axis = axis
        return np.cumsum(x, axis)

    def backward(self, gy):
        return suffix_sum(gy, self.axis)


class CumProd(Function):
    """y_i = prod_{k <= i} x_k.  dx_i = sum_{j >= i} dy_j prod_{k <= j, k != i} x_k
    (= suffix_sum(dy y)_i / x_i when no x_k is 0; with zeros, the products are formed without x_i)."""

    def forward(self, x, axis):
        self.axis = axis
        y = np.cumprod(x, axis)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        axis = self.axis
        if not (x == 0).any():
            return suffix_sum(gy * y, axis) / x
        head = (slice(None),) * axis
        columns = []
        for i in range(x.shape[axis]):  # O(n^2) along the axis, only when the input holds zeros
            without_i = np.where(np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1)) == i, 1, x)
            columns.append((gy * np.cumprod(without_i, axis))[head + (slice(i, None),)].sum(axis=axis))
        return np.stack(columns, axis)


class Prod(Function):
    """y = prod_i x_i over ``axis`` (all when None).  dx_i = dy prod_{k != i} x_k, formed as the product of the
    exclusive prefix and suffix products, so zeros need no special case."""

    def forward(self, x, axis, keepdims):
        self.axis, self.keepdims, self.shape = axis, keepdims, x.shape
        self.save_for_backward(x)
        return x.prod(axis=axis, keepdims=keepdims)

    def backward(self, gy):
        (x,) = self.saved
        if self.axis is None:
            flat = x.reshape(-1)
            others = exclusive_cumprod(flat, 0) * np.flip(exclusive_cumprod(np.flip(flat, 0), 0), 0)
            return gy * others.reshape(self.shape)
        others = exclusive_cumprod(x, self.axis) * np.flip(
            exclusive_cumprod(np.flip(x, self.axis), self.axis), self.axis
        )
        return expand_reduced(gy, self.shape, (self.axis,), self.keepdims) * others


class LogCumSumExp(Function):
    """y_i = ln sum_{k <= i} e^{x_k} (np.logaddexp.accumulate: no overflow).
    dx_i = sum_{j >= i} dy_j e^{x_i - y_j}, each factor at most 1. Computed as e^{x_i - c} suffix_sum(dy e^{c - y})_i
    with c = y_last (the largest y) while the y along the axis span less than half the exponent range (354 in
    float64, 44 in float32); beyond that, pairwise: an (n, n) table of e^{x_i - y_j} per position of the other axes.
    """

    def forward(self, x, axis):
        self.axis = axis
        y = np.logaddexp.accumulate(x, axis=axis)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        a, n = self.axis, x.shape[self.axis]
        c = y[(slice(None),) * a + (slice(n - 1, n),)]
        c = np.where(np.isfinite(c), c, 0)  # all -inf: any finite shift
        y = np.where(y == -np.inf, c, y)  # an all -inf prefix: its terms get e^(x_i - c) = 0, not 0 * inf
        if y.size == 0 or (c - y).max() <= np.log(np.finfo(x.dtype).max) / 2:
            return np.exp(x - c) * suffix_sum(gy * np.exp(c - y), a)
        later = np.triu(np.ones((n, n), dtype=bool)).reshape((n, n) + (1,) * (x.ndim - a - 1))  # [i <= j]
        weights = np.exp(np.where(later, np.expand_dims(x, a + 1) - np.expand_dims(y, a), -np.inf))
        return (weights * np.expand_dims(gy, a)).sum(axis=a + 1)


def _dim(op: str, x, dim) -> int:
    if dim is None:
        raise TypeError(f"{op}: the dimension is required (dim=..., or its alias axis=...)")
    return axis_index(op, dim, max(x.ndim, 1))


def cumsum(input, dim=None, *, axis=None):
    """Running sums along ``dim``: y_i = x_0 + ... + x_i."""
    x = to_tensor(input)
    dim, _ = resolve_axis(axis, dim, False, None)
    dim = _dim("cumsum", x, dim)
    return CumSum.apply(x, axis=dim) if x.ndim else x * 1


def cumprod(input, dim=None, *, axis=None):
    """Running products along ``dim``: y_i = x_0 ... x_i (differentiable also where x has zeros)."""
    x = to_tensor(input)
    dim, _ = resolve_axis(axis, dim, False, None)
    dim = _dim("cumprod", x, dim)
    return CumProd.apply(x, axis=dim) if x.ndim else x * 1


def logcumsumexp(input, dim=None, *, axis=None):
    """Running log-sum-exp along ``dim``: y_i = ln(e^{x_0} + ... + e^{x_i}), without overflow."""
    x = to_tensor(input)
    dim, _ = resolve_axis(axis, dim, False, None)
    dim = _dim("logcumsumexp", x, dim)
    return LogCumSumExp.apply(x, axis=dim) if x.ndim else x * 1


def prod(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Product of all entries, or along one ``dim``."""
    x = to_tensor(input)
    dim, keepdim = resolve_axis(axis, dim, keepdim, keepdims)
    if dim is not None:
        dim = _dim("prod", x, dim)
        if x.ndim == 0:
            dim = None
    return Prod.apply(x, axis=dim, keepdims=keepdim)


def _running_extremum(op: str, input, dim, axis, accumulate):
    x = to_tensor(input)
    dim, _ = resolve_axis(axis, dim, False, None)
    dim = _dim(op, x, dim)
    if x.ndim == 0:
        return ValuesIndices(x * 1, np.zeros((), dtype=np.int64))
    data = x.data
    running = accumulate(data, axis=dim)
    positions = np.arange(data.shape[dim]).reshape((-1,) + (1,) * (data.ndim - dim - 1))
    # the latest position holding the running extremum (PyTorch's choice on ties); NaN, once seen, stays
    reached = (data == running) | (np.isnan(data) & np.isnan(running))
    indices = np.maximum.accumulate(np.where(reached, positions, 0), axis=dim).astype(np.int64)
    return ValuesIndices(gather(x, dim, indices), indices)


def cummax(input, dim=None, *, axis=None):
    """Running maxima along ``dim`` and where they are: (values, indices)."""
    return _running_extremum("cummax", input, dim, axis, np.maximum.accumulate)


def cummin(input, dim=None, *, axis=None):
    """Running minima along ``dim`` and where they are: (values, indices)."""
    return _running_extremum("cummin", input, dim, axis, np.minimum.accumulate)


__all__ = ["cumsum", "cumprod", "logcumsumexp", "prod", "cummax", "cummin"]

"""Sorting and order statistics: sort, argsort, topk, median (PyTorch's return types).

The order is computed on the data (indices are plain int64 arrays, like ``argmax``); the values are gathered
at those indices, so the gradient flows to the entries that were picked (one entry per tie, the one whose
index is returned). Sorting is stable: ties keep their order in the input (descending too).
"""

from __future__ import annotations

import numpy as np

from neuronlab.ops._util import axis_index, resolve_axis, to_tensor
from neuronlab.ops.gather_scatter import gather
from neuronlab.ops.indexing import getitem
from neuronlab.ops.scan import ValuesIndices


def _order(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable argsort; descending keeps ties in input order (and puts NaN first, as PyTorch)."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    n = data.shape[dim]
    return n - 1 - np.flip(np.argsort(np.flip(data, dim), axis=dim, kind="stable"), dim)


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> np.ndarray:
    """The indices that sort ``input`` along ``dim`` (int64; always stable)."""
    data = np.asarray(getattr(input, "data", input))
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    return _order(data, axis_index("argsort", dim, data.ndim), descending).astype(np.int64)


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """(values, indices): ``input`` sorted along ``dim`` and where each value came from."""
    x = to_tensor(input)
    indices = argsort(x, dim, descending)
    if x.ndim == 0:
        return ValuesIndices(getitem(x, ()), indices)
    return ValuesIndices(gather(x, axis_index("sort", dim, x.ndim), indices), indices)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """(values, indices) of the ``k`` largest (or smallest) entries along ``dim``, in order."""
    x = to_tensor(input)
    dim = axis_index("topk", dim, max(x.ndim, 1))
    n = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= n:
        raise IndexError(f"topk: k={k} is out of range for dimension {dim} of size {n}")
    if x.ndim == 0:
        return ValuesIndices(getitem(x, ()), np.zeros((), dtype=np.int64))
    order = _order(x.data, dim, largest)
    indices = order[(slice(None),) * dim + (slice(0, k),)].astype(np.int64)
    return ValuesIndices(gather(x, dim, indices), indices)


def median(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The lower median (the smaller middle value for an even count, as PyTorch): of all entries (a tensor),
    or along ``dim`` as (values, indices)."""
    x = to_tensor(input)
    dim, keepdim = resolve_axis(axis, dim, keepdim, keepdims)
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            raise ValueError("median: the input is empty")
        position = int(_order(flat.data, 0, False)[(flat.shape[0] - 1) // 2])
        return getitem(flat, position)
    if x.ndim == 0:
        return ValuesIndices(getitem(x, ()), np.zeros((), dtype=np.int64))
    dim = axis_index("median", dim, x.ndim)
    n = x.shape[dim]
    if n == 0:
        raise ValueError(f"median: dimension {dim} is empty")
    middle = (n - 1) // 2
    indices = _order(x.data, dim, False)[(slice(None),) * dim + (slice(middle, middle + 1),)].astype(np.int64)
    values = gather(x, dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return ValuesIndices(values, indices)


__all__ = ["sort", "argsort", "topk", "median"]

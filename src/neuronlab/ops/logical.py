"""Logical reductions: any, all (boolean arrays, like the comparison operators: not differentiable)."""

from __future__ import annotations

import numpy as np

from neuronlab.ops._util import normalize_axes, resolve_axis


def _reduce(op: str, reduction, input, dim, keepdim, axis, keepdims) -> np.ndarray:
    data = np.asarray(getattr(input, "data", input))
    dim, keepdim = resolve_axis(axis, dim, keepdim, keepdims)
    if dim is not None:
        try:
            dim = normalize_axes(dim, data.ndim)
        except ValueError as error:
            raise IndexError(f"{op}: {error}") from None
        if data.ndim == 0:
            dim = None
    return reduction(data, axis=dim, keepdims=keepdim)


def any(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> np.ndarray:
    """True where some entry along ``dim`` (every entry when None) is nonzero."""
    return _reduce("any", np.any, input, dim, keepdim, axis, keepdims)


def all(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> np.ndarray:
    """True where every entry along ``dim`` (every entry when None) is nonzero."""
    return _reduce("all", np.all, input, dim, keepdim, axis, keepdims)


__all__ = ["any", "all"]

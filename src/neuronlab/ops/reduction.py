"""Reductions over axes: sum, mean, max, min, var, std (axis/keepdims, with PyTorch's dim/keepdim accepted).

Where NumPy and PyTorch disagree this library sides with NumPy and the notes: ``var``/``std`` are the
population statistics (ddof=0, as in batch normalization) unless ``ddof`` is given, and ``max``/``min``
with an axis return values only (``argmax``/``argmin`` give indices).
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import expand_reduced, normalize_axes, resolve_axis, to_tensor


class Sum(Function):
    """y = sum_i x_i over the axes.  dx_i = dy (broadcast back over the reduced axes)."""

    def forward(self, x, axis, keepdims):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, gy):
        return expand_reduced(gy, self.shape, self.axes, self.keepdims)


class Mean(Function):
    """y = (1/N) sum_i x_i.  dx_i = dy / N."""

    def forward(self, x, axis, keepdims):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        self.count = math.prod(x.shape[a] for a in self.axes)
        return x.mean(axis=self.axes, keepdims=keepdims)

    def backward(self, gy):
        return expand_reduced(gy / self.count, self.shape, self.axes, self.keepdims)


class Extremum(Function):
    """y = max_i x_i (or min).  dx_i = dy [x_i = y] / (number of ties): the winners share the gradient."""

    def forward(self, x, axis, keepdims, largest):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        y = x.max(axis=self.axes, keepdims=True) if largest else x.min(axis=self.axes, keepdims=True)
        winners = (x == y).astype(x.dtype)
        winners /= winners.sum(axis=self.axes, keepdims=True)
        self.save_for_backward(winners)
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in self.axes])

    def backward(self, gy):
        (winners,) = self.saved
        return expand_reduced(gy, self.shape, self.axes, self.keepdims) * winners


class Variance(Function):
    """y = sum_i (x_i - mu)^2 / (N - ddof).  dx_i = dy 2 (x_i - mu) / (N - ddof)."""

    def forward(self, x, axis, keepdims, ddof):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        self.dof = math.prod(x.shape[a] for a in self.axes) - ddof
        if self.dof <= 0:
            raise ValueError(f"var: ddof={ddof} leaves no degrees of freedom for {self.dof + ddof} elements")
        self.save_for_backward(x)
        return x.var(axis=self.axes, keepdims=keepdims, ddof=ddof)

    def backward(self, gy):
        (x,) = self.saved
        centered = x - x.mean(axis=self.axes, keepdims=True)
        return expand_reduced(gy, self.shape, self.axes, self.keepdims) * centered * (2 / self.dof)


class StandardDeviation(Function):
    """y = sqrt(sum_i (x_i - mu)^2 / (N - ddof)).  dx_i = dy (x_i - mu) / ((N - ddof) y), 0 where y = 0.

    At y = 0 (all values equal) the derivative of sqrt is infinite and the variance's is 0; PyTorch
    (std_backward) defines the gradient as 0 there, and so does this op.
    """

    def forward(self, x, axis, keepdims, ddof):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        self.kept_shape = tuple(1 if i in self.axes else n for i, n in enumerate(x.shape))
        self.dof = math.prod(x.shape[a] for a in self.axes) - ddof
        if self.dof <= 0:
            raise ValueError(f"std: ddof={ddof} leaves no degrees of freedom for {self.dof + ddof} elements")
        y = np.asarray(x.std(axis=self.axes, keepdims=keepdims, ddof=ddof))
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        y = y.reshape(self.kept_shape)
        centered = x - x.mean(axis=self.axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # the y = 0 entries are replaced by 0
            scale = np.where(y == 0, 0, gy.reshape(self.kept_shape) / (self.dof * y))
        return scale * centered


def sum(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """Sum over ``axis`` (all axes when None)."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return Sum.apply(to_tensor(x), axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """Arithmetic mean over ``axis``."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return Mean.apply(to_tensor(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """Largest value over ``axis`` (values, not indices: see ``argmax``)."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return Extremum.apply(to_tensor(x), axis=axis, keepdims=keepdims, largest=True)


def min(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """Smallest value over ``axis`` (values, not indices: see ``argmin``)."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return Extremum.apply(to_tensor(x), axis=axis, keepdims=keepdims, largest=False)


def var(x, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, keepdim=None):
    """Variance over ``axis``; population variance (ddof=0) by default, as NumPy and the notes."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return Variance.apply(to_tensor(x), axis=axis, keepdims=keepdims, ddof=ddof)


def std(x, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, keepdim=None):
    """Standard deviation sqrt(var(x)); population (ddof=0) by default. Its gradient is 0 where it is 0."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return StandardDeviation.apply(to_tensor(x), axis=axis, keepdims=keepdims, ddof=ddof)


def argmax(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> np.ndarray:
    """Indices of the largest values (a plain integer array: indices are not differentiable)."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return np.argmax(getattr(x, "data", x), axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None) -> np.ndarray:
    """Indices of the smallest values (a plain integer array)."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return np.argmin(getattr(x, "data", x), axis=axis, keepdims=keepdims)


__all__ = ["sum", "mean", "max", "min", "var", "std", "argmax", "argmin"]

"""Softmax, log-softmax and log-sum-exp, shifted by the maximum so that exp never overflows."""
from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import normalize_axes, resolve_axis, to_tensor


def _logsumexp(x, axis):
    m = x.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


class LogSumExp(Function):
    """y = log sum_i e^{x_i} = m + log sum_i e^{x_i - m}.  dx_i = dy softmax(x)_i."""

    def forward(self, x, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        y = _logsumexp(x, axis)
        self.save_for_backward(x, y)
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in self.axes])

    def backward(self, gy):
        x, y = self.saved
        if not isinstance(x, np.ndarray):  # create_graph: y must be recomputed from x to stay in the graph
            y = _logsumexp(x, self.axis)
        if not self.keepdims:
            gy = gy.reshape(y.shape)
        return gy * np.exp(x - y)


class Softmax(Function):
    """y_i = e^{x_i} / sum_j e^{x_j}.  dx = y (dy - sum_j dy_j y_j)."""

    def forward(self, x, axis):
        self.axis = axis
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y_i = x_i - log sum_j e^{x_j}.  dx = dy - e^y sum_j dy_j."""

    def forward(self, x, axis):
        self.axis = axis
        y = x - _logsumexp(x, axis)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy - np.exp(y) * gy.sum(axis=self.axis, keepdims=True)


def logsumexp(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, computed without overflow."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return LogSumExp.apply(to_tensor(x), axis=axis, keepdims=keepdims)


def softmax(x, axis: int = -1, *, dim=None):
    """Normalised exponentials along ``axis`` (the last by default)."""
    axis, _ = resolve_axis(axis if dim is None else None, dim, False, None)
    return Softmax.apply(to_tensor(x), axis=axis)


def log_softmax(x, axis: int = -1, *, dim=None):
    """log(softmax(x)) along ``axis``, computed as x - logsumexp(x) (stable)."""
    axis, _ = resolve_axis(axis if dim is None else None, dim, False, None)
    return LogSoftmax.apply(to_tensor(x), axis=axis)

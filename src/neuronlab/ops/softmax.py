"""Softmax, log-softmax and log-sum-exp, shifted by the maximum so that exp never overflows."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import axis_index, normalize_axes, resolve_axis, to_tensor


def _shifted(x, axis):
    """x - m, m the maximum along ``axis`` (0 where it is infinite), so that exp(x - m) <= 1 never overflows."""
    m = x.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    return x - m, m


class LogSumExp(Function):
    """y = log sum_i e^{x_i} = m + log sum_i e^{x_i - m}.  dx_i = dy e^{x_i - y} = dy softmax(x)_i."""

    def forward(self, x, axis, keepdims):
        self.axes = normalize_axes(axis, x.ndim)
        self.kept_shape = tuple(1 if i in self.axes else n for i, n in enumerate(x.shape))
        shifted, m = _shifted(x, self.axes)
        y = m + np.log(np.exp(shifted).sum(axis=self.axes, keepdims=True))
        self.save_for_backward(x, y)
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in self.axes])

    def saved_for_graph(self, inputs, output):
        return inputs[0], output.reshape(self.kept_shape)

    def backward(self, gy):
        x, y = self.saved
        return gy.reshape(self.kept_shape) * np.exp(x - y)


class Softmax(Function):
    """y_i = e^{x_i} / sum_j e^{x_j}.  dx = y (dy - sum_j dy_j y_j)."""

    def forward(self, x, axis):
        self.axis = axis
        e = np.exp(_shifted(x, axis)[0])
        y = e / e.sum(axis=axis, keepdims=True)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """y_i = x_i - log sum_j e^{x_j} = (x_i - m) - log sum_j e^{x_j - m}.  dx = dy - e^y sum_j dy_j."""

    def forward(self, x, axis):
        self.axis = axis
        shifted, _ = _shifted(x, axis)
        y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # (x - m) - log sum: exact for large x
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy - np.exp(y) * gy.sum(axis=self.axis, keepdims=True)


def logsumexp(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, computed without overflow."""
    axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim)
    return LogSumExp.apply(to_tensor(x), axis=axis, keepdims=keepdims)


def _one_axis(op: str, x, axis, dim):
    """The axis of softmax/log_softmax (``dim`` is its PyTorch alias), non-negative; None for a 0-d tensor."""
    axis, _ = resolve_axis(axis if dim is None else None, dim, False, None)
    axis = axis_index(op, axis, max(x.ndim, 1))
    return None if x.ndim == 0 else axis


def softmax(x, axis: int = -1, *, dim=None):
    """Normalised exponentials along ``axis`` (the last by default)."""
    x = to_tensor(x)
    return Softmax.apply(x, axis=_one_axis("softmax", x, axis, dim))


def log_softmax(x, axis: int = -1, *, dim=None):
    """log(softmax(x)) along ``axis``, computed as x - logsumexp(x) (stable)."""
    x = to_tensor(x)
    return LogSoftmax.apply(x, axis=_one_axis("log_softmax", x, axis, dim))

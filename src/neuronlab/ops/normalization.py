"""Batch normalization (notes 000 section 8; Ioffe and Szegedy 2015).

For each feature k over the N samples of a mini-batch (and the L positions of an (N, C, L) input):

    mu = mean(X, axis=0),  v = mean((X - mu)^2, axis=0),  sigma = sqrt(v + eps)
    X~ = (X - mu) / sigma,  Y = gamma * X~ + beta

backward, the notes' closed form (one fused Function instead of a graph of a dozen small ops):

    dbeta = sum(dY, axis=0),  dgamma = sum(X~ * dY, axis=0)
    c = mean(dY, axis=0),  d = mean(X~ * dY, axis=0),  dX = gamma / sigma * (dY - c - X~ * d)

In evaluation mode a single sample must not be normalized by itself (it would give Y = beta), so the
running averages of mu and v collected during training replace the batch statistics, exactly as PyTorch:
running_mean <- (1 - momentum) running_mean + momentum mu, and the same for running_var with the unbiased
batch variance v M/(M-1) (M values per feature).
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.autograd.function import Function


class BatchNormFunction(Function):
    """Y = gamma (X - mu) / sigma + beta with given per-feature mu and v (sigma = sqrt(v + eps)).

    With ``batch_stats`` (training) mu and v are the batch's own statistics and depend on X:
    dX = gamma / sigma (dY - c - X~ d), c = mean(dY), d = mean(X~ dY). Otherwise they are constants
    (the running statistics) and dX = gamma / sigma dY.  dgamma = sum(X~ dY), dbeta = sum(dY).
    """

    def forward(self, x, gamma, beta, mean, var, eps, batch_stats):
        self.axes = (0,) if x.ndim == 2 else (0, 2)
        self.shape = (1, x.shape[1]) if x.ndim == 2 else (1, x.shape[1], 1)
        self.eps, self.batch_stats = eps, batch_stats
        self.mean, self.var = mean.reshape(self.shape), var.reshape(self.shape)
        inv_std = 1 / np.sqrt(self.var + eps)
        x_hat = (x - self.mean) * inv_std
        y = x_hat * gamma.reshape(self.shape) if gamma is not None else x_hat.copy()
        if beta is not None:
            y += beta.reshape(self.shape)
        self.save_for_backward(x, gamma, x_hat, inv_std)
        return y

    def saved_for_graph(self, inputs, output):
        x, gamma = inputs[0], inputs[1]
        return (x, gamma, *self._normalize(x))

    def backward(self, gy):
        x, gamma, x_hat, inv_std = self.saved
        need_x, need_gamma, need_beta = self.needs_input_grad
        axes = self.axes
        x_hat_gy = x_hat * gy if (need_gamma or (need_x and self.batch_stats)) else None
        gbeta = gy.sum(axis=axes) if need_beta else None
        ggamma = x_hat_gy.sum(axis=axes) if need_gamma else None
        gx = None
        if need_x:
            scale = inv_std if gamma is None else gamma.reshape(self.shape) * inv_std
            if self.batch_stats:
                c = gy.mean(axis=axes, keepdims=True)
                d = x_hat_gy.mean(axis=axes, keepdims=True)
                gx = scale * (gy - c - x_hat * d)
            else:
                gx = scale * gy
        return gx, ggamma, gbeta

    def _normalize(self, x: Tensor):
        """X~ and 1/sigma as Tensor expressions of x (the batch statistics depend on x too)."""
        if not self.batch_stats:
            inv_std = 1 / np.sqrt(self.var + self.eps)
            return (x - self.mean) * inv_std, inv_std
        centered = x - x.mean(axis=self.axes, keepdims=True)
        inv_std = 1 / np.sqrt((centered * centered).mean(axis=self.axes, keepdims=True) + self.eps)
        return centered * inv_std, inv_std


def values_per_feature(shape: tuple) -> int:
    count = shape[0] * (shape[2] if len(shape) == 3 else 1)
    if count <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, got input of "
            f"shape {tuple(shape)}; use eval() to normalize single samples by the running statistics"
        )
    return count


def _array(t):
    return None if t is None else (t.data if isinstance(t, Tensor) else t)


def batch_norm(
    x,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Batch normalization of an (N, C) or (N, C, L) input over every axis but C (PyTorch's F.batch_norm).

    ``training=True``: normalize by the batch statistics and, when running_mean/running_var are given,
    update them in place (momentum-weighted, unbiased variance). ``training=False``: normalize by the
    running statistics.
    """
    x_data = _array(x)
    if x_data.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected a 2-D (N, C) or 3-D (N, C, L) input, got shape {x_data.shape}")
    axes = (0,) if x_data.ndim == 2 else (0, 2)
    rm, rv = _array(running_mean), _array(running_var)
    if training:
        count = values_per_feature(x_data.shape)
        mean = x_data.mean(axis=axes)
        var = x_data.var(axis=axes)
        if rm is not None:
            rm *= 1 - momentum
            rm += momentum * mean
        if rv is not None:
            rv *= 1 - momentum
            rv += (momentum * count / (count - 1)) * var
        for t in (running_mean, running_var):
            if isinstance(t, Tensor):
                t._version += 1
    else:
        if rm is None or rv is None:
            raise ValueError("batch_norm: running_mean and running_var are required when training=False")
        mean, var = rm, rv
    return BatchNormFunction.apply(x, weight, bias, mean=mean, var=var, eps=eps, batch_stats=bool(training))

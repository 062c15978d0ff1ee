"""More activation functions with PyTorch's names and defaults: softplus, logsigmoid, silu, mish, selu, celu,
relu6, hardtanh, hardsigmoid, hardswish, softsign, softmin, and ``normalize`` (x / ||x||_p along a dim).

Those that are products of existing ops (silu = x sigmoid(x), mish, softsign, hardsigmoid, hardswish,
softmin) are written as such, so their derivatives (first and second) come from those ops. The others are
Functions with the derivative beside the forward; every backward uses operators and NumPy ufuncs only, so it
runs on Tensors under ``create_graph=True``.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import axis_index, to_tensor
from neuronlab.ops.elementwise import logistic, sigmoid, tanh
from neuronlab.ops.softmax import softmax

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Softplus(Function):
    """y = ln(1 + e^(beta x)) / beta, and y = x where beta x > threshold (PyTorch's linear regime).
    dx = dy sigmoid(beta x)  (dy where beta x > threshold)."""

    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(x)
        z = beta * x
        y = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta  # stable for any z
        return np.where(z > threshold, x, y)

    def backward(self, gy):
        (x,) = self.saved
        z = self.beta * x
        return np.where(z > self.threshold, gy, gy * logistic(z))


class LogSigmoid(Function):
    """y = ln sigmoid(x) = -softplus(-x) (stable).  dx = dy sigmoid(-x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy):
        (x,) = self.saved
        return gy * logistic(-x)


class ScaledExponentialLinear(Function):
    """y = scale x (x > 0),  scale alpha (e^(x / beta) - 1) (x <= 0): ELU with a scale and a width.
    CELU is (scale 1, beta alpha), SELU is (scale lambda, beta 1).
    dx = dy scale (1 if x > 0 else (alpha / beta) e^(x / beta))."""

    def forward(self, x, alpha, scale, beta):
        self.alpha, self.scale, self.beta = alpha, scale, beta
        self.save_for_backward(x)
        negative_part = np.minimum(x, 0) / beta  # e^(x/beta) only where x <= 0: no overflow for large x
        return (scale * np.where(x > 0, x, alpha * np.expm1(negative_part))).astype(x.dtype, copy=False)

    def backward(self, gy):
        (x,) = self.saved
        slope = np.where(
            x > 0, self.scale, (self.scale * self.alpha / self.beta) * np.exp(np.minimum(x, 0) / self.beta)
        )
        return gy * slope


class Hardtanh(Function):
    """y = min(max(x, min_val), max_val).  dx = dy [min_val < x < max_val] (strict, as PyTorch's hardtanh)."""

    def forward(self, x, min_val, max_val):
        self.save_for_backward((x > min_val) & (x < max_val))
        return np.clip(x, min_val, max_val)

    def backward(self, gy):
        (inside,) = self.saved
        return np.where(inside, gy, 0)


class VectorNorm(Function):
    """y = (sum_i |x_i|^p)^(1/p) along ``axis`` (kept).  dx_i = dy |x_i|^(p-1) sign(x_i) / y^(p-1)  (0 where y = 0,
    PyTorch's subgradient)."""

    def forward(self, x, p, axis):
        self.p = p
        y = (np.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1 / p)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        zero = y == 0
        safe_y = np.where(zero, 1, y)
        gx = np.sign(x) * np.abs(x) ** (self.p - 1) / safe_y ** (self.p - 1)
        return np.where(zero, 0, gy * gx)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """Smooth ReLU ln(1 + e^(beta x)) / beta, linear where beta x > threshold."""
    return Softplus.apply(to_tensor(input), beta=float(beta), threshold=float(threshold))


def logsigmoid(input):
    """ln sigmoid(x), computed without overflow."""
    return LogSigmoid.apply(to_tensor(input))


def silu(input):
    """x sigmoid(x) (the sigmoid-weighted linear unit, a.k.a. swish)."""
    x = to_tensor(input)
    return x * sigmoid(x)


def mish(input):
    """x tanh(softplus(x))."""
    x = to_tensor(input)
    return x * tanh(softplus(x))


def selu(input):
    """Self-normalizing ELU: lambda x (x > 0), lambda alpha (e^x - 1) (x <= 0), with PyTorch's constants."""
    return ScaledExponentialLinear.apply(to_tensor(input), alpha=SELU_ALPHA, scale=SELU_SCALE, beta=1.0)


def celu(input, alpha: float = 1.0):
    """Continuously differentiable ELU: x (x > 0), alpha (e^(x / alpha) - 1) (x <= 0)."""
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero")
    return ScaledExponentialLinear.apply(to_tensor(input), alpha=float(alpha), scale=1.0, beta=float(alpha))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0):
    """x clipped to [min_val, max_val]; the gradient is 0 at and outside the bounds."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return Hardtanh.apply(to_tensor(input), min_val=min_val, max_val=max_val)


def relu6(input):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, x / 6 + 1 / 2 between."""
    return hardtanh(to_tensor(input) + 3, 0.0, 6.0) / 6


def hardswish(input):
    """x hardsigmoid(x)."""
    x = to_tensor(input)
    return x * hardsigmoid(x)


def softsign(input):
    """x / (1 + |x|)."""
    x = to_tensor(input)
    return x / (1 + abs(x))


def softmin(input, dim: int = -1):
    """softmax(-x) along ``dim``: weights that favour the smallest entries."""
    return softmax(-to_tensor(input), dim)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12):
    """x / max(||x||_p, eps) along ``dim`` (rows of a matrix by default, as PyTorch)."""
    x = to_tensor(input)
    if p <= 0 or math.isinf(p):
        raise ValueError(f"normalize: p must be a positive finite number, got {p}")
    axis = axis_index("normalize", dim, max(x.ndim, 1))
    norm = VectorNorm.apply(x, p=float(p), axis=axis)
    return x / norm.clip(min=eps)


__all__ = [
    "softplus",
    "logsigmoid",
    "silu",
    "mish",
    "selu",
    "celu",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "softsign",
    "softmin",
    "normalize",
]

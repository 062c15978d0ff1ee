"""Elementwise functions and activations, each with its derivative beside it."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import operand, to_tensor
from neuronlab.ops.promotion import binary_op, promote, to_floating


class Exp(Function):
    """y = e^x.  dx = dy y."""

    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * y


class Log(Function):
    """y = ln x.  dx = dy / x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / x


class Sqrt(Function):
    """y = sqrt(x).  dx = dy / (2 y)."""

    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy / (2 * y)


class Abs(Function):
    """y = |x|.  dx = dy sign(x)  (0 at x = 0, as in PyTorch)."""

    def forward(self, x):
        self.save_for_backward(np.sign(x))
        return np.abs(x)

    def backward(self, gy):
        (sign,) = self.saved
        return gy * sign


class Sin(Function):
    """y = sin x.  dx = dy cos x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy * np.cos(x)


class Cos(Function):
    """y = cos x.  dx = -dy sin x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, gy):
        (x,) = self.saved
        return -gy * np.sin(x)


class Tanh(Function):
    """y = tanh x.  dx = dy (1 - y^2)."""

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * (1 - y * y)


def logistic(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) for an array, without overflow: with e = e^-|x| <= 1 it is 1 / (1 + e) for x >= 0 and
    e / (1 + e) for x < 0, accurate to rounding in both tails."""
    e = np.exp(-np.abs(x))
    r = 1 / (1 + e)
    return np.where(x >= 0, r, e * r)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x) (evaluated without overflow for any x).  dx = dy y (1 - y)."""

    def forward(self, x):
        y = logistic(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * y * (1 - y)


class ReLU(Function):
    """y = max(0, x).  dx = dy [x > 0].

    relu(-inf) = 0 and a NaN x stays NaN, as in PyTorch. The backward multiplies by the mask (a select,
    np.where, is five times slower), so an infinite dy where x <= 0 gives NaN there, where PyTorch gives 0.
    """

    def forward(self, x):
        self.save_for_backward(x > 0)
        return np.maximum(x, 0)

    def backward(self, gy):
        (on,) = self.saved
        return gy * on


class LeakyReLU(Function):
    """y = x if x > 0 else a x.  dx = dy (1 if x > 0 else a)."""

    def forward(self, x, negative_slope):
        slope = np.where(x > 0, 1, negative_slope).astype(x.dtype)
        self.save_for_backward(slope)
        return x * slope  # finite for x = -inf: leaky_relu() routes a zero slope to relu

    def backward(self, gy):
        (slope,) = self.saved
        return gy * slope


class Maximum(Function):
    """y = max(a, b) elementwise.  The gradient goes to the larger operand (split evenly on ties)."""

    def forward(self, a, b):
        y = np.maximum(a, b)
        self.save_for_backward(_tie_weights(np.greater(a, b), np.equal(a, b), y.dtype))
        return y

    def backward(self, gy):
        (weight_a,) = self.saved
        return gy * weight_a, gy * (1 - weight_a)


class Minimum(Function):
    """y = min(a, b) elementwise.  The gradient goes to the smaller operand (split evenly on ties)."""

    def forward(self, a, b):
        y = np.minimum(a, b)
        self.save_for_backward(_tie_weights(np.less(a, b), np.equal(a, b), y.dtype))
        return y

    def backward(self, gy):
        (weight_a,) = self.saved
        return gy * weight_a, gy * (1 - weight_a)


def _tie_weights(wins, ties, dtype):
    weight = wins.astype(dtype)
    weight += 0.5 * ties
    return weight


class Clip(Function):
    """y = min(max(x, low), high).  dx = dy [low <= x <= high]."""

    def forward(self, x, low, high):
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.save_for_backward(inside)
        return np.clip(x, low, high)

    def backward(self, gy):
        (inside,) = self.saved
        return np.where(inside, gy, 0)


class Where(Function):
    """y = a where condition else b.  da = dy [condition],  db = dy [not condition] (selected, so inf dy gives 0)."""

    def forward(self, a, b, condition):
        self.save_for_backward(condition)
        return np.where(condition, a, b)

    def backward(self, gy):
        (condition,) = self.saved
        return np.where(condition, gy, 0), np.where(condition, 0, gy)


def exp(x):
    """e^x."""
    return Exp.apply(to_floating(to_tensor(x)))


def log(x):
    """Natural logarithm."""
    return Log.apply(to_floating(to_tensor(x)))


def sqrt(x):
    """Square root."""
    return Sqrt.apply(to_floating(to_tensor(x)))


def abs(x):
    """|x|."""
    return Abs.apply(to_tensor(x))


def sin(x):
    """sin x."""
    return Sin.apply(to_floating(to_tensor(x)))


def cos(x):
    """cos x."""
    return Cos.apply(to_floating(to_tensor(x)))


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh.apply(to_floating(to_tensor(x)))


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x)."""
    return Sigmoid.apply(to_floating(to_tensor(x)))


def relu(x):
    """max(0, x)."""
    return ReLU.apply(to_tensor(x))


def leaky_relu(x, negative_slope: float = 0.01):
    """x for x > 0, negative_slope * x otherwise (with slope 0, relu: 0 at x = -inf, not 0 * -inf = NaN)."""
    if negative_slope == 0:
        return relu(x)
    return LeakyReLU.apply(to_tensor(x), negative_slope=negative_slope)


maximum = binary_op(Maximum, "maximum", "Elementwise maximum (broadcasting).")
minimum = binary_op(Minimum, "minimum", "Elementwise minimum (broadcasting).")


def clip(x, min=None, max=None):
    """Clamp x into [min, max]; either bound may be None. ``clamp`` is the PyTorch name."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    return Clip.apply(to_tensor(x), low=min, high=max)


def where(condition, a, b):
    """Elementwise choice: a where ``condition`` is true, b elsewhere (the condition is not differentiated)."""
    condition = np.asarray(getattr(condition, "data", condition), dtype=bool)
    return Where.apply(*promote(operand(a), operand(b)), condition=condition)

"""Activations beyond the elementwise basics (notes 000 section 5.1, 001, 003): ELU, GELU and the erf GELU uses.

(Sigmoid, tanh, ReLU and leaky ReLU are in :mod:`neuronlab.ops.elementwise`, softmax in
:mod:`neuronlab.ops.softmax`.) The forward pass computes the derivative pieces once and saves them, so the
usual backward is one multiplication; with ``create_graph=True`` the backward rebuilds the derivative from
x with Tensor operations, so second derivatives are exact too.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab._validation import one_of
from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_C = 0.044715


def _erf(x):
    """SciPy's erf on arrays, imported on first use (``import neuronlab`` stays free of SciPy)."""
    from scipy.special import erf

    return erf(x)


class Erf(Function):
    """y = erf(x) = (2/sqrt(pi)) int_0^x e^{-t^2} dt.  dx = dy (2/sqrt(pi)) e^{-x^2}."""

    def forward(self, x):
        self.save_for_backward(x)
        return _erf(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy * (2 / math.sqrt(math.pi)) * np.exp(-(x * x))


class ELUFunction(Function):
    """y = x (x > 0),  alpha (e^x - 1) (x <= 0).  dx = dy (1 if x > 0 else alpha e^x)."""

    def forward(self, x, alpha):
        self.alpha = alpha
        y = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)
        self.save_for_backward(x, self._slope(x))
        return y

    def _slope(self, x):
        """1 for x > 0, alpha e^x otherwise (e^x only of min(x, 0): no overflow); on arrays or Tensors."""
        return np.where(x > 0, 1, self.alpha * np.exp(np.minimum(x, 0)))

    def saved_for_graph(self, inputs, output):
        x = inputs[0]
        return x, self._slope(x)

    def backward(self, gy):
        _, slope = self.saved
        return gy * slope


class GELUFunction(Function):
    """y = x Phi(x), Phi the standard normal CDF: Phi(x) = (1 + erf(x / sqrt 2)) / 2.
    dx = dy (Phi(x) + x phi(x)),  phi(x) = e^{-x^2/2} / sqrt(2 pi).

    approximate='tanh':  y = x (1 + tanh(u)) / 2,  u = sqrt(2/pi) (x + 0.044715 x^3);
    dx = dy [(1 + tanh u) / 2 + x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2) / 2].
    """

    def forward(self, x, approximate):
        self.approximate = approximate
        y, slope = _gelu_and_slope(x, approximate, _erf)
        self.save_for_backward(x, slope.astype(x.dtype, copy=False))
        return y.astype(x.dtype, copy=False)

    def saved_for_graph(self, inputs, output):
        x = inputs[0]
        return x, _gelu_and_slope(x, self.approximate, erf)[1]

    def backward(self, gy):
        _, slope = self.saved
        return gy * slope


def _gelu_and_slope(x, approximate: str, erf_function):
    """GELU(x) and its derivative, on arrays (with SciPy's erf) or on Tensors (with the Erf op)."""
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_C * x * x * x))
        half_one_plus_t = 0.5 * (1 + t)
        slope = half_one_plus_t + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_C * x * x)
        return x * half_one_plus_t, slope
    cdf = 0.5 * (1 + erf_function(x / _SQRT_2))
    pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
    return x * cdf, cdf + x * pdf


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) otherwise."""
    return ELUFunction.apply(to_tensor(x), alpha=float(alpha))


def gelu(x, approximate: str = "none"):
    """Gaussian error linear unit x Phi(x) (exact, with erf) or its tanh approximation (approximate='tanh')."""
    one_of("gelu: approximate", approximate, ("none", "tanh"))
    return GELUFunction.apply(to_tensor(x), approximate=approximate)


def erf(x):
    """The error function (2/sqrt(pi)) int_0^x e^{-t^2} dt."""
    return Erf.apply(to_tensor(x))

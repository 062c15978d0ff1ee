"""Elementwise mathematics beyond the basic functions: trigonometric and hyperbolic functions and their
inverses, exponentials and logarithms in other bases, erf, rounding, modular arithmetic, lerp, logaddexp.

Each backward uses only operators and NumPy ufuncs, which dispatch to the differentiable ops when given
Tensors (see ``ops/methods.py``), so second derivatives work with ``create_graph=True``. The rounding
functions are differentiable with a zero gradient, as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd._tensor import Tensor
from neuronlab.autograd.function import Function
from neuronlab.ops._util import operand, to_tensor
from neuronlab.ops.activation import Erf, erf  # noqa: F401  (erf is defined once, beside GELU, and listed here)

_LN2, _LN10 = math.log(2.0), math.log(10.0)


class Tan(Function):
    """y = tan x.  dx = dy (1 + y^2)."""

    def forward(self, x):
        y = np.tan(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * (1 + y * y)


class Asin(Function):
    """y = asin x.  dx = dy / sqrt(1 - x^2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsin(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / np.sqrt(1 - x * x)


class Acos(Function):
    """y = acos x.  dx = -dy / sqrt(1 - x^2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccos(x)

    def backward(self, gy):
        (x,) = self.saved
        return -gy / np.sqrt(1 - x * x)


class Atan(Function):
    """y = atan x.  dx = dy / (1 + x^2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctan(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / (1 + x * x)


class Atan2(Function):
    """y = atan2(a, b), the angle of the point (b, a).  da = dy b / (a^2 + b^2),  db = -dy a / (a^2 + b^2)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.arctan2(a, b)

    def backward(self, gy):
        a, b = self.saved
        scale = gy / (a * a + b * b)
        return scale * b, -scale * a


class Sinh(Function):
    """y = sinh x.  dx = dy cosh x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.sinh(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy * np.cosh(x)


class Cosh(Function):
    """y = cosh x.  dx = dy sinh x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.cosh(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy * np.sinh(x)


class Asinh(Function):
    """y = asinh x.  dx = dy / sqrt(x^2 + 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsinh(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / np.sqrt(x * x + 1)


class Acosh(Function):
    """y = acosh x (x >= 1).  dx = dy / sqrt(x^2 - 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccosh(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / np.sqrt(x * x - 1)


class Atanh(Function):
    """y = atanh x (|x| < 1).  dx = dy / (1 - x^2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctanh(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / (1 - x * x)


class Exp2(Function):
    """y = 2^x.  dx = dy y ln 2."""

    def forward(self, x):
        y = np.exp2(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * y * _LN2


class Expm1(Function):
    """y = e^x - 1 (accurate for small x).  dx = dy (y + 1)."""

    def forward(self, x):
        y = np.expm1(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * (y + 1)


class Log2(Function):
    """y = log2 x.  dx = dy / (x ln 2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log2(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / (x * _LN2)


class Log10(Function):
    """y = log10 x.  dx = dy / (x ln 10)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log10(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / (x * _LN10)


class Log1p(Function):
    """y = ln(1 + x) (accurate for small x).  dx = dy / (1 + x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log1p(x)

    def backward(self, gy):
        (x,) = self.saved
        return gy / (1 + x)


class Rsqrt(Function):
    """y = 1 / sqrt(x).  dx = -dy y^3 / 2."""

    def forward(self, x):
        y = 1 / np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy):
        (y,) = self.saved
        return gy * (-0.5 * y * y * y)


class Rounding(Function):
    """y = sign(x), floor(x), ceil(x), round(x) or trunc(x): piecewise constant.  dx = 0 (PyTorch's choice)."""

    def forward(self, x, ufunc, decimals):
        if x.dtype.kind in "iu" and ufunc is not np.sign:
            return x.copy()  # integers are already whole (NumPy's floor would make them float64)
        return ufunc(x) if decimals == 0 else np.round(x, decimals)

    def backward(self, gy):
        return gy * 0


class Fmod(Function):
    """y = a - trunc(a / b) b (the sign of a, C's fmod).  da = dy,  db = -dy trunc(a / b)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.fmod(a, b)

    def backward(self, gy):
        a, b = self.saved
        return gy, -gy * np.trunc(a / b)


class Remainder(Function):
    """y = a - floor(a / b) b (the sign of b, Python's %).  da = dy,  db = -dy floor(a / b)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.remainder(a, b)

    def backward(self, gy):
        a, b = self.saved
        return gy, -gy * np.floor(a / b)


class LogAddExp(Function):
    """y = ln(e^a + e^b) (without overflow).  da = dy e^(a - y),  db = dy e^(b - y)."""

    def forward(self, a, b):
        y = np.logaddexp(a, b)
        self.save_for_backward(a, b, y)
        return y

    def backward(self, gy):
        a, b, y = self.saved
        return gy * np.exp(a - y), gy * np.exp(b - y)


def tan(x):
    """Tangent."""
    return Tan.apply(to_tensor(x))


def asin(x):
    """Inverse sine (``arcsin``), in [-pi/2, pi/2]."""
    return Asin.apply(to_tensor(x))


def acos(x):
    """Inverse cosine (``arccos``), in [0, pi]."""
    return Acos.apply(to_tensor(x))


def atan(x):
    """Inverse tangent (``arctan``)."""
    return Atan.apply(to_tensor(x))


def atan2(input, other):
    """The angle of the point (other, input) in (-pi, pi] (``arctan2``), broadcasting."""
    return Atan2.apply(operand(input), operand(other))


def sinh(x):
    """Hyperbolic sine."""
    return Sinh.apply(to_tensor(x))


def cosh(x):
    """Hyperbolic cosine."""
    return Cosh.apply(to_tensor(x))


def asinh(x):
    """Inverse hyperbolic sine."""
    return Asinh.apply(to_tensor(x))


def acosh(x):
    """Inverse hyperbolic cosine (x >= 1)."""
    return Acosh.apply(to_tensor(x))


def atanh(x):
    """Inverse hyperbolic tangent (|x| < 1)."""
    return Atanh.apply(to_tensor(x))


def exp2(x):
    """2 ** x."""
    return Exp2.apply(to_tensor(x))


def expm1(x):
    """e^x - 1, accurate near 0."""
    return Expm1.apply(to_tensor(x))


def log2(x):
    """Base-2 logarithm."""
    return Log2.apply(to_tensor(x))


def log10(x):
    """Base-10 logarithm."""
    return Log10.apply(to_tensor(x))


def log1p(x):
    """ln(1 + x), accurate near 0."""
    return Log1p.apply(to_tensor(x))


def rsqrt(x):
    """1 / sqrt(x)."""
    return Rsqrt.apply(to_tensor(x))


def sign(x):
    """-1, 0 or 1 by the sign of x (gradient 0)."""
    return Rounding.apply(to_tensor(x), ufunc=np.sign, decimals=0)


def floor(x):
    """The largest integer <= x (gradient 0)."""
    return Rounding.apply(to_tensor(x), ufunc=np.floor, decimals=0)


def ceil(x):
    """The smallest integer >= x (gradient 0)."""
    return Rounding.apply(to_tensor(x), ufunc=np.ceil, decimals=0)


def round(x, *, decimals: int = 0):
    """x rounded to ``decimals`` places, halves to even as PyTorch and NumPy (gradient 0)."""
    return Rounding.apply(to_tensor(x), ufunc=np.round, decimals=int(decimals))


def trunc(x):
    """x rounded towards zero (gradient 0)."""
    return Rounding.apply(to_tensor(x), ufunc=np.trunc, decimals=0)


def fmod(input, other):
    """The remainder of input / other with the sign of the dividend (C's fmod), broadcasting."""
    return Fmod.apply(operand(input), operand(other))


def remainder(input, other):
    """The remainder of input / other with the sign of the divisor (Python's %), broadcasting."""
    return Remainder.apply(operand(input), operand(other))


def floor_divide(input, other) -> Tensor:
    """floor(input / other), elementwise (not differentiable, as in PyTorch)."""
    a, b = getattr(input, "data", input), getattr(other, "data", other)
    return Tensor(np.floor_divide(np.asarray(a), b))


def lerp(input, end, weight):
    """Linear interpolation input + weight (end - input); ``weight`` a number or a tensor (broadcasting)."""
    start = to_tensor(input)
    return start + operand(weight) * (operand(end) - start)


def logaddexp(input, other):
    """ln(e^input + e^other), computed without overflow (broadcasting)."""
    return LogAddExp.apply(operand(input), operand(other))


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh
fix = trunc

__all__ = [
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "rsqrt",
    "erf",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fmod",
    "remainder",
    "floor_divide",
    "lerp",
    "logaddexp",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "arcsinh",
    "arccosh",
    "arctanh",
    "fix",
]

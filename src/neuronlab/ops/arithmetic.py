"""Arithmetic: +, -, *, /, unary minus, powers. Broadcasting is undone once, in the engine (sum_to_shape)."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor
from neuronlab.ops.promotion import binary_op


class Add(Function):
    """y = a + b.  da = dy,  db = dy."""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    """y = a - b.  da = dy,  db = -dy."""

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, -gy


class Mul(Function):
    """y = a b.  da = dy b,  db = dy a."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, gy):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (gy * b if need_a else None), (gy * a if need_b else None)


class Div(Function):
    """y = a / b.  da = dy / b,  db = -dy a / b^2."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a / b

    def backward(self, gy):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (gy / b if need_a else None), (-gy * a / (b * b) if need_b else None)


class Neg(Function):
    """y = -x.  dx = -dy."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """y = x^p.  dx = dy p x^(p-1)  (0 where p = 0),  dp = dy y ln x  (0 where x = 0 and p >= 0).

    The two masks are PyTorch's (pow_backward): x^0 = 1 is constant in x, so dx = 0 at x = 0 too (not
    0 * 0^-1 = NaN); at x = 0, x^p is 0 for every p > 0 (1 at p = 0), so dp = 0 (not 0 * ln 0 = NaN).
    """

    def forward(self, x, p):
        y = x**p
        self.save_for_backward(x, p, y)
        return y

    def backward(self, gy):
        x, p, y = self.saved
        need_x, need_p = self.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):  # the masked entries may evaluate to inf/NaN
            gx = np.where(p == 0, 0, gy * p * x ** (p - 1)) if need_x else None
            gp = np.where((x == 0) & (p >= 0), 0, gy * y * np.log(x)) if need_p else None
        return gx, gp


class Cast(Function):
    """y = x converted to another dtype.  dx = dy converted back."""

    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        return gy.astype(self.dtype)


add = binary_op(Add, "add", "Elementwise a + b (broadcasting; result dtype by :mod:`neuronlab.ops.promotion`).")
sub = binary_op(Sub, "sub", "Elementwise a - b (broadcasting).")
mul = binary_op(Mul, "mul", "Elementwise a * b (broadcasting).")
div = binary_op(Div, "div", "Elementwise a / b (broadcasting; true division: integers give float32).", floating=True)


def neg(x):
    """-x."""
    return Neg.apply(to_tensor(x))


pow = binary_op(Pow, "pow", "x ** p, elementwise; p may be a number or a tensor.")


def astype(x, dtype):
    """x converted to ``dtype``; differentiable (the gradient is converted back)."""
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    return Cast.apply(x, dtype=dtype)

"""Matrix multiplication, the workhorse of the affine layer (notes 000 section 3.5)."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import operand
from neuronlab.ops.promotion import binary_op


class MatMul(Function):
    """Y = X W.  dX = dY W^T,  dW = X^T dY  (batched over leading axes; 1-D operands as in NumPy)."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return x @ w

    def backward(self, gy):
        x, w = self.saved
        need_x, need_w = self.needs_input_grad
        if x.ndim == 1 and w.ndim == 1:  # inner product: y = sum_i x_i w_i
            return (gy * w if need_x else None), (gy * x if need_w else None)
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        w2 = w.reshape(-1, 1) if w.ndim == 1 else w
        gy2 = gy
        if x.ndim == 1:
            gy2 = gy2.reshape(gy2.shape[:-1] + (1,) + gy2.shape[-1:])
        if w.ndim == 1:
            gy2 = gy2.reshape(gy2.shape + (1,))
        gx = gy2 @ _swap_last(w2) if need_x else None
        gw = _swap_last(x2) @ gy2 if need_w else None
        if gx is not None and x.ndim == 1:
            gx = gx.reshape(gx.shape[:-2] + gx.shape[-1:]) if gx.ndim > 2 else gx.reshape(-1)
        if gw is not None and w.ndim == 1:
            gw = gw.reshape(gw.shape[:-1])
        return gx, gw


def _swap_last(a):
    return a.T if a.ndim == 2 else a.swapaxes(-1, -2)


_matmul = binary_op(MatMul, "matmul", "x @ w")


def matmul(x, w):
    """Matrix product ``x @ w`` (NumPy's rules: batched over leading axes, broadcasting them)."""
    x, w = operand(x), operand(w)
    try:
        return _matmul(x, w)
    except ValueError:
        if np.ndim(x) == 0 or np.ndim(w) == 0:
            raise ValueError(
                f"matmul: shapes {np.shape(x)} and {np.shape(w)}: an operand is a scalar (0-d); use * to scale"
            ) from None
        raise ValueError(
            f"matmul: shapes {np.shape(x)} and {np.shape(w)} are not aligned "
            "(the last axis of the first must equal the second-to-last of the second)"
        ) from None

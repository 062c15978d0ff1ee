"""The affine map Y = X W + b, the notes' Affine layer (notes 000 sections 3.5 and 5.1), as one fused Function.

W has shape (in_features, out_features), the notes' layout: the forward pass is one matrix product X W.
"""

from __future__ import annotations

import math

from neuronlab.autograd.function import Function
from neuronlab.backend import blas


class Affine(Function):
    """Y = X W + b.  dW = X^T dY,  db = sum(dY, axis=0),  dX = dY W^T  (leading axes of X are batch axes).

    The three products have the same number of multiply-adds; small ones run on one BLAS thread
    (``backend.blas``)."""

    def forward(self, x, w, b):
        self.save_for_backward(x, w)
        with blas.for_product(math.prod(x.shape) * w.shape[1]):
            y = x @ w
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, w = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        with blas.for_product(math.prod(x.shape) * w.shape[1]):
            gx = gy @ w.T if need_x else None
            if x.ndim != 2 and (need_w or need_b):  # fold the batch axes: (N, ..., k) -> (N*..., k)
                x, gy = x.reshape(-1, w.shape[0]), gy.reshape(-1, w.shape[1])
            gw = x.T @ gy if need_w else None
        gb = gy.sum(axis=0) if need_b else None
        return gx, gw, gb


def linear(x, weight, bias=None):
    """y = x W + b with W of shape (in_features, out_features) (the notes' layout); ``bias`` may be None."""
    return Affine.apply(x, weight, bias)

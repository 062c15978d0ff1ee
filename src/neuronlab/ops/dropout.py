"""Dropout (notes 000 section 9.2, 003; Srivastava et al. 2014).

During training each value is kept with probability 1 - p, independently (mask M of zeros and ones).
Two conventions keep the expected activation of the next layer the same in training and at inference:

- inverted dropout (the default, notes 003 and PyTorch): Y = X * M / (1 - p) in training, Y = X at inference;
- ``scale_at_inference=True`` (notes 000): Y = X * M in training, Y = X * (1 - p) at inference.

Backward in both: dX = dY * M (times 1/(1 - p) when inverted). Masks are drawn from the library's
generator (``neuronlab.manual_seed`` makes them reproducible) or from ``generator=``.
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import probability
from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor
from neuronlab.random import default_generator


class DropoutFunction(Function):
    """Y = X * M.  dX = dY * M  (M: the mask, scaled by 1/(1 - p) for inverted dropout)."""

    def forward(self, x, mask):
        self.save_for_backward(mask)
        return x * mask

    def backward(self, gy):
        (mask,) = self.saved
        return gy * mask


def dropout(x, p: float = 0.5, training: bool = True, scale_at_inference: bool = False, *, generator=None):
    """Zero each value with probability ``p`` in training (see the module docstring for the two scalings)."""
    p = probability("dropout probability p", p)
    x = to_tensor(x)
    if not training:
        return x * (1 - p) if scale_at_inference else x
    if p == 0:
        return x
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
    rng = default_generator() if generator is None else generator
    keep = rng.random(x.shape, dtype=dtype) >= p
    if scale_at_inference:
        mask = keep.astype(x.dtype)
    else:
        mask = np.multiply(keep, 1 / (1 - p) if p < 1 else 0, dtype=x.dtype)
    return DropoutFunction.apply(x, mask=mask)


def dropout2d(x, p: float = 0.5, training: bool = True, *, generator=None):
    """Zero each channel of (N, C, H, W) (or unbatched (C, H, W)) with probability ``p`` while training
    (Tompson et al. 2015, "spatial dropout"): Y = X * M / (1 - p) with M of shape (N, C, 1, 1); dX = dY * M / (1 - p).
    """
    p = probability("dropout probability p", p)
    x = to_tensor(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got shape {x.shape}")
    if not training or p == 0:
        return x
    rng = default_generator() if generator is None else generator
    keep = rng.random(x.shape[:-2] + (1, 1)) >= p
    return x * np.multiply(keep, 1 / (1 - p) if p < 1 else 0, dtype=x.dtype)

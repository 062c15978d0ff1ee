"""Dropout2d: drop whole channels (Tompson et al. 2015, "spatial dropout"; PyTorch's ``nn.Dropout2d``).

Neighbouring pixels of a feature map are strongly correlated, so zeroing single values hardly removes any
information; zeroing a whole channel does. Each channel of each sample is kept with probability 1 - p and
scaled by 1/(1 - p) (inverted dropout): Y = X * M with M of shape (N, C, 1, 1). dX = dY * M.
"""
from __future__ import annotations

import numpy as np

from neuronlab.nn.dropout import _check_p
from neuronlab.nn.module import Module, register_module
from neuronlab.ops._util import to_tensor
from neuronlab.random import default_generator


def dropout2d(x, p: float = 0.5, training: bool = True, *, generator=None):
    """Zero each channel of (N, C, H, W) (or unbatched (C, H, W)) with probability ``p`` while training."""
    p = _check_p(p)
    x = to_tensor(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got shape {x.shape}")
    if not training or p == 0:
        return x
    rng = default_generator() if generator is None else generator
    keep = rng.random(x.shape[:-2] + (1, 1)) >= p
    return x * np.multiply(keep, 1 / (1 - p) if p < 1 else 0, dtype=x.dtype)


@register_module
class Dropout2d(Module):
    """Zero whole channels with probability ``p`` while training (inverted: kept channels scaled by 1/(1-p))."""

    def __init__(self, p: float = 0.5, *, generator=None) -> None:
        super().__init__()
        self.p = _check_p(p)
        self.generator = generator

    def forward(self, x):
        return dropout2d(x, self.p, self.training, generator=self.generator)

    def get_config(self) -> dict:
        return {"p": self.p}

    def extra_repr(self) -> str:
        return f"p={self.p}"

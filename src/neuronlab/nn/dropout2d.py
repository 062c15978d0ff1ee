"""Dropout2d: drop whole channels (Tompson et al. 2015, "spatial dropout"; PyTorch's ``nn.Dropout2d``).

Neighbouring pixels of a feature map are strongly correlated, so zeroing single values hardly removes any
information; zeroing a whole channel does. Each channel of each sample is kept with probability 1 - p and
scaled by 1/(1 - p) (inverted dropout): Y = X * M with M of shape (N, C, 1, 1). dX = dY * M.
"""

from __future__ import annotations

from neuronlab._validation import probability
from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.dropout import dropout2d


@register_buildable
class Dropout2d(Module):
    """Zero whole channels with probability ``p`` while training (inverted: kept channels scaled by 1/(1-p))."""

    def __init__(self, p: float = 0.5, *, generator=None) -> None:
        super().__init__()
        self.p = probability("dropout probability p", p)
        self.generator = generator

    def forward(self, x):
        return dropout2d(x, self.p, self.training, generator=self.generator)

    def get_config(self) -> dict:
        return {"p": self.p}

    def extra_repr(self) -> str:
        return f"p={self.p}"

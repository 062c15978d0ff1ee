"""The Dropout layer (notes 000 section 9.2, 003); the mask, the two scalings and the gradient are in
:mod:`neuronlab.ops.dropout`."""

from __future__ import annotations

from neuronlab._validation import probability
from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.dropout import dropout


@register_buildable
class Dropout(Module):
    """Randomly zero values with probability ``p`` while training (inverted dropout unless
    ``scale_at_inference=True``, the notes 000 variant that multiplies by 1 - p at inference)."""

    def __init__(self, p: float = 0.5, scale_at_inference: bool = False, *, generator=None) -> None:
        super().__init__()
        self.p = probability("dropout probability p", p)
        self.scale_at_inference = bool(scale_at_inference)
        self.generator = generator

    def forward(self, x):
        return dropout(x, self.p, self.training, self.scale_at_inference, generator=self.generator)

    def get_config(self) -> dict:
        return {"p": self.p, "scale_at_inference": self.scale_at_inference}

    def extra_repr(self) -> str:
        return f"p={self.p}" + (", scale_at_inference=True" if self.scale_at_inference else "")

"""Unflatten: the inverse of Flatten, one axis split into several (PyTorch's ``nn.Unflatten``)."""

from __future__ import annotations

from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops._util import axis_index, to_tensor
from neuronlab.ops.shape import reshape


@register_buildable
class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``: ``Unflatten(1, (1, 8, 8))`` turns (N, 64) into (N, 1, 8, 8)."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in unflattened_size)

    def forward(self, x):
        x = to_tensor(x)
        dim = axis_index("Unflatten", self.dim, x.ndim)
        return reshape(x, x.shape[:dim] + self.unflattened_size + x.shape[dim + 1 :])

    def get_config(self) -> dict:
        return {"dim": self.dim, "unflattened_size": list(self.unflattened_size)}

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

"""Upsample: resize feature maps by nearest-neighbour or (bi)linear interpolation (``neuronlab.ops.pool``)."""

from __future__ import annotations

from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.pool import interpolate


@register_buildable
class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor``; ``mode`` "nearest", "linear" or
    "bilinear" (PyTorch's ``nn.Upsample``, through ``F.interpolate``)."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> None:
        super().__init__()
        self.size = list(size) if isinstance(size, tuple) else size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else scale_factor
        self.mode, self.align_corners = mode, align_corners

    def forward(self, x):
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)

    def get_config(self) -> dict:
        return {
            "size": self.size,
            "scale_factor": self.scale_factor,
            "mode": self.mode,
            "align_corners": self.align_corners,
        }

    def extra_repr(self) -> str:
        which = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{which}, mode={self.mode!r}"

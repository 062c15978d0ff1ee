"""The BatchNorm1d layer (notes 000 section 8): parameters gamma and beta, running statistics, and the
train/eval switch; the normalization and its closed-form backward are in :mod:`neuronlab.ops.normalization`."""

from __future__ import annotations

import numpy as np

from neuronlab._validation import floating_dtype, positive_int, probability
from neuronlab.autograd import Tensor
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops._util import to_tensor
from neuronlab.ops.normalization import batch_norm, values_per_feature


@register_buildable
class BatchNorm1d(Module):
    """Batch normalization over (N, C) or (N, C, L) inputs, per feature C; PyTorch's ``nn.BatchNorm1d``.

    Parameters ``weight`` (gamma, ones) and ``bias`` (beta, zeros) of shape (C,) when ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` when
    ``track_running_stats``. ``momentum=None`` uses the cumulative average of the batch statistics.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype=np.float32,
    ) -> None:
        super().__init__()
        num_features = positive_int("BatchNorm1d: num_features", num_features)
        if momentum is not None:
            probability("BatchNorm1d: momentum (or None)", momentum)
        dtype = floating_dtype("BatchNorm1d: dtype", dtype)
        self.dtype = dtype.name
        self.num_features, self.eps, self.momentum = num_features, float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data.fill(0)
            self.running_var.data.fill(1)
            self.num_batches_tracked.data.fill(0)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data.fill(1)
            self.bias.data.fill(0)

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = to_tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L), got {tuple(x.shape)}"
            )
        factor = 0.0
        if self.training:
            values_per_feature(x.shape)  # before counting the batch
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            factor = 1.0 / float(self.num_batches_tracked.data) if self.momentum is None else self.momentum
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def get_config(self) -> dict:
        return {
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.affine,
            "track_running_stats": self.track_running_stats,
            "dtype": next((t.dtype.name for t in (self.weight, self.running_mean) if t is not None), self.dtype),
        }

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )

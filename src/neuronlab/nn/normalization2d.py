"""BatchNorm2d: batch normalization of feature maps, one mean and variance per channel (Ioffe and Szegedy 2015).

The statistics of channel c are taken over the batch and every position, N * H * W values: a convolution
shares its weights across positions, so its normalization does too. (N, C, H, W) is normalized as the
(N, C, H*W) input of ``BatchNorm1d``, whose Function and closed-form backward it reuses.
"""

from __future__ import annotations

from neuronlab.nn.module import register_buildable
from neuronlab.nn.normalization import BatchNorm1d
from neuronlab.ops._util import to_tensor
from neuronlab.ops.shape import reshape


@register_buildable
class BatchNorm2d(BatchNorm1d):
    """Batch normalization over (N, C, H, W) inputs, per channel C; PyTorch's ``nn.BatchNorm2d`` (the same
    parameters, buffers and defaults as ``BatchNorm1d``)."""

    def forward(self, x):
        x = to_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm2d: expected input of shape (N, {self.num_features}, H, W), got {tuple(x.shape)}"
            )
        n, c, h, w = x.shape
        return reshape(super().forward(reshape(x, (n, c, h * w))), (n, c, h, w))

"""Pooling layers (PyTorch's names, argument order and defaults); the computation is in ``neuronlab.ops.pool``.

Pooling summarises each window of a feature map by one number (its maximum or its mean), so the next layer
sees a coarser map that changes little when the input shifts by a pixel; it has no parameters.
"""

from __future__ import annotations

from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)


def _plain(value):
    """A constructor argument as JSON keeps it (tuples as lists)."""
    return list(value) if isinstance(value, tuple) else value


class _Pool(Module):
    """Stores its constructor arguments under their own names (as PyTorch does) and returns them as config."""

    arguments: tuple = ()

    def __init__(self, **arguments) -> None:
        super().__init__()
        for name, value in arguments.items():
            setattr(self, name, value)

    def get_config(self) -> dict:
        return {name: _plain(getattr(self, name)) for name in self.arguments}

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self.arguments)


class _MaxPoolNd(_Pool):
    arguments = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False, ceil_mode: bool = False
    ) -> None:
        super().__init__(
            kernel_size=kernel_size,
            stride=stride if stride is not None else kernel_size,
            padding=padding,
            dilation=dilation,
            return_indices=bool(return_indices),
            ceil_mode=bool(ceil_mode),
        )


@register_buildable
class MaxPool2d(_MaxPoolNd):
    """The maximum of each window of (N, C, H, W); ``stride`` defaults to ``kernel_size`` (no overlap).
    The gradient goes to the maximum only (the first one on ties)."""

    def forward(self, x):
        return max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )


@register_buildable
class MaxPool1d(_MaxPoolNd):
    """The maximum of each window of (N, C, L)."""

    def forward(self, x):
        return max_pool1d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )


@register_buildable
class AvgPool2d(_Pool):
    """The mean of each window of (N, C, H, W) (zero padding counted unless ``count_include_pad=False``)."""

    arguments = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ) -> None:
        super().__init__(
            kernel_size=kernel_size,
            stride=stride if stride is not None else kernel_size,
            padding=padding,
            ceil_mode=bool(ceil_mode),
            count_include_pad=bool(count_include_pad),
            divisor_override=divisor_override,
        )

    def forward(self, x):
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


@register_buildable
class AvgPool1d(_Pool):
    """The mean of each window of (N, C, L)."""

    arguments = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True
    ) -> None:
        super().__init__(
            kernel_size=kernel_size,
            stride=stride if stride is not None else kernel_size,
            padding=padding,
            ceil_mode=bool(ceil_mode),
            count_include_pad=bool(count_include_pad),
        )

    def forward(self, x):
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


@register_buildable
class AdaptiveAvgPool2d(_Pool):
    """Average (N, C, H, W) down to (N, C, *output_size) whatever H and W (None keeps that axis)."""

    arguments = ("output_size",)

    def __init__(self, output_size) -> None:
        super().__init__(output_size=output_size)

    def forward(self, x):
        return adaptive_avg_pool2d(x, self.output_size)


@register_buildable
class AdaptiveAvgPool1d(_Pool):
    """Average (N, C, L) down to (N, C, output_size)."""

    arguments = ("output_size",)

    def __init__(self, output_size) -> None:
        super().__init__(output_size=output_size)

    def forward(self, x):
        return adaptive_avg_pool1d(x, self.output_size)


@register_buildable
class AdaptiveMaxPool2d(_Pool):
    """The maximum over the windows that split (H, W) into ``output_size`` parts."""

    arguments = ("output_size", "return_indices")

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size=output_size, return_indices=bool(return_indices))

    def forward(self, x):
        return adaptive_max_pool2d(x, self.output_size, self.return_indices)

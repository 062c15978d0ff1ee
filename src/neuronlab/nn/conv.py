"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d (PyTorch's names, arguments, defaults and layouts).

A convolution layer is a Linear layer whose weights are shared across positions (notes 002): each output
channel o applies the same kernel W[o] (in_channels/groups x kernel) to every window of the input. The
weight layout is PyTorch's, (out_channels, in_channels/groups, *kernel_size), and so is the default
initialization: W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels/groups * prod(kernel)
(``kaiming_uniform_`` with a = sqrt(5)). The computation is in ``neuronlab.ops.conv``.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.nn import init
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops.conv import _tuple, conv1d, conv2d, conv_transpose2d, pad_pairs, pad_spatial

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: argument checks, parameters, initialization, config."""

    dims = 2
    transposed = False

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        groups,
        bias,
        padding_mode,
        dtype,
        output_padding=0,
    ) -> None:
        super().__init__()
        name, n = type(self).__name__, self.dims
        for label, value in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {label} must be a positive integer, got {value!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels={in_channels} and out_channels={out_channels} must both be "
                f"divisible by groups={groups}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {', '.join(_PADDING_MODES)}, got {padding_mode!r}")
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported (as in PyTorch)")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{name}: dtype must be a floating type, got {dtype}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = _tuple(name, "kernel_size", kernel_size, n, 1)
        self.stride = _tuple(name, "stride", stride, n, 1)
        self.dilation = _tuple(name, "dilation", dilation, n, 1)
        self.output_padding = _tuple(name, "output_padding", output_padding, n, 0)
        self.padding = padding if isinstance(padding, str) else _tuple(name, "padding", padding, n, 0)
        self._pairs = pad_pairs(name, padding, self.kernel_size, self.stride, self.dilation)
        self.padding_mode = padding_mode
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.shape[1] * prod(kernel)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(init.calculate_fan_in_and_fan_out(self.weight)[0])
            init.uniform_(self.bias, -bound, bound)

    def _padded(self, x):
        """x padded by ``padding_mode`` when it is not zeros (the convolution then pads nothing)."""
        if self.padding_mode == "zeros":
            return x, self.padding
        return pad_spatial(x, self._pairs, self.padding_mode), 0

    def get_config(self) -> dict:
        config = {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": self.padding if isinstance(self.padding, str) else list(self.padding),
            "dilation": list(self.dilation),
            "groups": self.groups,
            "bias": self.bias is not None,
            "padding_mode": self.padding_mode,
            "dtype": self.weight.dtype.name,
        }
        if self.transposed:
            config["output_padding"] = list(self.output_padding)
        return config

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.transposed and any(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode!r}"
        return text


class _Conv(_ConvNd):
    """A convolution layer with PyTorch's arguments and defaults; ``conv`` is its functional form."""

    conv = staticmethod(conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype=np.float32,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, dtype
        )

    def forward(self, x):
        x, padding = self._padded(x)
        return self.conv(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


@register_buildable
class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, OH, OW), OH = floor((H + 2 pad - d (K - 1) - 1) / s) + 1.

    ``padding``: an int, a pair, "valid" (none) or "same" (output size = input size, stride 1);
    ``padding_mode``: "zeros", "reflect", "replicate" or "circular". Weight (C_out, C_in/groups, KH, KW).
    """


@register_buildable
class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) -> (N, C_out, OL) (signals, sequences); weight (C_out, C_in/groups, K)."""

    dims = 1
    conv = staticmethod(conv1d)


@register_buildable
class ConvTranspose2d(_ConvNd):
    """Transposed convolution (the input-gradient of a Conv2d, as a layer; upsamples with stride > 1):
    (N, C_in, H, W) -> (N, C_out, (H - 1) s - 2 pad + d (K - 1) + output_padding + 1, ...).
    Weight (C_in, C_out/groups, KH, KW), PyTorch's layout; fan_in for the initialization is C_out/groups * KH KW,
    as PyTorch computes it."""

    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        padding_mode: str = "zeros",
        dtype=np.float32,
    ) -> None:
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got {padding!r}")
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            dtype,
            output_padding,
        )

    def forward(self, x):
        return conv_transpose2d(
            x, self.weight, self.bias, self.stride, self.padding, self.output_padding, self.groups, self.dilation
        )

"""Weight initialization (notes 000 section 7, 002, 004): fill a Parameter in place, as ``torch.nn.init``.

The notes' argument: a layer with N_in inputs multiplies the variance of the data by about N_in Var(W),
so Var(W) = 1/N_in keeps it constant (LeCun); ReLU zeroes half of its inputs, hence He's 2/N_in;
Glorot-Bengio's 2/(N_in + N_out) balances the forward and the backward pass (sigmoid, tanh).

Fan convention: weights here follow the notes' layout, a Linear weight W has shape (in_features,
out_features) because Y = X W. So **fan_in = shape[0] and fan_out = shape[1]** -- the transpose of
PyTorch's convention, where ``weight`` is (out_features, in_features). The variances are the same as
PyTorch's for the same layer.

Every random draw comes from ``neuronlab.random.default_generator()`` unless ``generator=`` is given.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.random import default_generator

_LINEAR_LIKE = (
    "linear",
    "identity",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which an activation shrinks the standard deviation, to be undone by the init.

    linear/identity/sigmoid: 1, tanh: 5/3, relu: sqrt(2), leaky_relu(a): sqrt(2 / (1 + a^2)), selu: 3/4
    (PyTorch's values).
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
        f"{', '.join(_LINEAR_LIKE)}, tanh, relu, leaky_relu, selu"
    )


def calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a 2-D weight in the notes' (in_features, out_features) layout: its shape.

    A convolution weight (out_channels, in_channels/groups, *kernel) (PyTorch's layout, issue 12) has
    fan_in = in_channels/groups * prod(kernel) and fan_out = out_channels * prod(kernel), as in PyTorch.
    """
    shape = tuple(tensor.shape)
    if len(shape) > 2:
        field = math.prod(shape[2:])
        return shape[1] * field, shape[0] * field
    if len(shape) != 2:
        raise ValueError(
            f"fan in and fan out are defined for 2-D weights of shape (in_features, out_features) "
            f"and convolution weights (out, in/groups, *kernel); got shape {shape}"
        )
    return shape[0], shape[1]


def _fan(tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _write(tensor, values) -> Tensor:
    """Copy ``values`` into ``tensor`` in place (initialization is never part of a recorded graph)."""
    data = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(data, np.ndarray):
        raise TypeError(f"init functions fill a Tensor or ndarray in place, got {type(tensor).__name__}")
    data[...] = values
    if isinstance(tensor, Tensor):
        tensor._version += 1
    return tensor


def _float_dtype(tensor):
    dtype = tensor.dtype
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"init: cannot draw random values into a tensor of dtype {dtype}")
    return dtype if dtype in (np.float32, np.float64) else np.float64


def _normal(tensor, mean: float, std: float, generator) -> Tensor:
    rng = default_generator() if generator is None else generator
    values = rng.standard_normal(tuple(tensor.shape), dtype=_float_dtype(tensor))
    if std != 1:
        values *= std
    if mean != 0:
        values += mean
    return _write(tensor, values)


def _uniform(tensor, low: float, high: float, generator) -> Tensor:
    rng = default_generator() if generator is None else generator
    values = rng.random(tuple(tensor.shape), dtype=_float_dtype(tensor))
    values *= high - low
    values += low
    return _write(tensor, values)


def zeros_(tensor) -> Tensor:
    """Fill with 0. On a weight this makes every hidden unit compute the same thing: the symmetry the notes
    warn about (002: "why not to initialize to zero"); fine for biases."""
    return _write(tensor, 0)


def ones_(tensor) -> Tensor:
    """Fill with 1."""
    return _write(tensor, 1)


def constant_(tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _write(tensor, val)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Draw from N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    return _normal(tensor, mean, std, generator)


def uniform_(tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Draw from U(a, b)."""
    if b < a:
        raise ValueError(f"uniform_: the interval [a, b] is empty (a={a} > b={b})")
    return _uniform(tensor, a, b, generator)


def xavier_uniform_(tensor, gain: float = 1.0, *, generator=None) -> Tensor:
    """Glorot-Bengio: U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)), variance gain^2 2/(fan_in + fan_out)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, *, generator=None) -> Tensor:
    """Glorot-Bengio: N(0, std^2) with std^2 = gain^2 2/(fan_in + fan_out) (notes 000 section 7.2)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return _normal(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *, generator=None
) -> Tensor:
    """He: U(-b, b) with b = sqrt(3) gain / sqrt(fan), so that the variance is gain^2 / fan.

    ``a`` is the negative slope of the leaky ReLU that follows (gain sqrt(2/(1+a^2)); a = 0 gives He's 2/fan).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *, generator=None
) -> Tensor:
    """He: N(0, gain^2 / fan); with ReLU (a = 0) the variance is the notes' 2 / N_in, the recommended
    initialization for ReLU networks."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return _normal(tensor, 0.0, std, generator)


def lecun_normal_(tensor, *, generator=None) -> Tensor:
    """LeCun: N(0, 1 / fan_in), the notes' V = 1/N_in that keeps the variance of a linear layer constant."""
    return _normal(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")), generator)

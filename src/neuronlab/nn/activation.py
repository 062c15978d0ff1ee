"""Activation layers (notes 000 section 5.1, 001, 003): Modules around the activations of :mod:`neuronlab.ops`
(where each derivative is written beside its forward)."""

from __future__ import annotations

from neuronlab._validation import one_of
from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.activation import elu, gelu
from neuronlab.ops.elementwise import leaky_relu, relu, sigmoid, tanh
from neuronlab.ops.softmax import log_softmax, softmax


@register_buildable
class Sigmoid(Module):
    """y = 1 / (1 + e^-x).  dx = dy y (1 - y)."""

    def forward(self, x):
        return sigmoid(x)

    def get_config(self) -> dict:
        return {}


@register_buildable
class Tanh(Module):
    """y = tanh x.  dx = dy (1 - y^2)."""

    def forward(self, x):
        return tanh(x)

    def get_config(self) -> dict:
        return {}


@register_buildable
class ReLU(Module):
    """y = max(0, x).  dx = dy [x > 0]."""

    def forward(self, x):
        return relu(x)

    def get_config(self) -> dict:
        return {}


@register_buildable
class LeakyReLU(Module):
    """y = x (x > 0), negative_slope x (x <= 0).  dx = dy (1 or negative_slope)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict:
        return {"negative_slope": self.negative_slope}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class _AlongDim(Module):
    """Softmax and LogSoftmax: normalized along the axis ``dim`` (the last by default), their one argument."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = int(dim)

    def get_config(self) -> dict:
        return {"dim": self.dim}

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


@register_buildable
class Softmax(_AlongDim):
    """y_i = e^{x_i} / sum_j e^{x_j} along ``dim`` (the last axis by default).  dx = y (dy - sum_j dy_j y_j)."""

    def forward(self, x):
        return softmax(x, self.dim)


@register_buildable
class LogSoftmax(_AlongDim):
    """y_i = x_i - log sum_j e^{x_j} along ``dim`` (stable).  dx = dy - e^y sum_j dy_j."""

    def forward(self, x):
        return log_softmax(x, self.dim)


@register_buildable
class ELU(Module):
    """y = x (x > 0), alpha (e^x - 1) (x <= 0).  dx = dy (1 or alpha e^x)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x):
        return elu(x, self.alpha)

    def get_config(self) -> dict:
        return {"alpha": self.alpha}

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


@register_buildable
class GELU(Module):
    """y = x Phi(x) (``approximate='none'``, with erf) or x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) / 2."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = one_of("GELU: approximate", approximate, ("none", "tanh"))

    def forward(self, x):
        return gelu(x, self.approximate)

    def get_config(self) -> dict:
        return {"approximate": self.approximate}

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"

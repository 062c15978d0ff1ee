"""Module forms of the activations in :mod:`neuronlab.ops.activation_extra` (PyTorch's names and defaults):
Softplus, LogSigmoid, SiLU, Mish, SELU, CELU, ReLU6, Hardtanh, Hardsigmoid, Hardswish, Softsign, Softmin.
Each holds only its hyper-parameters; ``config()``/``build_module`` round-trip them."""

from __future__ import annotations

from typing import Any, ClassVar

from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops import activation_extra as act


class _Parameterless(Module):
    """An activation without settings: ``forward`` applies ``function``."""

    function: ClassVar[Any] = None

    def forward(self, x):
        return type(self).function(x)

    def get_config(self) -> dict:
        return {}


@register_buildable
class LogSigmoid(_Parameterless):
    """y = ln sigmoid(x).  dx = dy sigmoid(-x)."""

    function = staticmethod(act.logsigmoid)


@register_buildable
class SiLU(_Parameterless):
    """y = x sigmoid(x) (swish)."""

    function = staticmethod(act.silu)


@register_buildable
class Mish(_Parameterless):
    """y = x tanh(softplus(x))."""

    function = staticmethod(act.mish)


@register_buildable
class SELU(_Parameterless):
    """y = lambda x (x > 0), lambda alpha (e^x - 1) (x <= 0), lambda ~ 1.0507, alpha ~ 1.6733."""

    function = staticmethod(act.selu)


@register_buildable
class ReLU6(_Parameterless):
    """y = min(max(x, 0), 6)."""

    function = staticmethod(act.relu6)


@register_buildable
class Hardsigmoid(_Parameterless):
    """y = relu6(x + 3) / 6."""

    function = staticmethod(act.hardsigmoid)


@register_buildable
class Hardswish(_Parameterless):
    """y = x relu6(x + 3) / 6."""

    function = staticmethod(act.hardswish)


@register_buildable
class Softsign(_Parameterless):
    """y = x / (1 + |x|)."""

    function = staticmethod(act.softsign)


@register_buildable
class Softplus(Module):
    """y = ln(1 + e^(beta x)) / beta (linear where beta x > threshold).  dx = dy sigmoid(beta x)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x):
        return act.softplus(x, self.beta, self.threshold)

    def get_config(self) -> dict:
        return {"beta": self.beta, "threshold": self.threshold}

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


@register_buildable
class CELU(Module):
    """y = x (x > 0), alpha (e^(x / alpha) - 1) (x <= 0)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x):
        return act.celu(x, self.alpha)

    def get_config(self) -> dict:
        return {"alpha": self.alpha}

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


@register_buildable
class Hardtanh(Module):
    """y = min(max(x, min_val), max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x):
        return act.hardtanh(x, self.min_val, self.max_val)

    def get_config(self) -> dict:
        return {"min_val": self.min_val, "max_val": self.max_val}

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


@register_buildable
class Softmin(Module):
    """y = softmax(-x) along ``dim`` (the last by default)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = int(dim)

    def forward(self, x):
        return act.softmin(x, self.dim)

    def get_config(self) -> dict:
        return {"dim": self.dim}

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


__all__ = [
    "Softplus",
    "LogSigmoid",
    "SiLU",
    "Mish",
    "SELU",
    "CELU",
    "ReLU6",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Softsign",
    "Softmin",
]

"""Linear: the notes' Affine layer Y = X W + b (notes 000 sections 3.5 and 5.1).

Weight layout: ``weight`` has shape (in_features, out_features), as in the notes, so the forward pass is
one matrix product X W with no transpose. PyTorch stores the transpose, (out_features, in_features), and
computes X W^T; ``neuronlab.interop`` converts state dicts between the two layouts.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab._validation import floating_dtype, nonnegative_int
from neuronlab.autograd import Tensor
from neuronlab.nn import init
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops._util import to_tensor
from neuronlab.ops.linear import linear


@register_buildable
class Linear(Module):
    """Fully connected layer, the notes' Affine layer: Y = X W + b.

    ``weight``: (in_features, out_features) -- the transpose of PyTorch's layout (see ``neuronlab.interop``);
    ``bias``: (out_features,), or None with ``bias=False``. Input (..., in_features), output (..., out_features).

    Default initialization is PyTorch's, so a model built here starts like the same model built there:
    W and b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (``kaiming_uniform_`` with a = sqrt(5)),
    variance 1/(3 in_features). That is a conservative scale, smaller than the notes' 1/N_in; for deep ReLU
    networks re-initialize the weights with He's ``nn.init.kaiming_normal_(layer.weight)`` (variance
    2/in_features, notes 000 section 7.2) and the bias with ``nn.init.zeros_``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32) -> None:
        super().__init__()
        self.in_features = nonnegative_int("Linear: in_features", in_features)
        self.out_features = nonnegative_int("Linear: out_features", out_features)
        dtype = floating_dtype("Linear: dtype", dtype)
        self.weight = Parameter(np.empty((self.in_features, self.out_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        if self.in_features == 0:
            return
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = to_tensor(x)
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: expected input with last dimension in_features={self.in_features}, got shape {tuple(x.shape)}"
            )
        return linear(x, self.weight, self.bias)

    def get_config(self) -> dict:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias is not None,
            "dtype": self.weight.dtype.name,
        }

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

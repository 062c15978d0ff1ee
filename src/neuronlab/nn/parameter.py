"""Parameter: a Tensor that a Module learns (PyTorch's ``nn.Parameter``).

Assigning a Parameter to a Module attribute registers it: ``parameters()``, ``state_dict()`` and the
optimizers find it by walking the module tree. A Parameter requires grad unless frozen; operations on it return
plain Tensors, so only the leaves a model owns are Parameters.
"""

from __future__ import annotations

from neuronlab.autograd import Tensor
from neuronlab.autograd._tensor import as_array


class Parameter(Tensor):
    """A leaf Tensor that requires grad and is registered by the Module it is assigned to.

    ``requires_grad=False`` (or ``module.requires_grad_(False)``) freezes it. ``Parameter(data)`` uses an
    ndarray as is (no copy) and converts Python numbers and lists to float32, like ``neuronlab.tensor``;
    ``dtype=`` converts.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None) -> None:
        array = as_array(data, dtype)
        if array.dtype.kind != "f":
            raise TypeError(f"Parameter: only floating-point data can be learned, got dtype {array.dtype}")
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

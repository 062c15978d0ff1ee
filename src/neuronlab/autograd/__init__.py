"""The automatic-differentiation engine: Tensor, Function, the backward pass, grad modes, gradient checking."""

from neuronlab.autograd._tensor import Tensor, tensor
from neuronlab.autograd.engine import backward, grad
from neuronlab.autograd.function import Function
from neuronlab.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from neuronlab.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad

__all__ = [
    "Tensor",
    "tensor",
    "Function",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "numerical_grad",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
]

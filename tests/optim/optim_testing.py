"""Helpers shared by the optimizer tests (imported as ``optim_testing``): parameters and the test problem.

The problem is two independent least-squares fits in one model, so an optimizer sees two parameters of
different shapes in two parameter groups:  f(w, M) = |A w - b|^2 / (2 n) + |X M - Y|_F^2 / (2 m).
Its gradient is the closed form  (A^T (A w - b) / n,  X^T (X M - Y) / m).
"""

import numpy as np
import pytest

import neuronlab
from neuronlab.autograd import Tensor
from neuronlab.nn import Parameter
from neuronlab.optim.optimizer import NUMBA_AVAILABLE

# The two implementations of every update: the NumPy reference (fused=False) and the compiled kernel (fused=True).
PATHS = [
    pytest.param(False, id="reference"),
    pytest.param(True, id="fused", marks=pytest.mark.skipif(not NUMBA_AVAILABLE, reason="Numba not installed")),
]


def make_param(array, dtype=np.float64) -> Parameter:
    """A Parameter holding a copy of ``array``."""
    return Parameter(np.array(array, dtype=dtype))


def set_grad(param, grad) -> None:
    param.grad = Tensor(np.array(grad, dtype=param.data.dtype))


class LeastSquares:
    def __init__(self, seed: int = 0) -> None:
        rng = neuronlab.manual_seed(seed)
        self.A = rng.standard_normal((20, 5))
        self.b = rng.standard_normal(20)
        self.X = rng.standard_normal((10, 3))
        self.Y = rng.standard_normal((10, 4))
        self.w0 = rng.standard_normal(5)
        self.M0 = rng.standard_normal((3, 4))

    def loss(self, w, M) -> float:
        return np.sum((self.A @ w - self.b) ** 2) / (2 * len(self.b)) + np.sum((self.X @ M - self.Y) ** 2) / (
            2 * len(self.Y)
        )

    def grad(self, w, M):
        return (self.A.T @ (self.A @ w - self.b) / len(self.b), self.X.T @ (self.X @ M - self.Y) / len(self.Y))

"""Parameter norm penalties (notes 000 section 9.1): L2, alpha sum_l ||W_l||^2, and L1, alpha sum_l sum |W_l|.

Each is one Function over all the penalized weights, added to the data loss:
``loss = criterion(model(x), t) + l2_penalty(model, 1e-4)``.
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import nonnegative
from neuronlab.autograd import Tensor
from neuronlab.autograd.function import Function


class SquaredNorm(Function):
    """Omega = alpha sum_l sum(W_l * W_l).  dW_l = 2 alpha W_l  (notes 000 section 9.1)."""

    def forward(self, *weights, alpha):
        self.alpha = alpha
        self.save_for_backward(*weights)
        return np.asarray(alpha * sum(float(w.ravel() @ w.ravel()) for w in weights), dtype=np.result_type(*weights))

    def backward(self, gy):
        return tuple(gy * (2 * self.alpha) * w if need else None for w, need in zip(self.saved, self.needs_input_grad))


class AbsoluteNorm(Function):
    """Omega = alpha sum_l sum(|W_l|).  dW_l = alpha sign(W_l)  (notes 000 section 9.1)."""

    def forward(self, *weights, alpha):
        self.alpha = alpha
        self.save_for_backward(*(np.sign(w) for w in weights))
        return np.asarray(alpha * sum(float(np.abs(w).sum()) for w in weights), dtype=np.result_type(*weights))

    def backward(self, gy):
        return tuple(
            gy * (self.alpha * sign) if need else None for sign, need in zip(self.saved, self.needs_input_grad)
        )


def penalized_parameters(params, weights_only: bool = True) -> list:
    """The parameters a norm penalty covers: of a Module (anything with ``parameters()``) or an iterable of
    Parameters (Tensors), those with ``ndim >= 2`` -- the weight matrices W, not the biases b nor BatchNorm's
    gamma and beta, as the notes do -- or every parameter with ``weights_only=False``."""
    if callable(getattr(params, "parameters", None)):
        params = params.parameters()
    elif isinstance(params, Tensor):
        params = [params]
    chosen = []
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"penalty: expected a Module or Parameters, got a {type(p).__name__}")
        if p.data.ndim >= 2 or not weights_only:
            chosen.append(p)
    return chosen


def l2_penalty(params, alpha: float, weights_only: bool = True):
    """The notes' L2 penalty alpha * sum_l ||W_l||^2 (no factor 1/2: its gradient is 2 alpha W).

    ``loss = criterion(model(x), t) + F.l2_penalty(model, 1e-4)``. With SGD this equals
    ``weight_decay = 2 alpha`` applied to the weights only.
    """
    alpha = nonnegative("l2_penalty: alpha", alpha)
    weights = penalized_parameters(params, weights_only)
    if not weights:
        raise ValueError("l2_penalty: no parameters to penalize (pass weights_only=False to include 1-D parameters)")
    return SquaredNorm.apply(*weights, alpha=alpha)


def l1_penalty(params, alpha: float, weights_only: bool = True):
    """The notes' L1 penalty alpha * sum_l sum |W_l| (gradient alpha sign W): drives weights to exactly zero."""
    alpha = nonnegative("l1_penalty: alpha", alpha)
    weights = penalized_parameters(params, weights_only)
    if not weights:
        raise ValueError("l1_penalty: no parameters to penalize (pass weights_only=False to include 1-D parameters)")
    return AbsoluteNorm.apply(*weights, alpha=alpha)

"""Stateless forms of the layers, activations and losses (PyTorch's ``torch.nn.functional``, Chainer's
``chainer.functions``), and the parameter norm penalties of notes 000 section 9.1.

The Functions themselves live beside their layers (``nn/linear.py``, ``nn/loss.py``, ...); this module is
the flat namespace: ``F.linear(x, W, b)``, ``F.relu(x)``, ``F.cross_entropy(logits, labels)``.
"""
from __future__ import annotations

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.nn.activation import elu, gelu
from neuronlab.nn.dropout import dropout
from neuronlab.nn.linear import linear
from neuronlab.nn.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                               mse_loss, nll_loss)
from neuronlab.nn.module import Module
from neuronlab.nn.normalization import batch_norm
from neuronlab.nn.parameter import Parameter
from neuronlab.ops.elementwise import leaky_relu, relu, sigmoid, tanh
from neuronlab.ops.shape import flatten
from neuronlab.ops.softmax import log_softmax, softmax

__all__ = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax", "elu", "gelu",
           "batch_norm", "dropout", "flatten", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "l2_penalty", "l1_penalty",
           "penalized_parameters"]

# Spiking bridge (issue 15)
from neuronlab.ops.lif_rate import lif_rate, soft_lif_rate, spike  # noqa: E402

__all__ += ["lif_rate", "soft_lif_rate", "spike"]
# end spiking bridge


class SquaredNorm(Function):
    """Omega = alpha sum_l sum(W_l * W_l).  dW_l = 2 alpha W_l  (notes 000 section 9.1)."""

    def forward(self, *weights, alpha):
        self.alpha = alpha
        self.save_for_backward(*weights)
        return np.asarray(alpha * sum(float(w.ravel() @ w.ravel()) for w in weights),
                          dtype=np.result_type(*weights))

    def backward(self, gy):
        return tuple(gy * (2 * self.alpha) * w if need else None
                     for w, need in zip(self.saved, self.needs_input_grad))


class AbsoluteNorm(Function):
    """Omega = alpha sum_l sum(|W_l|).  dW_l = alpha sign(W_l)  (notes 000 section 9.1)."""

    def forward(self, *weights, alpha):
        self.alpha = alpha
        self.save_for_backward(*(np.sign(w) for w in weights))
        return np.asarray(alpha * sum(float(np.abs(w).sum()) for w in weights), dtype=np.result_type(*weights))

    def backward(self, gy):
        return tuple(gy * (self.alpha * sign) if need else None
                     for sign, need in zip(self.saved, self.needs_input_grad))


def penalized_parameters(params, weights_only: bool = True) -> list:
    """The Parameters a norm penalty covers: of a Module (or an iterable of Parameters), those with
    ``ndim >= 2`` -- the weight matrices W, not the biases b nor BatchNorm's gamma and beta, as the notes do
    -- or every parameter with ``weights_only=False``."""
    if isinstance(params, Module):
        params = params.parameters()
    elif isinstance(params, Parameter):
        params = [params]
    chosen = []
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(f"penalty: expected a Module or Parameters, got a {type(p).__name__}")
        if p.data.ndim >= 2 or not weights_only:
            chosen.append(p)
    return chosen


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or alpha < 0:
        raise ValueError(f"penalty: alpha must be a non-negative number, got {alpha!r}")
    return float(alpha)


def l2_penalty(params, alpha: float, weights_only: bool = True):
    """The notes' L2 penalty alpha * sum_l ||W_l||^2 (no factor 1/2: its gradient is 2 alpha W).

    ``loss = criterion(model(x), t) + F.l2_penalty(model, 1e-4)``. With SGD this equals
    ``weight_decay = 2 alpha`` applied to the weights only.
    """
    alpha = _check_alpha(alpha)
    weights = penalized_parameters(params, weights_only)
    if not weights:
        raise ValueError("l2_penalty: no parameters to penalize (pass weights_only=False to include 1-D parameters)")
    return SquaredNorm.apply(*weights, alpha=alpha)


def l1_penalty(params, alpha: float, weights_only: bool = True):
    """The notes' L1 penalty alpha * sum_l sum |W_l| (gradient alpha sign W): drives weights to exactly zero."""
    alpha = _check_alpha(alpha)
    weights = penalized_parameters(params, weights_only)
    if not weights:
        raise ValueError("l1_penalty: no parameters to penalize (pass weights_only=False to include 1-D parameters)")
    return AbsoluteNorm.apply(*weights, alpha=alpha)

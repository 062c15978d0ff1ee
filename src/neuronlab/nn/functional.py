"""Stateless forms of the layers, activations, losses and penalties (PyTorch's ``torch.nn.functional``,
Chainer's ``chainer.functions``): ``F.linear(x, W, b)``, ``F.relu(x)``, ``F.cross_entropy(logits, labels)``.

Every function here is defined, with its Function, in :mod:`neuronlab.ops` (one file per family); this
module is the flat namespace that re-exports them.
"""
from neuronlab.ops.activation import elu, gelu
from neuronlab.ops.dropout import dropout
from neuronlab.ops.elementwise import leaky_relu, relu, sigmoid, tanh
from neuronlab.ops.linear import linear
from neuronlab.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                                mse_loss, nll_loss)
from neuronlab.ops.normalization import batch_norm
from neuronlab.ops.penalty import l1_penalty, l2_penalty, penalized_parameters
from neuronlab.ops.shape import flatten
from neuronlab.ops.softmax import log_softmax, softmax

__all__ = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax", "elu", "gelu",
           "batch_norm", "dropout", "flatten", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "l2_penalty", "l1_penalty",
           "penalized_parameters"]

# Convolution (issue 12)
from neuronlab.ops.dropout import dropout2d  # noqa: E402
from neuronlab.ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold  # noqa: E402
from neuronlab.ops.pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d,  # noqa: E402
                                avg_pool2d, interpolate, max_pool1d, max_pool2d)

__all__ += ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold", "max_pool1d", "max_pool2d", "avg_pool1d",
            "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate",
            "dropout2d"]
# end Convolution (issue 12)


# Breadth ops (issue 10)
from neuronlab.ops.activation_extra import (celu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish,  # noqa: E402
                                            normalize, relu6, selu, silu, softmin, softplus, softsign)
from neuronlab.ops.gather_scatter import one_hot  # noqa: E402
from neuronlab.ops.rearrange import pad  # noqa: E402  (PyTorch's F.pad; neuronlab.pad is NumPy's form)

__all__ += ["softplus", "logsigmoid", "silu", "mish", "selu", "celu", "relu6", "hardtanh", "hardsigmoid",
            "hardswish", "softsign", "softmin", "normalize", "one_hot", "pad"]
# End of breadth ops (issue 10)

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


# Recurrence (issue 13)
from neuronlab.ops.embedding import embedding  # noqa: E402
from neuronlab.ops.recurrent import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell  # noqa: E402

__all__ += ["embedding", "rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"]
# end Recurrence (issue 13)

"""Stateless forms of the layers, activations, losses and penalties (PyTorch's ``torch.nn.functional``,
Chainer's ``chainer.functions``): ``F.linear(x, W, b)``, ``F.relu(x)``, ``F.cross_entropy(logits, labels)``.

Every function here is defined, with its Function, in :mod:`neuronlab.ops` (one file per family); this
module is the flat namespace that re-exports them.
"""

from neuronlab.ops.activation import elu, gelu
from neuronlab.ops.activation_extra import (
    celu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    normalize,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
)
from neuronlab.ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from neuronlab.ops.dropout import dropout, dropout2d
from neuronlab.ops.elementwise import leaky_relu, relu, sigmoid, tanh
from neuronlab.ops.embedding import embedding
from neuronlab.ops.gather_scatter import one_hot
from neuronlab.ops.lif_rate import lif_rate, soft_lif_rate, spike
from neuronlab.ops.linear import linear
from neuronlab.ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from neuronlab.ops.normalization import batch_norm
from neuronlab.ops.penalty import l1_penalty, l2_penalty, penalized_parameters
from neuronlab.ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
from neuronlab.ops.rearrange import pad  # PyTorch's F.pad (last axis first); neuronlab.pad is NumPy's form
from neuronlab.ops.recurrent import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell
from neuronlab.ops.shape import flatten
from neuronlab.ops.softmax import log_softmax, softmax

__all__ = [
    # layers
    "linear",
    "batch_norm",
    "dropout",
    "dropout2d",
    "flatten",
    "embedding",
    "pad",
    "one_hot",
    # activations
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "elu",
    "gelu",
    "softplus",
    "logsigmoid",
    "silu",
    "mish",
    "selu",
    "celu",
    "relu6",
    "hardtanh",
    "hardsigmoid",
    "hardswish",
    "softsign",
    "softmin",
    "normalize",
    # convolution and pooling
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "unfold",
    "fold",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "interpolate",
    # spiking bridge: the LIF tuning curve, its smoothed form, the spike with a surrogate gradient
    "lif_rate",
    "soft_lif_rate",
    "spike",
    # recurrent cells
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "gru_cell",
    "lstm_cell",
    # losses and penalties
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
    "l2_penalty",
    "l1_penalty",
    "penalized_parameters",
]

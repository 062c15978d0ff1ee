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

"""neuronlab: neural networks from first principles.

The public namespace mirrors PyTorch's: ``neuronlab.tensor``, ``neuronlab.Tensor``, ``neuronlab.no_grad``,
``neuronlab.manual_seed`` and every differentiable op as a function (``neuronlab.exp(x)``, ``neuronlab.relu(x)``).
Subpackages (``neuronlab.nn``, ``neuronlab.optim``, ``neuronlab.neurons``, ``neuronlab.snn``, ...) are imported
on first use, so ``import neuronlab`` stays light.
"""

from typing import TYPE_CHECKING

from neuronlab._version import __version__ as __version__
from neuronlab.autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled, tensor
from neuronlab.ops import *  # noqa: F401,F403  (the op functions: add, exp, matmul, softmax, ...)
from neuronlab.ops import __all__ as _op_names
from neuronlab.ops.conv import conv1d, conv2d, conv_transpose2d
from neuronlab.ops.embedding import embedding
from neuronlab.ops.pool import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d
from neuronlab.ops.recurrent import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell
from neuronlab.random import manual_seed

if TYPE_CHECKING:
    from neuronlab.io.checkpoint import Checkpoint, CheckpointError, load, save

float32, float64, int64 = "float32", "float64", "int64"

_SUBPACKAGES = {"nn", "optim", "data", "train", "io", "neurons", "snn", "viz", "diagnostics", "experiments", "interop"}


_CHECKPOINTS = {"save", "load", "Checkpoint", "CheckpointError"}  # from neuronlab.io: safetensors + JSON, never pickle


def __getattr__(name):
    """Import subpackages on first use (``neuronlab.nn``, ``neuronlab.viz``...), and the checkpoint functions
    (``neuronlab.save``, ``neuronlab.load``), keeping ``import neuronlab`` light."""
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"neuronlab.{name}")
    if name in _CHECKPOINTS:
        return getattr(importlib.import_module("neuronlab.io.checkpoint"), name)
    raise AttributeError(f"module 'neuronlab' has no attribute {name!r}")


__all__ = [
    "Tensor",
    "tensor",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "manual_seed",
    "float32",
    "float64",
    "int64",
    "save",
    "load",
    "Checkpoint",
    "CheckpointError",
    *_op_names,
    # PyTorch's torch.conv2d, torch.max_pool2d, torch.embedding, torch.lstm_cell, ...
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "adaptive_avg_pool1d",
    "embedding",
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "gru_cell",
    "lstm_cell",
]

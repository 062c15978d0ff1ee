"""neuronlab: neural networks from first principles.

The public namespace mirrors PyTorch's: ``neuronlab.tensor``, ``neuronlab.Tensor``, ``neuronlab.no_grad``,
``neuronlab.manual_seed`` and every differentiable op as a function (``neuronlab.exp(x)``, ``neuronlab.relu(x)``).
"""
__version__ = "0.1.0"

from neuronlab.autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled, tensor
from neuronlab.ops import *  # noqa: F401,F403  (the op functions: add, exp, matmul, softmax, ...)
from neuronlab.ops import __all__ as _op_names
from neuronlab.random import manual_seed

# Convolution (issue 12)
from neuronlab.ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: E402,F401
from neuronlab.ops.pool import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d  # noqa: E402,F401

_conv_names = ["conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d",
               "adaptive_avg_pool1d"]
# end Convolution (issue 12)

float32, float64, int64 = "float32", "float64", "int64"

_SUBPACKAGES = {"nn", "optim", "data", "train", "io", "neurons", "viz", "diagnostics", "experiments", "interop"}


def __getattr__(name):
    """Import subpackages on first use (``neuronlab.nn``, ``neuronlab.viz``...), keeping ``import neuronlab`` light."""
    if name in _SUBPACKAGES:
        import importlib
        return importlib.import_module(f"neuronlab.{name}")
    raise AttributeError(f"module 'neuronlab' has no attribute {name!r}")


__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "manual_seed",
           "float32", "float64", "int64", *_op_names,
           *_conv_names]

from neuronlab.io import Checkpoint, CheckpointError, load, save  # noqa: E402  (checkpoints: safetensors + JSON)

__all__ += ["save", "load", "Checkpoint", "CheckpointError"]

# Recurrence (issue 13)
from neuronlab.ops.embedding import embedding  # noqa: E402
from neuronlab.ops.recurrent import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell  # noqa: E402

__all__ += ["embedding", "rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"]
# end Recurrence (issue 13)

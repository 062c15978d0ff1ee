"""neuronlab: neural networks from first principles.

The public namespace mirrors PyTorch's: ``neuronlab.tensor``, ``neuronlab.Tensor``, ``neuronlab.no_grad``,
``neuronlab.manual_seed`` and every differentiable op as a function (``neuronlab.exp(x)``, ``neuronlab.relu(x)``).
"""
__version__ = "0.1.0"

from neuronlab.autograd import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled, tensor
from neuronlab.ops import *  # noqa: F401,F403  (the op functions: add, exp, matmul, softmax, ...)
from neuronlab.ops import __all__ as _op_names
from neuronlab.random import manual_seed

float32, float64, int64 = "float32", "float64", "int64"

_SUBPACKAGES = {"nn", "optim", "data", "train", "io", "neurons", "viz", "diagnostics", "experiments", "interop"}


def __getattr__(name):
    """Import subpackages on first use (``neuronlab.nn``, ``neuronlab.viz``...), keeping ``import neuronlab`` light."""
    if name in _SUBPACKAGES:
        import importlib
        return importlib.import_module(f"neuronlab.{name}")
    raise AttributeError(f"module 'neuronlab' has no attribute {name!r}")


__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "manual_seed",
           "float32", "float64", "int64", *_op_names]

from neuronlab.io import Checkpoint, CheckpointError, load, save  # noqa: E402  (checkpoints: safetensors + JSON)

__all__ += ["save", "load", "Checkpoint", "CheckpointError"]

# Spiking bridge (issue 15): neuronlab.snn (conversion, encoders, spiking evaluation) imported on first use
_SUBPACKAGES.add("snn")
# end spiking bridge

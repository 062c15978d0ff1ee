"""Layers, losses, initializers and penalties with PyTorch's names (``neuronlab.nn``).

Modules (ops with parameters and state) live here; their stateless forms are in ``neuronlab.nn.functional``;
``neuronlab.nn.init`` fills weights; ``neuronlab.nn.utils`` clips gradients. A model's architecture goes to
JSON with ``model.config()`` and comes back with ``build_module(config)``.
"""
from neuronlab.nn import functional, init, utils
from neuronlab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuronlab.nn.container import Flatten, Identity, ModuleList, Sequential
from neuronlab.nn.dropout import Dropout
from neuronlab.nn.linear import Linear
from neuronlab.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from neuronlab.nn.module import Module, RemovableHandle, build_module, register_module
from neuronlab.nn.normalization import BatchNorm1d
from neuronlab.nn.parameter import Parameter

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Identity", "Flatten", "Linear", "Sigmoid", "Tanh",
           "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "ELU", "GELU", "BatchNorm1d", "Dropout", "MSELoss",
           "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "build_module",
           "register_module", "RemovableHandle", "functional", "init", "utils"]

# Spiking bridge (issue 15)
from neuronlab.nn.spiking import LIFRate, SoftLIFRate, SpikeCount, SpikingLIF  # noqa: E402

__all__ += ["LIFRate", "SoftLIFRate", "SpikingLIF", "SpikeCount"]
# end spiking bridge
